# SPDX-License-Identifier: ISC
"""The socket class's methods beyond plain I/O: dup, detach and
fileno=, makefile, sendfile, shutdown, the option forms, the attributes and
repr, the context manager, inheritability, threads and fork."""

import errno
import os
import signal
import socket as std_socket
import struct
import tempfile
import threading
import time

import pytest

import sockbroker
from conftest import PATIENCE, need_family


def tcp_pair():
    """A connected TCP pair (client, server side) and the listener."""
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    c = sockbroker.create_connection(srv.getsockname(), timeout=PATIENCE)
    a, _ = srv.accept()
    srv.close()
    return c, a


def test_attributes_and_repr():
    s = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    assert s.family is sockbroker.AF_INET
    assert s.type is sockbroker.SOCK_DGRAM
    assert s.proto == 0 and s.timeout is None
    s.bind(("127.0.0.1", 0))
    r = repr(s)
    assert r.startswith("<sockbroker.socket fd=%d, family=%d, type=%d, "
                        "proto=0, laddr=('127.0.0.1', " % (
                            s.fileno(), sockbroker.AF_INET,
                            sockbroker.SOCK_DGRAM)), r
    assert isinstance(s, sockbroker.SocketType)
    s.close()
    with pytest.raises(TypeError):
        import pickle
        pickle.dumps(sockbroker.socket())


def test_context_manager_closes():
    with sockbroker.socket() as s:
        assert s.fileno() >= 0
    assert s.fileno() == -1


def test_dup_and_detach():
    c, a = tcp_pair()
    d = c.dup()
    assert d.fileno() != c.fileno()
    assert d.getsockname() == c.getsockname()
    d.sendall(b"dup")
    assert a.recv(3) == b"dup"
    token = d.detach()
    assert d.fileno() == -1
    e = sockbroker.socket(fileno=token)
    assert e.family == sockbroker.AF_INET and e.type == sockbroker.SOCK_STREAM
    e.sendall(b"again")
    assert a.recv(5) == b"again"
    with pytest.raises(OSError):
        sockbroker.socket(fileno=token)    # taken already
    c.sendall(b"orig")
    assert a.recv(4) == b"orig"
    e.close()
    c.close()
    a.close()


def test_close_of_a_dup_leaves_the_other_open():
    c, a = tcp_pair()
    d = c.dup()
    c.close()
    d.sendall(b"dup")
    assert a.recv(3) == b"dup"
    d.close()
    a.close()


def test_fromfd():
    c, a = tcp_pair()
    f = sockbroker.fromfd(c.fileno(), sockbroker.AF_INET,
                          sockbroker.SOCK_STREAM)
    assert f.fileno() not in (-1, c.fileno())
    assert f.getsockname() == c.getsockname()
    f.sendall(b"from")
    assert a.recv(4) == b"from"
    with pytest.raises(OSError):
        sockbroker.fromfd(a.fileno() + 1000, sockbroker.AF_INET,
                          sockbroker.SOCK_STREAM)
    for s in (f, c, a):
        s.close()


def test_makefile_read_write():
    c, a = tcp_pair()
    wf = c.makefile("w", encoding="ascii")
    rf = a.makefile("rb")
    wf.write("line one\nline two\n")
    wf.flush()
    assert rf.readline() == b"line one\n"
    assert rf.readline() == b"line two\n"
    wf.close()
    c.close()                       # the file held it open till now
    assert rf.read() == b""
    rf.close()
    a.close()


def test_sendfile():
    c, a = tcp_pair()
    with tempfile.TemporaryFile() as f:
        f.write(bytes(range(256)) * 400)
        f.seek(0)
        assert c.sendfile(f, 100, 50000) == 50000
        assert f.tell() == 50100
    c.shutdown(sockbroker.SHUT_WR)
    got = b""
    while chunk := a.recv(65536):
        got += chunk
    assert got == (bytes(range(256)) * 400)[100:50100]
    c.close()
    a.close()


def test_shutdown_read_and_write():
    c, a = tcp_pair()
    c.shutdown(sockbroker.SHUT_WR)
    assert a.recv(10) == b""
    a.sendall(b"still")
    assert c.recv(5) == b"still"
    c.close()
    a.close()


def test_option_forms():
    with sockbroker.socket() as s:
        s.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_KEEPALIVE, 1)
        assert s.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_KEEPALIVE)
        s.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_LINGER,
                     b"\1\0\0\0\5\0\0\0")
        assert s.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_LINGER,
                            8) == b"\1\0\0\0\5\0\0\0"
        with pytest.raises(OSError):
            s.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_LINGER, 5000)
        # None with an optlen: only for options that take the length
        # itself (ALG_SET_AEAD_AUTHSIZE); anything else is EFAULT.
        with pytest.raises(OSError):
            s.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_KEEPALIVE,
                         None, 4)


def test_inheritable():
    with sockbroker.socket() as s:
        assert s.get_inheritable() is False
        s.set_inheritable(True)
        assert s.get_inheritable() is True


def test_threads_share_the_connection():
    c, a = tcp_pair()
    out = []

    def reader():
        out.append(a.recv(5))

    t = threading.Thread(target=reader)
    t.start()
    # The reader blocks in recv without the GIL: this thread goes on.
    with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) as u:
        u.bind(("127.0.0.1", 0))
    c.sendall(b"hello")
    t.join(PATIENCE)
    assert out == [b"hello"]
    c.close()
    a.close()


def test_fork_child_has_its_own_connection():
    c, a = tcp_pair()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            try:
                c.send(b"x")
                os.write(w, b"parent's socket worked in the child\n")
            except OSError as e:
                if e.errno != 9:
                    raise
            with sockbroker.socket(sockbroker.AF_INET,
                                   sockbroker.SOCK_DGRAM) as u:
                u.bind(("127.0.0.1", 0))
            os.write(w, b"ok\n")
            status = 0
        finally:
            os._exit(status)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    msg = os.read(r, 1000)
    os.close(r)
    assert status == 0 and msg == b"ok\n", msg
    # The parent's sockets and connection are untouched.
    c.sendall(b"after")
    assert a.recv(5) == b"after"
    c.close()
    a.close()


def test_two_threads_receive_on_one_socket():
    # A channel takes one reader at a time: the binding serialises them.
    r = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    r.settimeout(PATIENCE)
    w = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    w.connect(r.getsockname())
    got = []
    lock = threading.Lock()

    def reader():
        for _ in range(200):
            d = r.recv(100)
            with lock:
                got.append(d)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    for i in range(400):
        w.send(b"datagram %d" % i)
        if i % 8 == 7:
            time.sleep(0.001)       # max_dgram_qlen is small here
    for t in threads:
        t.join(PATIENCE * 2)
    assert sorted(got) == sorted(b"datagram %d" % i for i in range(400))
    r.close()
    w.close()


def test_two_threads_receive_on_one_stream():
    # A stream channel frames its chunks: two readers at once must not
    # split a frame's header between them.
    c, a = tcp_pair()
    a.settimeout(PATIENCE)
    total = 4 << 20
    data = bytes(range(251)) * (total // 251 + 1)
    data = data[:total]
    counts = []
    errors = []
    lock = threading.Lock()
    done = threading.Event()

    def reader():
        try:
            while not done.is_set():
                try:
                    d = a.recv(777)
                except TimeoutError:
                    break
                if not d:
                    break
                with lock:
                    counts.append(len(d))
                    if sum(counts) >= total:
                        done.set()
        except OSError as e:
            errors.append(e)
            done.set()

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    c.sendall(data)
    c.shutdown(sockbroker.SHUT_WR)
    for t in threads:
        t.join(PATIENCE * 3)
    assert errors == []
    assert sum(counts) == total
    c.close()
    a.close()


def daemon_pid():
    """The pid of the daemon at $SOCKBROKER_SOCKET (SO_PEERCRED)."""
    with std_socket.socket(std_socket.AF_UNIX) as s:
        s.connect(os.environ["SOCKBROKER_SOCKET"])
        cred = s.getsockopt(std_socket.SOL_SOCKET, std_socket.SO_PEERCRED,
                            struct.calcsize("3i"))
    return struct.unpack("3i", cred)[0]


def filenos_with_daemon_stopped(socks):
    """The fileno() of each of socks, asked in a thread while the daemon
    is stopped, and whether they all came within a second (no request)."""
    pid = daemon_pid()
    out = []
    t = threading.Thread(target=lambda: out.extend(s.fileno()
                                                   for s in socks))
    os.kill(pid, signal.SIGSTOP)
    try:
        t.start()
        t.join(1.0)
        quick = not t.is_alive()
    finally:
        os.kill(pid, signal.SIGCONT)
    t.join(PATIENCE)
    return out, quick


def test_fileno_of_new_sockets_asks_nothing():
    # Their channels came with socket() and accept() (sb_setchannels).
    c, a = tcp_pair()
    u = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    fds, quick = filenos_with_daemon_stopped([c, a, u])
    assert quick, "fileno() asked the daemon"
    assert len(set(fds)) == 3 and min(fds) >= 0
    for s in (c, a, u):
        s.close()


def test_fileno_of_a_packet_socket_asks_for_its_channel():
    # Its channel would bind it to every interface: made at fileno() only.
    need_family(sockbroker.AF_PACKET)
    p = sockbroker.socket(sockbroker.AF_PACKET, sockbroker.SOCK_RAW, 0)
    assert p._peekfileno() == -1
    assert "fd=-1," in repr(p)
    fds, quick = filenos_with_daemon_stopped([p])
    assert not quick, "no channel came, yet fileno() did not ask"
    assert fds[0] >= 0 and p.fileno() == fds[0]
    p.close()


def test_fileno_of_a_type_without_channel_is_eopnotsupp():
    # SOCK_PACKET (Linux's old packet type) can have no data channel; the
    # socket works through requests all the same.
    need_family(sockbroker.AF_PACKET)
    sock_packet = 10
    with sockbroker.socket(sockbroker.AF_PACKET, sock_packet, 0) as p:
        with pytest.raises(OSError) as e:
            p.fileno()
        assert e.value.errno == errno.EOPNOTSUPP
        assert "no data channel" in str(e.value)
        assert p.getsockname()[0] == ""
        assert "fd=-1," in repr(p)
    assert p.fileno() == -1
