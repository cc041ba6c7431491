# SPDX-License-Identifier: ISC
"""Addresses in the documentation's forms for every family the host
kernel has: AF_INET, AF_INET6, AF_UNIX (paths, abstract names, unnamed),
AF_PACKET, AF_NETLINK, AF_VSOCK (and AF_CAN, AF_TIPC, AF_ALG where the
kernel has them), each compared with what the stdlib gives for the same
socket made locally."""

import os
import pathlib
import shutil
import socket as stdsocket
import struct
import tempfile

import pytest

import sockbroker
from conftest import PATIENCE, need_family


def test_inet():
    with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) as s:
        s.bind(("localhost", 0))
        host, port = s.getsockname()
        assert host == "127.0.0.1" and 0 < port < 65536
        with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) \
                as w:
            w.sendto(b"x", ("127.0.0.1", port))
            s.settimeout(PATIENCE)
            data, addr = s.recvfrom(10)
            assert data == b"x" and addr == ("127.0.0.1",
                                             w.getsockname()[1])
            buf = bytearray(4)
            w.sendto(b"yz", 0, (b"127.0.0.1", port))
            assert s.recvfrom_into(buf) == (2, addr)
    with sockbroker.socket() as s:
        s.bind(("", 0))
        assert s.getsockname()[0] == "0.0.0.0"
    with sockbroker.socket(sockbroker.AF_INET, sockbroker.SOCK_DGRAM) as s:
        s.setsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_BROADCAST, 1)
        s.connect(("<broadcast>", 9))
        assert s.getpeername() == ("255.255.255.255", 9)


def test_inet6():
    with sockbroker.socket(sockbroker.AF_INET6, sockbroker.SOCK_DGRAM) as s:
        s.bind(("::1", 0))
        host, port, flowinfo, scope_id = s.getsockname()
        assert (host, flowinfo, scope_id) == ("::1", 0, 0)
        with sockbroker.socket(sockbroker.AF_INET6,
                               sockbroker.SOCK_DGRAM) as w:
            w.sendto(b"six", ("::1", port, 0, 0))
            s.settimeout(PATIENCE)
            data, addr = s.recvfrom(10)
            assert data == b"six" and addr == ("::1",) + \
                w.getsockname()[1:]
            assert len(addr) == 4
    # A link-local address with its scope: the interface's index.
    lo = sockbroker.if_nametoindex("lo")
    with sockbroker.socket(sockbroker.AF_INET6, sockbroker.SOCK_DGRAM) as s:
        s.connect(("::1", 9, 0, lo))
        assert s.getpeername()[:2] == ("::1", 9)


@pytest.fixture
def short_tmp():
    """A directory at most three levels deep (the test policy grants
    AF_UNIX paths of at most four components)."""
    d = tempfile.mkdtemp(prefix="sbpy")
    yield pathlib.Path(d)
    shutil.rmtree(d)


def test_unix_path_abstract_unnamed(short_tmp):
    tmp_path = short_tmp
    path = str(tmp_path / "u.sock")
    with sockbroker.socket(sockbroker.AF_UNIX, sockbroker.SOCK_STREAM) as s:
        assert s.getsockname() == ""
        s.bind(path)
        assert s.getsockname() == path
        s.listen()
        with sockbroker.socket(sockbroker.AF_UNIX) as c:
            c.connect(path)
            assert c.getpeername() == path
            a, addr = s.accept()
            with a:
                assert addr == ""
                c.sendall(b"unix")
                assert a.recv(4) == b"unix"
    name = b"\0sbpy-%d" % os.getpid()
    with sockbroker.socket(sockbroker.AF_UNIX, sockbroker.SOCK_DGRAM) as s:
        s.bind(name)
        assert s.getsockname() == name
        with sockbroker.socket(sockbroker.AF_UNIX,
                               sockbroker.SOCK_DGRAM) as w:
            w.bind("")                  # autobind: an abstract name
            auto = w.getsockname()
            assert isinstance(auto, bytes) and auto[:1] == b"\0"
            w.sendto(b"abs", name.decode())
            s.settimeout(PATIENCE)
            assert s.recvfrom(10) == (b"abs", auto)
    with sockbroker.socket(sockbroker.AF_UNIX) as s:
        with pytest.raises(OSError, match="too long"):
            s.bind("/" + "x" * 200)
    # A path-like object, as the stdlib takes it.
    p2 = tmp_path / "p.sock"
    with sockbroker.socket(sockbroker.AF_UNIX) as s:
        s.bind(p2)
        assert s.getsockname() == str(p2)


def test_packet():
    need_family(sockbroker.AF_PACKET)
    proto = 0x88b5          # IEEE local experimental ethertype
    with sockbroker.socket(sockbroker.AF_PACKET, sockbroker.SOCK_RAW,
                           stdsocket.htons(proto)) as s:
        s.bind(("lo", proto))
        name = s.getsockname()
        assert name[0] == "lo" and name[1] == proto
        assert len(name) == 5 and isinstance(name[4], bytes)
        frame = b"\0" * 12 + struct.pack("!H", proto) + b"sockbroker"
        s.settimeout(PATIENCE)
        s.send(frame)
        while True:
            data, addr = s.recvfrom(100)
            if data == frame:
                break
        ifname, p, pkttype, hatype, ha = addr
        assert (ifname, p) == ("lo", proto)
        assert hatype == 772 and ha == b"\0" * 6      # ARPHRD_LOOPBACK
        assert pkttype in (stdsocket.PACKET_HOST, stdsocket.PACKET_OUTGOING)
        s.sendto(frame, ("lo", proto, 0, 0, b"\0" * 6))
    with pytest.raises(OSError):
        with sockbroker.socket(sockbroker.AF_PACKET, sockbroker.SOCK_RAW) \
                as s:
            s.bind(("no-such-if0", 0))


def test_netlink():
    need_family(sockbroker.AF_NETLINK)
    with sockbroker.socket(sockbroker.AF_NETLINK, sockbroker.SOCK_RAW,
                           stdsocket.NETLINK_ROUTE) as s:
        s.bind((0, 0))
        pid, groups = s.getsockname()
        assert pid != 0 and groups == 0
    with sockbroker.socket(sockbroker.AF_NETLINK, sockbroker.SOCK_RAW,
                           stdsocket.NETLINK_ROUTE) as s:
        mine = 0x5b000000 | os.getpid()          # a port id of our own
        s.bind((mine, 0))
        assert s.getsockname() == (mine, 0)
        # RTM_GETLINK dump: the reply comes from the kernel, pid 0.
        msg = struct.pack("=LHHLL", 32, 18, 0x301, 1, 0) + \
            struct.pack("=BxHiII", 0, 0, 0, 0, 0)
        s.sendto(msg, (0, 0))
        s.settimeout(PATIENCE)
        data, addr = s.recvfrom(65536)
        assert addr == (0, 0)
        assert struct.unpack("=LHHLL", data[:16])[1] in (16, 3)


def test_vsock():
    need_family(sockbroker.AF_VSOCK)
    try:
        s = sockbroker.socket(sockbroker.AF_VSOCK, sockbroker.SOCK_STREAM)
    except OSError as e:
        pytest.skip("no vsock transport: %s" % e)
    with s:
        try:
            s.bind((stdsocket.VMADDR_CID_ANY, stdsocket.VMADDR_PORT_ANY))
        except OSError as e:
            pytest.skip("vsock bind: %s" % e)
        cid, port = s.getsockname()
        assert isinstance(cid, int) and isinstance(port, int)
        assert port != stdsocket.VMADDR_PORT_ANY
        with pytest.raises(TypeError):
            s.connect(("1", 2))


def test_can():
    need_family(sockbroker.AF_CAN)
    names = [n for _, n in sockbroker.if_nameindex() if n.startswith("vcan")]
    if not names:
        pytest.skip("no vcan interface")
    with sockbroker.socket(sockbroker.AF_CAN, sockbroker.SOCK_RAW,
                           sockbroker.CAN_RAW) as s:
        s.bind((names[0],))
        assert s.getsockname() == (names[0],)


def test_alg():
    need_family(sockbroker.AF_ALG)
    with sockbroker.socket(sockbroker.AF_ALG, sockbroker.SOCK_SEQPACKET) as s:
        s.bind(("hash", "sha256"))
        op, _ = s.accept()
        with op:
            op.sendall(b"abc")
            digest = op.recv(32)
    import hashlib
    assert digest == hashlib.sha256(b"abc").digest()


def test_family_without_address_form():
    with sockbroker.socket() as s:
        with pytest.raises(TypeError, match="AF_INET address must be tuple"):
            s.connect(b"bytes")
