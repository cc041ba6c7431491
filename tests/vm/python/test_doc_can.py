# SPDX-License-Identifier: ISC
"""The socket module documentation's CAN examples through
``import sockbroker as socket`` and no other change, on the guest's vcan0,
with a direct (stdlib, root) socket as the other node: the CAN_RAW echo
example, and the broadcast manager as the documentation describes it
(connect, then send a TX_SETUP: a frame the kernel sends periodically)."""

import socket as stdsocket
import struct
import subprocess
import time

from conftest import (FRAME, PATIENCE, QUIET, receivers, recv_frame,
                      spawn_script, stop_script, wait_receivers)

# The documentation's CAN_RAW example, its import the only change.
CAN_RAW_EXAMPLE = """\
import sockbroker as socket
import struct


# CAN frame packing/unpacking (see 'struct can_frame' in <linux/can.h>)

can_frame_fmt = "=IB3x8s"
can_frame_size = struct.calcsize(can_frame_fmt)

def build_can_frame(can_id, data):
    can_dlc = len(data)
    data = data.ljust(8, b'\\x00')
    return struct.pack(can_frame_fmt, can_id, can_dlc, data)

def dissect_can_frame(frame):
    can_id, can_dlc, data = struct.unpack(can_frame_fmt, frame)
    return (can_id, can_dlc, data[:can_dlc])


# create a raw socket and bind it to the 'vcan0' interface
s = socket.socket(socket.AF_CAN, socket.SOCK_RAW, socket.CAN_RAW)
s.bind(('vcan0',))

while True:
    cf, addr = s.recvfrom(can_frame_size)

    print('Received: can_id=%x, can_dlc=%x, data=%s' % dissect_can_frame(cf))

    try:
        s.send(cf)
    except OSError:
        print('Error sending CAN frame')

    try:
        s.send(build_can_frame(0x01, b'\\x01\\x02\\x03'))
    except OSError:
        print('Error sending CAN frame')
"""

# The broadcast manager: "open a socket with socket.socket(socket.AF_CAN,
# socket.SOCK_DGRAM, socket.CAN_BCM). After ... connecting (CAN_BCM) the
# socket, you can use the socket.send() and socket.recv() operations".
# struct bcm_msg_head (x86_64: 56 bytes) and one struct can_frame: 0x7AB
# every 50 ms until a line on stdin, then TX_DELETE.
CAN_BCM_EXAMPLE = """\
import sockbroker as socket
import struct
import sys

bcm_head_fmt = "@3I4l2I"
can_frame_fmt = "=IB3x8s"

s = socket.socket(socket.AF_CAN, socket.SOCK_DGRAM, socket.CAN_BCM)
s.connect(('vcan0',))
head = struct.pack(bcm_head_fmt, socket.CAN_BCM_TX_SETUP,
                   socket.CAN_BCM_SETTIMER | socket.CAN_BCM_STARTTIMER,
                   0, 0, 0, 0, 50000, 0x7AB, 1)
s.send(head + struct.pack(can_frame_fmt, 0x7AB, 3, b'bcm'))
print('started')
sys.stdin.readline()
s.send(struct.pack(bcm_head_fmt, socket.CAN_BCM_TX_DELETE, 0, 0, 0, 0, 0, 0,
                   0x7AB, 0))
print('stopped')
sys.stdin.readline()
"""


def test_can_raw_example_echoes_and_answers(direct):
    base = receivers()
    child = spawn_script(CAN_RAW_EXAMPLE)
    try:
        wait_receivers(base + 1)
        direct.send(FRAME.pack(0x123, 4, b"\xde\xad\xbe\xef"))
        got = [recv_frame(direct), recv_frame(direct)]
    finally:
        out = stop_script(child)
    assert got == [(0x123, b"\xde\xad\xbe\xef"), (0x01, b"\x01\x02\x03")], out
    assert "Received: can_id=123, can_dlc=4, data=b'\\xde\\xad\\xbe\\xef'" \
        in out
    assert "Error" not in out


def test_can_bcm_tx_setup_sends_periodically_until_deleted(direct):
    direct.setsockopt(stdsocket.SOL_CAN_RAW, stdsocket.CAN_RAW_FILTER,
                      struct.pack("=II", 0x7AB, 0x7FF))
    child = spawn_script(CAN_BCM_EXAMPLE, stdin=subprocess.PIPE)
    try:
        assert child.stdout.readline() == "started\n"
        got = []
        for _ in range(6):
            got.append((recv_frame(direct), time.monotonic()))
        child.stdin.write("\n")
        child.stdin.flush()
        assert child.stdout.readline() == "stopped\n"
        # What was under way when it stopped, then nothing.
        direct.settimeout(QUIET + 0.1)
        late = 0
        try:
            while True:
                recv_frame(direct)
                late += 1
        except TimeoutError:
            pass
    finally:
        out = stop_script(child)
    assert all(f == (0x7AB, b"bcm") for f, _ in got), out
    # Six frames 50 ms apart: not a burst, not stalled (a TCG guest's
    # timers are loose: 25 ms to 2 s a frame on average).
    spread = (got[-1][1] - got[0][1]) / (len(got) - 1)
    assert 0.025 <= spread <= min(2.0, PATIENCE), spread
    assert late <= 1, "%d frames after TX_DELETE" % late
