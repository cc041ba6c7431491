# SPDX-License-Identifier: ISC
"""What the guest's Python tests share (tests/vm/test_python.sh runs them
as root on the guest's kernel, the daemon at $SOCKBROKER_SOCKET): how long
to wait, a direct (stdlib) CAN_RAW socket as the other node on vcan0, the
kernel's count of CAN_RAW receivers, and Python scripts run in a child
interpreter with the same sockbroker."""

import contextlib
import faulthandler
import glob
import os
import socket as stdsocket
import struct
import subprocess
import sys
import time

import pytest

# The daemon under valgrind (SB_DAEMON_WRAPPER) on a TCG guest is slow, and
# so is a sanitizer build (sb-python preloads ASan's runtime): 10,000 frames
# through a Notifier took 56 s there on an idle host, over 120 s in CI.
SLOW = bool(os.environ.get("SB_DAEMON_WRAPPER")) or \
    "libasan" in os.environ.get("LD_PRELOAD", "")
# How long to wait for what must come; how long for what must not.
PATIENCE = 120.0 if SLOW else 20.0
QUIET = 1.0 if SLOW else 0.3
# A test still running after this long dumps every thread (into
# $SB_VM_HANGLOG: pytest holds stderr) and ends the run.
HANG = 6 * PATIENCE
CHANNEL = "vcan0"
FRAME = struct.Struct("=IB3x8s")	# struct can_frame, the docs' format


@pytest.fixture(autouse=True)
def hang_limit():
    """Turns a hung test into a traceback and a failed run, quickly."""
    path = os.environ.get("SB_VM_HANGLOG")
    with open(path, "w") if path else contextlib.nullcontext() as f:
        faulthandler.dump_traceback_later(HANG, exit=True,
                                          file=f or sys.stderr)
        yield
        faulthandler.cancel_dump_traceback_later()


def receivers():
    """The CAN_RAW receivers the kernel has (one per filter of each bound
    socket, every interface)."""
    n = 0
    for path in glob.glob("/proc/net/can/rcvlist_*"):
        with open(path) as f:
            n += sum(1 for line in f if line.rstrip().endswith(" raw"))
    return n


def wait_receivers(n):
    """Waits until the kernel has at least n CAN_RAW receivers."""
    deadline = time.monotonic() + PATIENCE
    while receivers() < n:
        assert time.monotonic() < deadline, \
            "%d CAN_RAW receivers, wanted %d" % (receivers(), n)
        time.sleep(0.02)


@pytest.fixture
def direct():
    """A stdlib CAN_RAW socket on vcan0 (root): the other node."""
    s = stdsocket.socket(stdsocket.AF_CAN, stdsocket.SOCK_RAW,
                         stdsocket.CAN_RAW)
    s.bind((CHANNEL,))
    s.settimeout(PATIENCE)
    yield s
    s.close()


def recv_frame(sock):
    """The next classic frame on sock: (can_id, data)."""
    can_id, dlc, data = FRAME.unpack(sock.recv(FRAME.size))
    return can_id, data[:dlc]


def spawn_script(source, **popen):
    """Starts source in a child Python with this sockbroker on its path,
    unbuffered (the docs' examples print and never end)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path),
               PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "-c", source], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)


def stop_script(child):
    """Kills a child of spawn_script; returns what it printed."""
    child.kill()
    out, err = child.communicate(timeout=PATIENCE)
    return out + err
