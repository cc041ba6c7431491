# SPDX-License-Identifier: ISC
"""Sockets held by sockbrokerd, with the interface of the socket module.

``import sockbroker as socket`` runs code written for the standard library's
socket module: the same socket class, methods, address forms, exceptions and
timeouts, with every socket owned by the daemon and checked against its
policy. The constants and the pure helpers (inet_pton, htons, CMSG_LEN, ...)
are the standard library's own; the functions that look anything up
(getaddrinfo, gethostbyname, if_nametoindex, ...) are answered by the daemon.

The process has one connection to the daemon, opened on first use from
$SOCKBROKER_SOCKET (or the path given to connect()); a child after fork opens
its own, and the sockets of its parent are closed in it (EBADF): it keeps
none of the parent's descriptors of the daemon's and says nothing on the
parent's connection.

fileno() is the socket's data channel: give it to select, selectors or
asyncio, never read or write it yourself (os.read, os.sendfile).
"""

import errno as _errno
import io as _io
import os as _os
import socket as _std

from . import _sockbroker
from ._sockbroker import (
    connect, info, getdefaulttimeout, setdefaulttimeout,
    getaddrinfo as _getaddrinfo, getnameinfo, gethostname, gethostbyname,
    gethostbyname_ex, gethostbyaddr, getfqdn as _getfqdn, getservbyname,
    getservbyport, getprotobyname, if_nameindex, if_nametoindex,
    if_indextoname)

# The stdlib's constants (AF_INET is socket.AddressFamily.AF_INET, ...), its
# exception classes and its helpers that touch no socket.
_STD_HELPERS = (
    "inet_aton", "inet_ntoa", "inet_pton", "inet_ntop", "htons", "htonl",
    "ntohs", "ntohl", "CMSG_LEN", "CMSG_SPACE", "AddressFamily",
    "SocketKind", "MsgFlag", "AddressInfo", "SocketIO", "error", "herror",
    "gaierror", "timeout", "has_ipv6", "close", "dup", "sethostname",
    "send_fds", "recv_fds")
for _name in dir(_std):
    if _name.isupper() and not _name.startswith("_"):
        globals()[_name] = getattr(_std, _name)
for _name in _std.__all__:      # AF_DECnet and the like
    if not callable(getattr(_std, _name)):
        globals()[_name] = getattr(_std, _name)
for _name in _STD_HELPERS:
    if hasattr(_std, _name):
        globals()[_name] = getattr(_std, _name)
del _name

_GLOBAL_DEFAULT_TIMEOUT = _std._GLOBAL_DEFAULT_TIMEOUT
_blocking_errnos = {_errno.EAGAIN, _errno.EWOULDBLOCK}
SocketType = _sockbroker.socket


def _intenum(value, enum_klass):
    """A numeric constant as a member of enum_klass if it has one."""
    try:
        return enum_klass(value)
    except ValueError:
        return value


class socket(_sockbroker.socket):
    """A socket held by sockbrokerd: the stdlib's socket.socket.

    socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None) asks the
    daemon for the socket, which its policy may refuse (PermissionError
    with the rule's reason). Every method of the stdlib's class is here
    with the same arguments, address forms, timeouts and exceptions;
    fileno() is the socket's data channel, for select, selectors and
    asyncio. fileno= takes what detach() returned, not a descriptor.
    """

    __slots__ = ["__weakref__", "_io_refs", "_closed"]

    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None:
            if family == -1:
                family = AF_INET
            if type == -1:
                type = SOCK_STREAM
            if proto == -1:
                proto = 0
        _sockbroker.socket.__init__(self, family, type, proto, fileno)
        self._io_refs = 0
        self._closed = False

    def __enter__(self):
        return self

    def __exit__(self, *args):
        if not self._closed:
            self.close()

    def __repr__(self):
        closed = getattr(self, "_closed", False)
        s = "<%s.%s%s fd=%i, family=%s, type=%s, proto=%i" % (
            self.__class__.__module__, self.__class__.__qualname__,
            " [closed]" if closed else "", self._peekfileno(),
            self.family, self.type, self.proto)
        if not closed:
            try:
                laddr = self.getsockname()
                if laddr:
                    s += ", laddr=%s" % str(laddr)
            except error:
                pass
            try:
                raddr = self.getpeername()
                if raddr:
                    s += ", raddr=%s" % str(raddr)
            except error:
                pass
        return s + ">"

    def __getstate__(self):
        raise TypeError(f"cannot pickle {self.__class__.__name__!r} object")

    def dup(self):
        """A new socket object for the same socket (a new handle)."""
        return self.__class__(self.family, self.type, self.proto,
                              fileno=self._dup())

    def accept(self):
        """(conn, address): conn a new socket for the connection."""
        token, addr = self._accept()
        sock = socket(self.family, self.type, self.proto, fileno=token)
        if getdefaulttimeout() is None and self.gettimeout():
            sock.setblocking(True)
        return sock, addr

    def makefile(self, mode="r", buffering=None, *, encoding=None,
                 errors=None, newline=None):
        """A file object on the socket, as the stdlib's (SocketIO)."""
        if not set(mode) <= {"r", "w", "b"}:
            raise ValueError("invalid mode %r (only r, w, b allowed)"
                             % (mode,))
        writing = "w" in mode
        reading = "r" in mode or not writing
        assert reading or writing
        binary = "b" in mode
        rawmode = ""
        if reading:
            rawmode += "r"
        if writing:
            rawmode += "w"
        raw = SocketIO(self, rawmode)
        self._io_refs += 1
        if buffering is None:
            buffering = -1
        if buffering < 0:
            buffering = _io.DEFAULT_BUFFER_SIZE
        if buffering == 0:
            if not binary:
                raise ValueError("unbuffered streams must be binary")
            return raw
        if reading and writing:
            buffer = _io.BufferedRWPair(raw, raw, buffering)
        elif reading:
            buffer = _io.BufferedReader(raw, buffering)
        else:
            assert writing
            buffer = _io.BufferedWriter(raw, buffering)
        if binary:
            return buffer
        encoding = _io.text_encoding(encoding)
        text = _io.TextIOWrapper(buffer, encoding, errors, newline)
        text.mode = mode
        return text

    def _check_sendfile_params(self, file, offset, count):
        if "b" not in getattr(file, "mode", "b"):
            raise ValueError("file should be opened in binary mode")
        if not self.type & SOCK_STREAM:
            raise ValueError("only SOCK_STREAM type sockets are supported")
        if count is not None:
            if not isinstance(count, int):
                raise TypeError(
                    "count must be a positive integer (got {!r})".format(
                        count))
            if count <= 0:
                raise ValueError(
                    "count must be a positive integer (got {!r})".format(
                        count))

    def sendfile(self, file, offset=0, count=None):
        """Sends a file with send(): os.sendfile() would write the data
        channel directly, which only the library may."""
        self._check_sendfile_params(file, offset, count)
        if self.gettimeout() == 0:
            raise ValueError("non-blocking sockets are not supported")
        if offset:
            file.seek(offset)
        blocksize = min(count, 8192) if count else 8192
        total_sent = 0
        try:
            while True:
                if count:
                    blocksize = min(count - total_sent, blocksize)
                    if blocksize <= 0:
                        break
                data = memoryview(file.read(blocksize))
                if not data:
                    break
                while True:
                    try:
                        sent = self.send(data)
                    except BlockingIOError:
                        continue
                    else:
                        total_sent += sent
                        if sent < len(data):
                            data = data[sent:]
                        else:
                            break
            return total_sent
        finally:
            if total_sent > 0 and hasattr(file, "seek"):
                file.seek(offset + total_sent)

    def _decref_socketios(self):
        if self._io_refs > 0:
            self._io_refs -= 1
        if self._closed:
            self.close()

    def _real_close(self, _ss=_sockbroker.socket):
        _ss.close(self)

    def close(self):
        """Closes the socket (once every makefile() file is closed)."""
        self._closed = True
        if self._io_refs <= 0:
            self._real_close()

    def detach(self):
        """Gives up the socket without closing it; returns what
        socket(fileno=) takes to make a socket object of it again."""
        self._closed = True
        return super().detach()

    @property
    def family(self):
        """The address family (an AddressFamily member)."""
        return _intenum(super().family, AddressFamily)

    @property
    def type(self):
        """The socket type (a SocketKind member)."""
        return _intenum(super().type, SocketKind)

    def get_inheritable(self):
        """Whether the data channel's descriptor survives exec."""
        return _os.get_inheritable(self.fileno())

    def set_inheritable(self, inheritable):
        """Sets whether the data channel's descriptor survives exec."""
        _os.set_inheritable(self.fileno(), inheritable)

    get_inheritable.__doc__ = "Get the inheritable flag of the socket"
    set_inheritable.__doc__ = "Set the inheritable flag of the socket"


def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
    """The daemon's getaddrinfo(): a list of (family, type, proto,
    canonname, sockaddr), family and type as enum members."""
    return [(_intenum(af, AddressFamily), _intenum(st, SocketKind), pr,
             cn, sa)
            for af, st, pr, cn, sa in _getaddrinfo(host, port, family, type,
                                                  proto, flags)]


def getfqdn(name=""):
    """The fully qualified name of name (the daemon's host for '')."""
    name = name.strip()
    return _getfqdn(name)


def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,
                      source_address=None, *, all_errors=False):
    """Connects to (host, port), trying each address getaddrinfo gives;
    the stdlib's create_connection()."""
    host, port = address
    exceptions = []
    for res in getaddrinfo(host, port, 0, SOCK_STREAM):
        af, socktype, proto, canonname, sa = res
        sock = None
        try:
            sock = socket(af, socktype, proto)
            if timeout is not _GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(sa)
            exceptions.clear()
            return sock
        except error as exc:
            if not all_errors:
                exceptions.clear()
            exceptions.append(exc)
            if sock is not None:
                sock.close()
    if len(exceptions):
        try:
            if not all_errors:
                raise exceptions[0]
            raise ExceptionGroup("create_connection failed", exceptions)
        finally:
            exceptions.clear()
    raise error("getaddrinfo returns an empty list")


def has_dualstack_ipv6():
    """Whether the daemon's host can listen on IPv4 and IPv6 at once."""
    if not has_ipv6 or not hasattr(_std, "IPPROTO_IPV6") or \
            not hasattr(_std, "IPV6_V6ONLY"):
        return False
    try:
        with socket(AF_INET6, SOCK_STREAM) as sock:
            sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)
            return True
    except error:
        return False


def create_server(address, *, family=AF_INET, backlog=None,
                  reuse_port=False, dualstack_ipv6=False):
    """A listening TCP socket bound to address; the stdlib's
    create_server()."""
    if reuse_port and not hasattr(_std, "SO_REUSEPORT"):
        raise ValueError("SO_REUSEPORT not supported on this platform")
    if dualstack_ipv6:
        if not has_dualstack_ipv6():
            raise ValueError("dualstack_ipv6 not supported on this "
                             "platform")
        if family != AF_INET6:
            raise ValueError("dualstack_ipv6 requires AF_INET6 family")
    sock = socket(family, SOCK_STREAM)
    try:
        try:
            sock.setsockopt(SOL_SOCKET, SO_REUSEADDR, 1)
        except error:
            pass
        if reuse_port:
            sock.setsockopt(SOL_SOCKET, SO_REUSEPORT, 1)
        if has_ipv6 and family == AF_INET6:
            if dualstack_ipv6:
                sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 0)
            elif hasattr(_std, "IPV6_V6ONLY"):
                sock.setsockopt(IPPROTO_IPV6, IPV6_V6ONLY, 1)
        try:
            sock.bind(address)
        except error as err:
            msg = "%s (while attempting to bind on address %r)" % (
                err.strerror, address)
            raise error(err.errno, msg) from None
        if backlog is None:
            sock.listen()
        else:
            sock.listen(backlog)
        return sock
    except error:
        sock.close()
        raise


def fromfd(fd, family, type, proto=0):
    """A new socket object for the socket whose fileno() is fd (a new
    handle of it, as the stdlib's duplicates the descriptor)."""
    return socket(family, type, proto, fileno=_sockbroker._fromfd(fd))


def socketpair(family=None, type=SOCK_STREAM, proto=0):
    """Two connected sockets of the daemon's (the libsockbroker API has
    no socketpair): AF_UNIX (the default) on autobound abstract names,
    AF_INET and AF_INET6 on loopback, as the stdlib's own fallback does.
    The policy must let the caller bind and connect those."""
    if family is None:
        family = AF_UNIX
    if family == AF_UNIX:
        here = ""
    elif family == AF_INET:
        here = ("127.0.0.1", 0)
    elif family == AF_INET6:
        here = ("::1", 0)
    else:
        raise ValueError("Only AF_INET, AF_INET6 and AF_UNIX socket "
                         "families are supported")
    if type not in (SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET):
        raise ValueError("Only SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET "
                         "socket types are supported")
    a = socket(family, type, proto)
    b = socket(family, type, proto)
    try:
        a.bind(here)
        if family == AF_UNIX or type == SOCK_DGRAM:
            b.bind(here)
        if type == SOCK_DGRAM:
            a.connect(b.getsockname())
            b.connect(a.getsockname())
            return a, b
        a.listen()
        b.connect(a.getsockname())
        c, peer = a.accept()
        if peer != b.getsockname():
            c.close()
            raise ConnectionError("Unexpected peer connection")
        a.close()
        return c, b
    except BaseException:
        a.close()
        b.close()
        raise


_os.register_at_fork(after_in_child=_sockbroker._after_fork_child)

__all__ = ["socket", "SocketType", "connect", "info", "create_connection",
           "create_server", "has_dualstack_ipv6", "getaddrinfo",
           "getnameinfo", "gethostname", "gethostbyname", "gethostbyname_ex",
           "gethostbyaddr", "getfqdn", "getservbyname", "getservbyport",
           "getprotobyname", "if_nameindex", "if_nametoindex",
           "if_indextoname", "getdefaulttimeout", "setdefaulttimeout",
           "socketpair", "fromfd"]
__all__ += [n for n in _STD_HELPERS if n in globals()]
__all__ += sorted(n for n in globals() if n.isupper() and
                  not n.startswith("_"))
__all__ += [n for n in _std.__all__ if n not in __all__ and n in globals()]
