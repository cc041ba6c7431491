# SPDX-License-Identifier: ISC
"""The Python CAN rows of make bench-vm: classic CAN frames on vcan0,
received and sent with the stdlib's socket and with sockbroker's, on the
same socket type (CAN_RAW), in one run, each sockbroker figure with its
ratio to the stdlib one. Needs a kernel with vcan0 and root for the
stdlib's sockets: tests/vm/run.sh runs it in the guest (SB_VM_TESTS=bench).

Method as tests/bench (bench.h) and bench_python.py: the measuring process
and the daemon on CPU 0, the other end (a child process, the stdlib's
socket) on CPU 1 (SB_BENCH_PIN=0: no pinning); each variant runs
SB_BENCH_SECONDS (default 0.2) after a warm-up of a tenth of that.
Receive: the child blasts frames, the variant counts what it reads
(recv). Send: the variant sends as fast as it can, the child counts
what it hears. $SB_DAEMON and $SB_POLICY name the daemon and its policy
(and $SB_DAEMON_WRAPPER its wrapper); sockbroker comes from $PYTHONPATH.
"""

import multiprocessing
import os
import socket as stdsocket
import struct
import sys
import tempfile
import time

# bench_python.py's pinning and daemon, from the same directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_python import daemon_start, pin  # noqa: E402

CHANNEL = os.environ.get("SB_BENCH_CAN_IF", "vcan0")
FRAME = struct.pack("=IB3x8s", 0x123, 8, bytes(range(1, 9)))
RCVBUF = 1 << 20


def can_socket(mod):
    """A CAN_RAW socket of module mod on CHANNEL with a big receive
    buffer."""
    s = mod.socket(mod.AF_CAN, mod.SOCK_RAW, mod.CAN_RAW)
    s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, RCVBUF)
    s.bind((CHANNEL,))
    s.settimeout(10.0)
    return s


def blast(count, ready):
    """The other end of a receive: frames as fast as it can, until
    killed, counting them in count."""
    pin(1)
    s = can_socket(stdsocket)
    ready.set()
    while True:
        for _ in range(64):
            try:
                s.send(FRAME)
            except OSError:		# ENOBUFS: the queue is full
                pass
        with count.get_lock():
            count.value += 64


def listen(count, ready):
    """The other end of a send: counts the frames it hears, until killed."""
    pin(1)
    s = can_socket(stdsocket)
    s.settimeout(None)
    ready.set()
    while True:
        for _ in range(64):
            s.recv(16)
        with count.get_lock():
            count.value += 64


def measure(sock, seconds, peer, step):
    """Calls step() (64 frames each) for seconds after a warm-up, with
    peer (blast or listen) running in a child: (frames per second here,
    frames per second there)."""
    count = multiprocessing.Value("Q", 0)
    ready = multiprocessing.Event()
    child = multiprocessing.Process(target=peer, args=(count, ready))
    child.start()
    try:
        ready.wait(30)
        end = time.monotonic() + seconds / 10
        while time.monotonic() < end:
            step()
        n = 0
        there = count.value
        start = time.monotonic()
        end = start + seconds
        while True:
            step()
            n += 64
            now = time.monotonic()
            if now >= end:
                break
        return n / (now - start), (count.value - there) / (now - start)
    finally:
        child.kill()
        child.join()


def receive(sock):
    """64 frames read."""
    def step():
        for _ in range(64):
            sock.recv(16)
    return step


def send(sock):
    """64 frames sent."""
    def step():
        for _ in range(64):
            sock.send(FRAME)
    return step


def rows(sockbroker, seconds):
    """(label, (rate, other end's rate)) of each variant."""
    out = []
    for what, peer, step in (("recv", blast, receive),
                             ("send", listen, send)):
        for name, mod in (("stdlib socket", stdsocket),
                          ("sockbroker", sockbroker)):
            with can_socket(mod) as s:
                out.append(("%s, %s" % (name, what),
                            measure(s, seconds, peer, step(s))))
    return out


def main():
    seconds = float(os.environ.get("SB_BENCH_SECONDS", "0.2"))
    pin(0)
    with tempfile.TemporaryDirectory(prefix="sbbench") as tmp:
        d, path = daemon_start(tmp)
        try:
            import sockbroker
            sockbroker.connect(path)
            table = rows(sockbroker, seconds)
        finally:
            d.terminate()
            d.wait()
    print("\nPython: CAN_RAW classic frames on %s (%.1f s a variant)"
          % (CHANNEL, seconds))
    print("  %-26s %11s %6s %12s" % ("", "frame/s", "ratio", "other end/s"))
    base = None
    for label, (rate, peer) in table:
        if label.startswith("stdlib"):
            base = rate
        print("  %-26s %11.0f %5.0f%% %12.0f" % (label, rate,
                                                 100 * rate / base, peer))
    if os.environ.get("SB_DAEMON_WRAPPER"):
        print("  (the daemon runs under SB_DAEMON_WRAPPER: its figures "
              "are not the daemon's)")
    print("  - a receive rate close to the other end's is the sender's "
          "limit, not the receiver's; a send rate above it, frames the "
          "listener's queue dropped")


if __name__ == "__main__":
    main()
