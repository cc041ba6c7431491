# SPDX-License-Identifier: ISC
"""The documentation's ISO-TP and J1939 address forms, bound for real on
vcan0 through sockbroker, each against a direct (stdlib, root) socket of
the same protocol: ISO-TP's (interface, rx_addr, tx_addr) carrying a
message of many frames both ways, J1939's (interface, name, pgn, addr)
in sendto and recvfrom, of single frames and of the transport protocol."""

import socket as stdsocket

import pytest

import sockbroker as socket

from conftest import CHANNEL, PATIENCE, QUIET

# 300 bytes: ISO-TP's first frame, flow control and consecutive frames.
MESSAGE = bytes(range(256)) + b"iso-tp" * 7 + b"xx"
PGN = 0x0EF00		# proprietary A: destination-specific (PDU1)


def pair(mod, proto, addr):
    s = mod.socket(mod.AF_CAN, mod.SOCK_DGRAM, proto)
    s.settimeout(PATIENCE)
    s.bind(addr)
    return s


def test_isotp_bound_pair_carries_a_long_message_both_ways():
    ours = pair(socket, socket.CAN_ISOTP, (CHANNEL, 0x7E8, 0x7E0))
    theirs = pair(stdsocket, stdsocket.CAN_ISOTP, (CHANNEL, 0x7E0, 0x7E8))
    with ours, theirs:
        assert ours.send(MESSAGE) == len(MESSAGE)
        assert theirs.recv(4096) == MESSAGE
        theirs.send(MESSAGE[::-1])
        assert ours.recv(4096) == MESSAGE[::-1]


def test_isotp_ids_of_another_pair_are_not_received():
    ours = pair(socket, socket.CAN_ISOTP, (CHANNEL, 0x7E9, 0x7E1))
    theirs = pair(stdsocket, stdsocket.CAN_ISOTP, (CHANNEL, 0x7E0, 0x7E8))
    with ours, theirs:
        # Nobody listens on 0x7E8 for a single frame: it goes, unanswered.
        theirs.send(b"short")
        ours.settimeout(QUIET)
        with pytest.raises(TimeoutError):
            ours.recv(4096)


def test_isotp_bad_address_form_is_refused_before_the_daemon():
    with socket.socket(socket.AF_CAN, socket.SOCK_DGRAM,
                       socket.CAN_ISOTP) as s:
        with pytest.raises((TypeError, OSError)):
            s.bind((CHANNEL, 0x7E8))


def test_j1939_sendto_and_recvfrom_with_addresses():
    ours = pair(socket, socket.CAN_J1939,
                (CHANNEL, socket.J1939_NO_NAME, socket.J1939_NO_PGN, 0x30))
    theirs = pair(stdsocket, stdsocket.CAN_J1939,
                  (CHANNEL, stdsocket.J1939_NO_NAME, stdsocket.J1939_NO_PGN,
                   0x20))
    with ours, theirs:
        ours.sendto(b"to 0x20", (CHANNEL, socket.J1939_NO_NAME, PGN, 0x20))
        data, addr = theirs.recvfrom(64)
        assert data == b"to 0x20"
        assert addr == (CHANNEL, 0, PGN, 0x30)
        theirs.sendto(b"to 0x30", (CHANNEL, stdsocket.J1939_NO_NAME, PGN,
                                   0x30))
        data, addr = ours.recvfrom(64)
        assert data == b"to 0x30"
        assert addr == (CHANNEL, 0, PGN, 0x20)


def test_j1939_transport_protocol_both_ways_as_the_stdlib():
    """32 bytes: J1939's transport protocol, reassembled by the kernel
    (whose reassembled message has no interface index: the address the
    stdlib reports is the one sockbroker must)."""
    ours = pair(socket, socket.CAN_J1939,
                (CHANNEL, socket.J1939_NO_NAME, socket.J1939_NO_PGN, 0x32))
    theirs = pair(stdsocket, stdsocket.CAN_J1939,
                  (CHANNEL, stdsocket.J1939_NO_NAME, stdsocket.J1939_NO_PGN,
                   0x22))
    long = b"j1939 tp" * 4
    with ours, theirs:
        ours.sendto(long, (CHANNEL, socket.J1939_NO_NAME, PGN, 0x22))
        data, seen_there = theirs.recvfrom(64)
        assert data == long
        theirs.sendto(long[::-1], (CHANNEL, 0, PGN, 0x32))
        data, seen_here = ours.recvfrom(64)
        assert data == long[::-1]
    assert seen_there[1:] == (0, PGN, 0x32)
    assert seen_here[1:] == (0, PGN, 0x22)
    assert seen_here[0] == seen_there[0]


def test_j1939_getsockname_is_the_bound_form():
    ours = pair(socket, socket.CAN_J1939,
                (CHANNEL, socket.J1939_NO_NAME, socket.J1939_NO_PGN, 0x31))
    with ours:
        theirs = pair(stdsocket, stdsocket.CAN_J1939,
                      (CHANNEL, stdsocket.J1939_NO_NAME,
                       stdsocket.J1939_NO_PGN, 0x31))
        with theirs:
            assert ours.getsockname() == theirs.getsockname()
