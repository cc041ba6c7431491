# SPDX-License-Identifier: ISC
"""Every exception the stdlib's socket module raises, from the same
conditions: OSError subclasses by errno, PermissionError for a policy
refusal (with the daemon's reason), TimeoutError, gaierror, herror."""

import errno
import socket as stdsocket

import pytest

import sockbroker
from conftest import run_script


def test_connection_refused():
    with pytest.raises(ConnectionRefusedError) as e:
        sockbroker.create_connection(("127.0.0.1", 1))
    assert e.value.errno == errno.ECONNREFUSED
    with sockbroker.socket() as s:
        assert s.connect_ex(("127.0.0.1", 1)) == errno.ECONNREFUSED


def test_address_in_use():
    with sockbroker.socket() as a, sockbroker.socket() as b:
        a.bind(("127.0.0.1", 0))
        a.listen()
        with pytest.raises(OSError) as e:
            b.bind(a.getsockname())
        assert e.value.errno == errno.EADDRINUSE


def test_blocking_io_error_with_timeout_zero():
    with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.setblocking(False)
        with pytest.raises(BlockingIOError) as e:
            s.recv(10)
        assert e.value.errno == errno.EAGAIN


def test_timeout_error():
    with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        s.settimeout(0.05)
        with pytest.raises(sockbroker.timeout) as e:
            s.recv(10)
        assert isinstance(e.value, TimeoutError)
        assert str(e.value) == "timed out"


def test_closed_socket_is_ebadf():
    s = sockbroker.socket()
    s.close()
    s.close()                          # twice is no error
    assert s.fileno() == -1
    with pytest.raises(OSError) as e:
        s.bind(("127.0.0.1", 0))
    assert e.value.errno == errno.EBADF
    assert "[closed]" in repr(s)


def test_not_connected():
    with sockbroker.socket() as s:
        with pytest.raises(OSError) as e:
            s.getpeername()
        assert e.value.errno == errno.ENOTCONN


def test_recv_unconnected_stream_is_enotconn():
    with sockbroker.socket() as s:
        s.settimeout(0.5)
        with pytest.raises(OSError) as e:
            s.recv(1)
        assert e.value.errno == errno.ENOTCONN


def test_send_unconnected_stream_is_epipe():
    with sockbroker.socket() as s:
        with pytest.raises(OSError) as e:
            s.send(b"x")
        assert e.value.errno == errno.EPIPE


def test_gaierror_like_stdlib():
    for args in (("not a number", 80, 0, 0, 0, sockbroker.AI_NUMERICHOST),
                 ("localhost", "no-such-service"),
                 ("nonexistent.invalid", 80)):
        with pytest.raises(stdsocket.gaierror) as want:
            stdsocket.getaddrinfo(*args)
        with pytest.raises(sockbroker.gaierror) as got:
            sockbroker.getaddrinfo(*args)
        assert got.value.args == want.value.args
        assert got.value.errno == want.value.errno


def test_herror_like_stdlib():
    for addr in ("192.0.2.1",):
        try:
            stdsocket.gethostbyaddr(addr)
            pytest.skip("%s resolves on this host" % addr)
        except stdsocket.herror as want:
            with pytest.raises(sockbroker.herror) as got:
                sockbroker.gethostbyaddr(addr)
            assert got.value.args[0] == want.args[0]


def test_bad_addresses_are_type_and_overflow_errors():
    with sockbroker.socket() as s:
        with pytest.raises(TypeError):
            s.bind("127.0.0.1")
        with pytest.raises(TypeError):
            s.bind(("127.0.0.1",))
        with pytest.raises(OverflowError):
            s.bind(("127.0.0.1", 70000))
        with pytest.raises(sockbroker.gaierror):
            s.bind(("nonexistent.invalid", 0))
    with sockbroker.socket(sockbroker.AF_INET6) as s:
        with pytest.raises(OverflowError):
            s.bind(("::1", 0, 1 << 20, 0))


def test_policy_refusal_is_permission_error(policy_daemon):
    path = policy_daemon("permit * family unix path @*\n")
    r = run_script("""
import sockbroker
try:
    sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
except PermissionError as e:
    print("PermissionError", e.errno, e.strerror)
""", env={"SOCKBROKER_SOCKET": path})
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("PermissionError %d Permission denied" %
                               errno.EACCES), r.stdout
    # The daemon's reason follows the errno's text.
    assert len(r.stdout.split(": ", 1)) == 2, r.stdout


def test_no_daemon_is_an_oserror(tmp_path):
    r = run_script("""
import sockbroker
try:
    sockbroker.socket()
except OSError as e:
    print(type(e).__name__, e.errno)
""", env={"SOCKBROKER_SOCKET": str(tmp_path / "none.sock")})
    assert r.returncode == 0, r.stderr
    assert r.stdout == "FileNotFoundError %d\n" % errno.ENOENT
