# SPDX-License-Identifier: ISC
"""Every family's address forms, converted both ways without a socket
(sockbroker._sockbroker._address): the sockaddr bytes the binding hands
libsockbroker, laid out here with struct as the kernel's headers have
them, and the Python form it gives back. This covers the families the
host kernel may lack (AF_CAN, AF_TIPC, AF_ALG, AF_BLUETOOTH, AF_QIPCRTR),
whose sockets the VM tests open."""

import socket as stdsocket
import struct

import pytest

import sockbroker

A = sockbroker._sockbroker._address
LO = stdsocket.if_nametoindex("lo")


def test_can_forms():
    raw, back = A(sockbroker.AF_CAN, sockbroker.CAN_RAW, ("lo",))
    assert raw[:8] == struct.pack("=Hxxi", sockbroker.AF_CAN, LO)
    assert back == ("lo",)
    raw, back = A(sockbroker.AF_CAN, sockbroker.CAN_ISOTP,
                  ("lo", 0x123, 0x80000456))
    assert raw[:16] == struct.pack("=HxxiII", sockbroker.AF_CAN, LO, 0x123,
                                   0x80000456)
    assert back == ("lo", 0x123, 0x80000456)
    name = 0x1122334455667788
    raw, back = A(sockbroker.AF_CAN, sockbroker.CAN_J1939,
                  ("lo", name, 0x12300, 0x42))
    assert raw[:21] == struct.pack("=HxxiQIB", sockbroker.AF_CAN, LO, name,
                                   0x12300, 0x42)
    assert back == ("lo", name, 0x12300, 0x42)
    raw, back = A(sockbroker.AF_CAN, sockbroker.CAN_RAW, ("",))
    assert back == ("",)
    with pytest.raises(OSError):
        A(sockbroker.AF_CAN, sockbroker.CAN_RAW, ("no-such-if0",))
    with pytest.raises(TypeError):
        A(sockbroker.AF_CAN, sockbroker.CAN_RAW, "lo")


def test_tipc_forms():
    for atype, v in ((sockbroker.TIPC_ADDR_NAMESEQ, (18888, 17, 18)),
                     (sockbroker.TIPC_ADDR_NAME, (18888, 17, 0)),
                     (sockbroker.TIPC_ADDR_ID, (0x1001002, 5, 0))):
        addr = (atype,) + v + (sockbroker.TIPC_CLUSTER_SCOPE,)
        raw, back = A(sockbroker.AF_TIPC, 0, addr)
        assert raw[:4] == struct.pack("=HBb", sockbroker.AF_TIPC, atype,
                                      sockbroker.TIPC_CLUSTER_SCOPE)
        if atype == sockbroker.TIPC_ADDR_ID:
            # struct tipc_portid is ref, then node: (TIPC_ADDR_ID, node,
            # ref, 0) in Python.
            assert raw[4:12] == struct.pack("=II", v[1], v[0])
        else:
            assert raw[4:16] == struct.pack("=3I", *v)
        assert back == addr


def test_alg_form():
    raw, _ = A(sockbroker.AF_ALG, 0, ("aead", "gcm(aes)"))
    assert raw[:2] == struct.pack("=H", sockbroker.AF_ALG)
    assert raw[2:16].rstrip(b"\0") == b"aead"
    assert raw[24:88].rstrip(b"\0") == b"gcm(aes)"
    raw, _ = A(sockbroker.AF_ALG, 0, ("hash", "sha256", 1, 2))
    assert struct.unpack("=II", raw[16:24]) == (1, 2)
    with pytest.raises(ValueError):
        A(sockbroker.AF_ALG, 0, ("x" * 14, "y"))


def test_bluetooth_forms():
    bd = "01:23:45:67:89:AB"
    rev = bytes.fromhex("AB8967452301")
    raw, back = A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_RFCOMM,
                  (bd, 3))
    assert raw == struct.pack("=H6sBx", sockbroker.AF_BLUETOOTH, rev, 3)
    assert back == (bd, 3)
    raw, back = A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_L2CAP,
                  (bd, 0x1001))
    assert raw[:10] == struct.pack("<HH6s", sockbroker.AF_BLUETOOTH, 0x1001,
                                   rev)
    assert back == (bd, 0x1001)
    raw, back = A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_HCI, (1,))
    assert raw == struct.pack("=HHH", sockbroker.AF_BLUETOOTH, 1, 0)
    assert back == 1
    raw, back = A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_SCO,
                  bd.encode())
    assert raw == struct.pack("=H6s", sockbroker.AF_BLUETOOTH, rev)
    assert back == bd
    with pytest.raises(OSError):
        A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_RFCOMM, ("01:23", 1))
    # The library's table (proto/address.c) makes them: lower case is
    # read, a number over its field is refused (the stdlib truncates it).
    assert A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_RFCOMM,
             (bd.lower(), 3))[1] == (bd, 3)
    with pytest.raises(OSError) as e:
        A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_RFCOMM, (bd, 300))
    assert "channel" in str(e.value)
    with pytest.raises(OSError):
        A(sockbroker.AF_BLUETOOTH, sockbroker.BTPROTO_L2CAP, (bd, 1 << 16))


def test_netlink_vsock_qipcrtr_forms():
    raw, back = A(sockbroker.AF_NETLINK, 0, (1234, 5))
    assert raw == struct.pack("=HxxII", sockbroker.AF_NETLINK, 1234, 5)
    assert back == (1234, 5)
    raw, back = A(sockbroker.AF_VSOCK, 0, (2, 1234))
    assert raw[:12] == struct.pack("=HxxII", sockbroker.AF_VSOCK, 1234, 2)
    assert back == (2, 1234)
    raw, back = A(sockbroker.AF_QIPCRTR, 0, (1, 2))
    assert raw == struct.pack("=HxxII", sockbroker.AF_QIPCRTR, 1, 2)
    assert back == (1, 2)


def test_packet_form():
    raw, back = A(sockbroker.AF_PACKET, 0,
                  ("lo", 0x800, 0, 1, b"\1\2\3\4\5\6"))
    assert raw == struct.pack("=HHiHBB8s", sockbroker.AF_PACKET,
                              stdsocket.htons(0x800), LO, 1, 0, 6,
                              b"\1\2\3\4\5\6")
    assert back == ("lo", 0x800, 0, 1, b"\1\2\3\4\5\6")
    with pytest.raises(ValueError):
        A(sockbroker.AF_PACKET, 0, ("lo", 0, 0, 0, b"x" * 9))


def test_inet_forms():
    raw, back = A(sockbroker.AF_INET, 0, ("127.0.0.1", 80))
    assert raw[:8] == struct.pack("=H", sockbroker.AF_INET) + \
        struct.pack("!H4s", 80, bytes([127, 0, 0, 1]))
    assert back == ("127.0.0.1", 80)
    raw, back = A(sockbroker.AF_INET6, 0, ("::1", 80, 0x12345, 7))
    assert back == ("::1", 80, 0x12345, 7)
    assert struct.unpack("!I", raw[4:8]) == (0x12345,)
    raw, back = A(sockbroker.AF_UNIX, 0, "\0abstract")
    assert back == b"\0abstract" and len(raw) == 2 + 9
    raw, back = A(sockbroker.AF_UNIX, 0, "/tmp/x")
    assert back == "/tmp/x" and len(raw) == 2 + 7
