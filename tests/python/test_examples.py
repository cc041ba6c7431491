# SPDX-License-Identifier: ISC
"""The socket module documentation's examples, through
``import sockbroker as socket`` and no other change but the host (loopback,
never the network): the echo server and client, their IPv4/IPv6
getaddrinfo versions, SO_REUSEADDR, create_server with dual-stack and the
recvmsg_into example."""

import os
import socket as stdsocket

import pytest

import sockbroker
from conftest import PATIENCE, run_script, spawn_script

ECHO_SERVER = """\
# Echo server program
import sockbroker as socket

HOST = 'localhost'        # loopback here; the documentation has ''
PORT = 50007              # Arbitrary non-privileged port
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.bind((HOST, PORT))
    s.listen(1)
    print('listening', flush=True)
    conn, addr = s.accept()
    with conn:
        print('Connected by', addr)
        while True:
            data = conn.recv(1024)
            if not data: break
            conn.sendall(data)
"""

ECHO_CLIENT = """\
# Echo client program
import sockbroker as socket

HOST = 'localhost'        # The remote host
PORT = 50007              # The same port as used by the server
with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect((HOST, PORT))
    s.sendall(b'Hello, world')
    data = s.recv(1024)
print('Received', repr(data))
"""

ECHO_SERVER_46 = """\
# Echo server program
import sockbroker as socket
import sys

HOST = 'localhost'        # loopback here; the documentation has None
PORT = 50007              # Arbitrary non-privileged port
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC,
                              socket.SOCK_STREAM, 0, socket.AI_PASSIVE):
    af, socktype, proto, canonname, sa = res
    try:
        s = socket.socket(af, socktype, proto)
    except OSError as msg:
        s = None
        continue
    try:
        s.bind(sa)
        s.listen(1)
    except OSError as msg:
        s.close()
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
print('listening', flush=True)
conn, addr = s.accept()
with conn:
    print('Connected by', addr)
    while True:
        data = conn.recv(1024)
        if not data: break
        conn.send(data)
"""

ECHO_CLIENT_46 = """\
# Echo client program
import sockbroker as socket
import sys

HOST = 'localhost'        # The remote host
PORT = 50007              # The same port as used by the server
s = None
for res in socket.getaddrinfo(HOST, PORT, socket.AF_UNSPEC, socket.SOCK_STREAM):
    af, socktype, proto, canonname, sa = res
    try:
        s = socket.socket(af, socktype, proto)
    except OSError as msg:
        s = None
        continue
    try:
        s.connect(sa)
    except OSError as msg:
        s.close()
        s = None
        continue
    break
if s is None:
    print('could not open socket')
    sys.exit(1)
with s:
    s.sendall(b'Hello, world')
    data = s.recv(1024)
print('Received', repr(data))
"""


def run_pair(server, client):
    """Runs the server example, then the client against it; returns
    what each printed."""
    srv = spawn_script(server)
    try:
        assert srv.stdout.readline() == "listening\n", srv.stderr.read()
        cli = run_script(client)
        out, err = srv.communicate(timeout=PATIENCE)
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
    assert cli.returncode == 0, cli.stderr
    assert srv.returncode == 0, err
    return out, cli.stdout


def test_echo_server_and_client():
    out, cli = run_pair(ECHO_SERVER, ECHO_CLIENT)
    assert out.startswith("Connected by ('127.0.0.1', ")
    assert cli == "Received b'Hello, world'\n"


def test_echo_server_and_client_ipv4_ipv6():
    out, cli = run_pair(ECHO_SERVER_46, ECHO_CLIENT_46)
    assert out.startswith("Connected by (")
    assert cli == "Received b'Hello, world'\n"


def test_so_reuseaddr_rebinds_at_once():
    # The documentation: a server restarted while its old connections are
    # in TIME_WAIT binds again with SO_REUSEADDR.
    srv = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_STREAM)
    srv.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_REUSEADDR, 1)
    assert srv.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_REUSEADDR)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    port = srv.getsockname()[1]
    c = sockbroker.create_connection(("127.0.0.1", port))
    a, _ = srv.accept()
    a.close()            # the server closes first: TIME_WAIT on its side
    c.close()
    srv.close()
    s = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_STREAM)
    s.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.close()


def test_create_server_dualstack():
    if not sockbroker.has_dualstack_ipv6():
        pytest.skip("no dual-stack IPv6 on this host")
    # Dual-stack needs the wildcard: Linux makes a socket bound to ::1
    # IPv6-only. Only loopback connects to it, for a moment.
    with sockbroker.create_server(("::", 0), family=sockbroker.AF_INET6,
                                  dualstack_ipv6=True) as srv:
        assert srv.family == sockbroker.AF_INET6
        assert srv.getsockopt(sockbroker.IPPROTO_IPV6,
                              sockbroker.IPV6_V6ONLY) == 0
        port = srv.getsockname()[1]
        for host, peer_host in (("::1", "::1"),
                                ("127.0.0.1", "::ffff:127.0.0.1")):
            with sockbroker.create_connection((host, port)) as c:
                a, peer = srv.accept()
                with a:
                    c.sendall(b"both")
                    assert a.recv(4) == b"both"
                    assert peer[0] == peer_host


def test_create_server_v4_and_v6():
    with sockbroker.create_server(("127.0.0.1", 0)) as srv:
        assert srv.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_REUSEADDR)
        port = srv.getsockname()[1]
        with sockbroker.create_connection(("localhost", port),
                                          timeout=PATIENCE) as c:
            a, _ = srv.accept()
            with a:
                c.sendall(b"four")
                assert a.recv(4) == b"four"
    with sockbroker.create_server(("::1", 0), family=sockbroker.AF_INET6) as s:
        assert s.getsockopt(sockbroker.IPPROTO_IPV6,
                            sockbroker.IPV6_V6ONLY) == 1


def test_recvmsg_into_example():
    # The documentation's recvmsg_into() example, word for word.
    socket = sockbroker
    s1, s2 = socket.socketpair()
    assert isinstance(s1, sockbroker.socket)
    b1 = bytearray(b'----')
    b2 = bytearray(b'0123456789')
    b3 = bytearray(b'--------------')
    assert s1.send(b'Mary had a little lamb') == 22
    assert s2.recvmsg_into([b1, memoryview(b2)[2:9], b3]) == \
        (22, [], 0, None)
    assert [b1, b2, b3] == [bytearray(b'Mary'), bytearray(b'01 had a 9'),
                            bytearray(b'little lamb---')]
    s1.close()
    s2.close()


def test_recvmsg_ancillary_data_udp():
    # Ancillary data both ways: IP_TOS and IP_RECVTOS on UDP.
    r = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    w = sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM)
    with r, w:
        r.bind(("127.0.0.1", 0))
        r.setsockopt(sockbroker.IPPROTO_IP, sockbroker.IP_RECVTOS, 1)
        r.settimeout(PATIENCE)
        w.sendmsg([b"one ", b"two"], [], 0, r.getsockname())
        data, anc, flags, addr = r.recvmsg(100, sockbroker.CMSG_SPACE(1))
        assert data == b"one two"
        assert addr == ("127.0.0.1", w.getsockname()[1])
        assert (sockbroker.IPPROTO_IP, sockbroker.IP_TOS) in \
            [(lvl, typ) for lvl, typ, _ in anc]


def test_stdlib_names_are_reexported():
    for name in dir(stdsocket):
        if name.isupper() and not name.startswith("_"):
            assert getattr(sockbroker, name) == getattr(stdsocket, name), name
    for name in ("inet_aton", "inet_pton", "inet_ntop", "htons", "ntohl",
                 "CMSG_LEN", "CMSG_SPACE", "AddressFamily", "SocketKind"):
        assert getattr(sockbroker, name) is getattr(stdsocket, name)
    assert sockbroker.timeout is TimeoutError
    assert sockbroker.error is OSError
    assert sockbroker.gaierror is stdsocket.gaierror
    assert sockbroker.herror is stdsocket.herror
    assert sockbroker.AF_CAN == stdsocket.AF_CAN
    assert sockbroker.CAN_RAW == stdsocket.CAN_RAW
    for name in stdsocket.__all__:
        assert hasattr(sockbroker, name), name
        assert name in sockbroker.__all__, name
