# SPDX-License-Identifier: ISC
"""Timeouts as Python means them: None blocks, 0 never blocks
(BlockingIOError), 0.2 waits that long (TimeoutError); the default timeout
of new and accepted sockets; connect and accept with each."""

import errno
import threading
import time

import pytest

import sockbroker
from conftest import PATIENCE


def udp_pair():
    r = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    w = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    w.connect(r.getsockname())
    return r, w


def test_timeout_none_blocks_until_data():
    r, w = udp_pair()
    assert r.gettimeout() is None and r.getblocking()
    t = threading.Timer(0.3, w.send, (b"late",))
    start = time.monotonic()
    t.start()
    assert r.recv(10) == b"late"
    assert time.monotonic() - start >= 0.25
    t.join()
    r.close()
    w.close()


def test_timeout_zero_never_blocks():
    r, w = udp_pair()
    r.settimeout(0)
    assert r.gettimeout() == 0.0 and not r.getblocking()
    start = time.monotonic()
    for call in (lambda: r.recv(10), lambda: r.recvfrom(10),
                 lambda: r.recv_into(bytearray(10)),
                 lambda: r.recvmsg(10)):
        with pytest.raises(BlockingIOError):
            call()
    assert time.monotonic() - start < 1.0
    w.send(b"now")
    deadline = time.monotonic() + PATIENCE
    while True:
        try:
            assert r.recv(10) == b"now"
            break
        except BlockingIOError:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    r.close()
    w.close()


def test_timeout_0_2_waits_then_timeout_error():
    r, w = udp_pair()
    r.settimeout(0.2)
    assert r.timeout == 0.2 and r.getblocking()
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="timed out"):
        r.recv(10)
    took = time.monotonic() - start
    assert 0.15 <= took < 0.2 + PATIENCE
    w.send(b"in time")
    assert r.recv(10) == b"in time"
    r.close()
    w.close()


def test_accept_and_connect_with_each_timeout():
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.settimeout(0)
    with pytest.raises(BlockingIOError):
        srv.accept()
    srv.settimeout(0.2)
    with pytest.raises(TimeoutError):
        srv.accept()
    c = sockbroker.socket()
    c.settimeout(0)
    try:
        c.connect(srv.getsockname())
    except BlockingIOError as e:
        assert e.errno == errno.EINPROGRESS
    srv.settimeout(None)
    a, _ = srv.accept()
    # An accepted socket: blocking when the default is None, as stdlib.
    assert a.gettimeout() is None
    for s in (a, c, srv):
        s.close()


def test_setdefaulttimeout_applies_to_new_sockets():
    assert sockbroker.getdefaulttimeout() is None
    sockbroker.setdefaulttimeout(0.2)
    try:
        assert sockbroker.getdefaulttimeout() == 0.2
        s = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
        assert s.gettimeout() == 0.2
        s.bind(("127.0.0.1", 0))
        with pytest.raises(TimeoutError):
            s.recv(1)
        s.close()
    finally:
        sockbroker.setdefaulttimeout(None)
    with pytest.raises(ValueError):
        sockbroker.setdefaulttimeout(-1)
    with sockbroker.socket() as s, pytest.raises(TypeError):
        s.settimeout("x")


def test_sock_nonblock_type_flag_is_timeout_zero():
    s = sockbroker.socket(sockbroker.AF_INET,
                          sockbroker.SOCK_DGRAM | sockbroker.SOCK_NONBLOCK)
    assert s.type == sockbroker.SOCK_DGRAM
    assert s.gettimeout() == 0.0
    s.close()
