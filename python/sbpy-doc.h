/* SPDX-License-Identifier: ISC */
/*
 * The docstrings of the C part of the binding, in one place: what
 * `pydoc sockbroker` and help() show. Each starts with its text signature
 * ("name($self, ...)\n--\n\n", the form inspect.signature() reads), then
 * says what the call does, where it differs from the stdlib's socket
 * module, and what it raises. The wording follows the stdlib's own.
 */

#ifndef SBPY_DOC_H
#define SBPY_DOC_H

#include <Python.h>

/* A docstring; each file uses the ones of its own calls. */
#define SBPY_DOC(name, str) \
	static const char name[] __attribute__((unused)) = PyDoc_STR(str)

/* Errors every call on a socket may raise, appended to most entries. */
#define SBPY_DOC_ERRORS \
"\n\nRaises OSError (its subclass by errno) with the kernel's error, or\n" \
"PermissionError (EACCES, EPERM) with the policy's reason when the\n" \
"daemon refuses; TimeoutError when the socket's timeout passes."

/* ---- the socket type (sbpy-socket.c) ---------------------------------- */

SBPY_DOC(sbpy_doc_socket,
"socket(family=AF_INET, type=SOCK_STREAM, proto=0, fileno=None)\n"
"--\n\n"
"A socket held by sockbrokerd.\n\n"
"The daemon creates the socket after its policy allowed it; this object\n"
"holds a handle on it and every call is a request to the daemon (the\n"
"data of a connected socket goes through the handle's data channel, a\n"
"descriptor of this process). The methods are those of the stdlib's\n"
"socket.socket with the same arguments, address forms, timeouts and\n"
"exceptions. fileno= takes what detach() or dup() returned, not a\n"
"descriptor of this process."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_accept,
"_accept($self, /)\n--\n\n"
"Accepts a connection: (token, address), the token for socket(fileno=).\n"
"socket.accept() wraps it.");

SBPY_DOC(sbpy_doc_bind,
"bind($self, address, /)\n--\n\n"
"Binds the socket to address, in the form of its family (see the\n"
"socket module's documentation: (host, port) for AF_INET, (ifname,) for\n"
"AF_CAN, (pid, groups) for AF_NETLINK, ...). A port below 1024 or an\n"
"interface is checked against the policy."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_close,
"close($self, /)\n--\n\n"
"Closes the handle; the daemon closes the socket when no handle or\n"
"passed descriptor holds it. Further calls raise OSError (EBADF). Closing\n"
"a closed socket does nothing.");

SBPY_DOC(sbpy_doc_connect,
"connect($self, address, /)\n--\n\n"
"Connects the socket to address. With a timeout the daemon's connect is\n"
"non-blocking and waited for; a non-blocking socket raises\n"
"BlockingIOError (EINPROGRESS) and its fileno() turns writable when the\n"
"connection is made."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_connect_ex,
"connect_ex($self, address, /)\n--\n\n"
"As connect(), but returns the errno (0 on success) instead of raising\n"
"it for errors the kernel reports. A refusal by the policy is returned\n"
"as EACCES.");

SBPY_DOC(sbpy_doc_detach,
"detach($self, /)\n--\n\n"
"Gives the handle up without closing it: returns a token that\n"
"socket(fileno=token) turns into a socket object again, in this process.");

SBPY_DOC(sbpy_doc_dup,
"_dup($self, /)\n--\n\n"
"A token for a new handle of the same socket (socket.dup() wraps it).");

SBPY_DOC(sbpy_doc_fileno,
"fileno($self, /)\n--\n\n"
"The handle's data channel: a descriptor of this process that polls as\n"
"the socket would (readable when data or a connection waits, writable\n"
"when a send would not block), for select, selectors and asyncio. Never\n"
"read or write it yourself: the library frames what goes through it.\n"
"OSError EOPNOTSUPP for the kinds of socket that have no channel\n"
"(SOCK_PACKET, SOCK_DCCP, AF_ALG) and where the connection to the\n"
"daemon cannot pass descriptors (ssh://).");

SBPY_DOC(sbpy_doc_peekfileno,
"_peekfileno($self, /)\n--\n\n"
"fileno() if the channel is already there, -1 if getting it would need\n"
"a request.");

SBPY_DOC(sbpy_doc_getblocking,
"getblocking($self, /)\n--\n\n"
"True if the socket is blocking (its timeout is None), False otherwise.");

SBPY_DOC(sbpy_doc_getpeername,
"getpeername($self, /)\n--\n\n"
"The address of the peer the socket is connected to, in the form of its\n"
"family."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_getsockname,
"getsockname($self, /)\n--\n\n"
"The socket's own address, in the form of its family."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_getsockopt,
"getsockopt($self, level, option, buflen=0, /)\n--\n\n"
"The value of a socket option: an int without buflen, else a bytes of at\n"
"most buflen bytes (as the stdlib's). The daemon's policy may refuse\n"
"an option."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_gettimeout,
"gettimeout($self, /)\n--\n\n"
"The timeout in seconds (a float) of blocking calls, or None when they\n"
"block for ever; 0.0 for a non-blocking socket.");

SBPY_DOC(sbpy_doc_listen,
"listen($self, backlog=128, /)\n--\n\n"
"Makes the socket a listening one with a queue of backlog connections\n"
"(the stdlib's default, 128; a negative one is 0)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_setblocking,
"setblocking($self, flag, /)\n--\n\n"
"setblocking(True) is settimeout(None), setblocking(False) is\n"
"settimeout(0.0).");

SBPY_DOC(sbpy_doc_setsockopt,
"setsockopt($self, level, option, value, optlen=None, /)\n--\n\n"
"Sets a socket option: value an int, a bytes-like object, or None with\n"
"optlen (an option given no buffer, as AF_ALG's ALG_SET_AEAD_AUTHSIZE).\n"
"Checked against the policy (a privileged option may be refused)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_settimeout,
"settimeout($self, value, /)\n--\n\n"
"Sets the timeout of blocking calls: a non-negative float in seconds,\n"
"None to block for ever, 0.0 for non-blocking. The timeout is this\n"
"object's, kept by the library (the daemon's socket stays non-blocking).");

SBPY_DOC(sbpy_doc_shutdown,
"shutdown($self, how, /)\n--\n\n"
"Shuts down the reading side (SHUT_RD), the writing side (SHUT_WR) or\n"
"both (SHUT_RDWR); data sent before a SHUT_WR is delivered first."
SBPY_DOC_ERRORS);

/* ---- data (sbpy-io.c) -------------------------------------------------- */

SBPY_DOC(sbpy_doc_recv,
"recv($self, bufsize, flags=0, /)\n--\n\n"
"Receives at most bufsize bytes and returns them as bytes; b'' at the\n"
"end of a stream. flags are the kernel's MSG_* (MSG_PEEK, MSG_DONTWAIT,\n"
"MSG_TRUNC, ...)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_recvfrom,
"recvfrom($self, bufsize, flags=0, /)\n--\n\n"
"As recv(), returning (bytes, address): the sender's address in the\n"
"form of the socket's family (None where the family gives none)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_recv_into,
"recv_into($self, /, buffer, nbytes=0, flags=0)\n--\n\n"
"Receives at most nbytes (all of buffer when 0) into the writable\n"
"buffer and returns the number of bytes received."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_recvfrom_into,
"recvfrom_into($self, /, buffer, nbytes=0, flags=0)\n--\n\n"
"As recv_into(), returning (nbytes, address)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_send,
"send($self, data, flags=0, /)\n--\n\n"
"Sends data (a bytes-like object) and returns the number of bytes sent,\n"
"which on a stream may be fewer than len(data). A datagram is checked\n"
"against the policy (a CAN id, an address) and may be refused with\n"
"PermissionError."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_sendall,
"sendall($self, data, flags=0, /)\n--\n\n"
"Sends all of data, as many sends as it takes; None on success. The\n"
"timeout, if any, bounds the whole call. On an error some of the data\n"
"may have been sent."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_sendto,
"sendto(data[, flags], address)\n\n"
"Sends data to address (the form of the socket's family) and returns\n"
"the number of bytes sent. The address is checked against the policy."
SBPY_DOC_ERRORS);

/* ---- messages (sbpy-msg.c) --------------------------------------------- */

SBPY_DOC(sbpy_doc_sendmsg,
"sendmsg($self, buffers, ancdata=(), flags=0, address=None, /)\n--\n\n"
"Sends the bytes-like objects of buffers as one message, with ancillary\n"
"data ancdata, a sequence of (level, type, data), to address if\n"
"given. Returns the number of bytes sent."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_sendmsg_afalg,
"sendmsg_afalg($self, /, msg=(), *, op, iv=None, assoclen=None, flags=0)\n"
"--\n\n"
"For an AF_ALG operation socket: sends msg with op (ALG_OP_ENCRYPT or\n"
"ALG_OP_DECRYPT), the iv and the AEAD assoclen as ancillary data, as\n"
"the stdlib's."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_recvmsg,
"recvmsg($self, bufsize, ancbufsize=0, flags=0, /)\n--\n\n"
"Receives one message: (data, ancdata, msg_flags, address), ancdata a\n"
"list of (level, type, data) of at most ancbufsize bytes, as the kernel\n"
"gave them to the daemon (timestamps, SO_RXQ_OVFL counters, ...)."
SBPY_DOC_ERRORS);

SBPY_DOC(sbpy_doc_recvmsg_into,
"recvmsg_into($self, buffers, ancbufsize=0, flags=0, /)\n--\n\n"
"As recvmsg(), scattering the data into the writable buffers:\n"
"(nbytes, ancdata, msg_flags, address)."
SBPY_DOC_ERRORS);

/* ---- names (sbpy-name.c): answered by the daemon ----------------------- */

/* Appended to each lookup: whose answer it is. */
#define SBPY_DOC_DAEMON \
"\n\nAnswered by sockbrokerd, with its resolver and its host's files\n" \
"(the daemon's view, not this process's namespace or container)."

SBPY_DOC(sbpy_doc_getaddrinfo,
"getaddrinfo(host, port, family=0, type=0, proto=0, flags=0)\n--\n\n"
"Translates host and port into a list of\n"
"(family, type, proto, canonname, sockaddr) tuples, as the stdlib's;\n"
"raises socket.gaierror when the name cannot be resolved."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_getnameinfo,
"getnameinfo(sockaddr, flags, /)\n--\n\n"
"(host, port) for an AF_INET or AF_INET6 sockaddr tuple; NI_* flags.\n"
"Raises socket.gaierror."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_gethostname,
"gethostname()\n--\n\n"
"The host name of the daemon's host."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_gethostbyname,
"gethostbyname(hostname, /)\n--\n\n"
"The IPv4 address of hostname as a string ('127.0.0.1'); raises\n"
"socket.gaierror."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_gethostbyname_ex,
"gethostbyname_ex(hostname, /)\n--\n\n"
"(name, aliaslist, addresslist) for hostname, IPv4 only; raises\n"
"socket.gaierror."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_gethostbyaddr,
"gethostbyaddr(ip_address, /)\n--\n\n"
"(name, aliaslist, addresslist) for an address (IPv4 or IPv6) or a\n"
"name; raises socket.herror when it has no name."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_getfqdn,
"getfqdn(name='', /)\n--\n\n"
"The fully qualified name of name (of the daemon's host when empty).\n"
"socket.getfqdn() wraps it."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_getservbyname,
"getservbyname(servicename, protocolname=None, /)\n--\n\n"
"The port number of a service ('tcp' or 'udp' protocolname if given);\n"
"OSError when it is not known."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_getservbyport,
"getservbyport(port, protocolname=None, /)\n--\n\n"
"The service name of a port number; OSError when it is not known."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_getprotobyname,
"getprotobyname(protocolname, /)\n--\n\n"
"The number of an IP protocol ('icmp' is 1); OSError when it is not\n"
"known."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_if_nameindex,
"if_nameindex()\n--\n\n"
"A list of (index, name) of the network interfaces."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_if_nametoindex,
"if_nametoindex(if_name, /)\n--\n\n"
"The index of the interface named if_name; OSError when there is none."
SBPY_DOC_DAEMON);

SBPY_DOC(sbpy_doc_if_indextoname,
"if_indextoname(if_index, /)\n--\n\n"
"The name of the interface of index if_index; OSError when there is\n"
"none."
SBPY_DOC_DAEMON);

/* ---- the module (sbpy-module.c) ---------------------------------------- */

SBPY_DOC(sbpy_doc_module,
"The C part of the sockbroker package: sockets held by sockbrokerd,\n"
"through libsockbroker. Import sockbroker, not this.");

SBPY_DOC(sbpy_doc_connect_daemon,
"connect(path=None, /)\n--\n\n"
"Connects this process to the daemon at path (a UNIX socket path, or\n"
"ssh://[user@]host[:port][/path]); without path, to $SOCKBROKER_SOCKET\n"
"or the default socket. The connection is otherwise opened on first\n"
"use. Sockets made on an earlier connection raise EBADF afterwards.\n"
"OSError when the daemon cannot be reached, naming the path tried.");

SBPY_DOC(sbpy_doc_info,
"info()\n--\n\n"
"What the daemon said when this process connected, as a dict: version,\n"
"max_frame, max_handles, max_data, fd_passing (False over ssh://) and\n"
"families (the address families it serves).");

SBPY_DOC(sbpy_doc_address,
"_address(family, proto, address, /)\n--\n\n"
"(sockaddr bytes, address): address through the library's encoding and\n"
"back, for the tests.");

SBPY_DOC(sbpy_doc_fromfd,
"_fromfd(fd, /)\n--\n\n"
"A token for a new handle of the socket whose descriptor fd came from\n"
"this binding (a channel or a passed socket).");

SBPY_DOC(sbpy_doc_after_fork,
"_after_fork_child()\n--\n\n"
"Forgets the parent's connection in a fork child (os.register_at_fork):\n"
"the child opens its own on first use.");

SBPY_DOC(sbpy_doc_getdefaulttimeout,
"getdefaulttimeout()\n--\n\n"
"The timeout new sockets get (seconds as a float, or None).");

SBPY_DOC(sbpy_doc_setdefaulttimeout,
"setdefaulttimeout(timeout, /)\n--\n\n"
"Sets the timeout new sockets get: None, or seconds (a non-negative\n"
"float).");

#endif /* SBPY_DOC_H */
