# SPDX-License-Identifier: ISC
"""The Python rows of make bench: 64-byte UDP datagrams received with the
stdlib's socket and with sockbroker's (through its data channel), on the
same socket type, in one run, each sockbroker figure with its ratio to the
stdlib one.

Method as tests/bench (bench.h): the receiving process and the daemon on
CPU 0, the sender on CPU 1 (SB_BENCH_PIN=0: no pinning); each variant runs
SB_BENCH_SECONDS (default 0.2) after a warm-up of a tenth of that. The
sender is $SB_BENCH_BLAST (tests/bench/bench_blast, sendmmsg in C), fast
enough that the rows measure the receiver. $SB_DAEMON, $SB_POLICY name the
daemon and its policy; sockbroker is imported from $PYTHONPATH. CAN rows
need a kernel with vcan: they are the VM's (not yet).
"""

import mmap
import os
import signal
import socket as stdsocket
import struct
import subprocess
import sys
import tempfile
import time

SIZE = 64
PIN = os.environ.get("SB_BENCH_PIN", "1") != "0" and os.cpu_count() > 1


def pin(cpu):
    """Runs this process on cpu, if pinning."""
    if PIN:
        os.sched_setaffinity(0, {cpu})


class Sender:
    """$SB_BENCH_BLAST sending to addr on CPU 1 until stopped; count() is
    how many datagrams it sent so far (its counter file, mapped)."""

    def __init__(self, addr, tmp):
        path = os.path.join(tmp, "count")
        self.proc = subprocess.Popen([os.environ["SB_BENCH_BLAST"],
                                      str(addr[1]), str(SIZE), path])
        if PIN:
            os.sched_setaffinity(self.proc.pid, {1})
        deadline = time.monotonic() + 10
        while not os.path.exists(path) or os.path.getsize(path) < 8:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                sys.exit("bench_blast did not start")
            time.sleep(0.01)
        with open(path, "rb") as f:
            self.map = mmap.mmap(f.fileno(), 8, prot=mmap.PROT_READ)

    def count(self):
        return struct.unpack("Q", self.map[:8])[0]

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.map.close()


def measure(sock, seconds, how, timeout, tmp):
    """Datagrams per second that sock (with timeout) received in seconds
    (after a warm-up), and the sender's datagrams per second over the same
    time. SIGALRM ends a receive that blocks for good."""
    sock.settimeout(timeout)
    buf = bytearray(2048)
    sender = Sender(sock.getsockname(), tmp)
    signal.alarm(int(seconds * 2) + 60)
    try:
        if how == "recv":
            def once(recv=sock.recv):
                return len(recv(2048))
        else:
            def once(recv_into=sock.recv_into):
                return recv_into(buf)
        end = time.monotonic() + seconds / 10
        while time.monotonic() < end:
            once()
        n = 0
        sent0 = sender.count()
        start = time.monotonic()
        end = start + seconds
        while True:
            for _ in range(64):
                once()
            n += 64
            now = time.monotonic()
            if now >= end:
                break
        if once() != SIZE:
            sys.exit("a receive did not get a %d-byte datagram" % SIZE)
        return n / (now - start), (sender.count() - sent0) / (now - start)
    finally:
        signal.alarm(0)
        sender.stop()


def daemon_start(tmp):
    """Starts $SB_DAEMON on a socket in tmp; returns (process, path)."""
    path = os.path.join(tmp, "sb.sock")
    argv = os.environ.get("SB_DAEMON_WRAPPER", "").split()
    argv += [os.environ["SB_DAEMON"], "--listen", path, "--foreground",
             "--no-privdrop", "--policy", os.environ["SB_POLICY"]]
    log = open(os.path.join(tmp, "daemon.log"), "w")
    d = subprocess.Popen(argv, stdout=log, stderr=log)
    if PIN:
        os.sched_setaffinity(d.pid, {0})
    deadline = time.monotonic() + 60
    while not os.path.exists(path):
        if d.poll() is not None or time.monotonic() > deadline:
            sys.exit("the daemon did not start")
        time.sleep(0.05)
    return d, path


VARIANTS = (
    ("recv", None, "recv, blocking"),
    ("recv_into", None, "recv_into, blocking"),
    ("recv", 10.0, "recv, timeout 10 s"),
)


def run(path, seconds, tmp):
    """Each variant with the stdlib's socket and then sockbroker's, in
    rounds; the best rate of each (and its sender's rate)."""
    import sockbroker
    sockbroker.connect(path)
    best = {}
    for _ in range(rounds(seconds)):
        for how, timeout, name in VARIANTS:
            for mod in (stdsocket, sockbroker):
                with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", 0))
                    r = measure(s, seconds, how, timeout, tmp)
                key = (name, mod is sockbroker)
                if key not in best or r[0] > best[key][0]:
                    best[key] = r
    return best


def rounds(seconds):
    """Rounds per variant: SB_BENCH_ROUNDS, else 3 (1 in a smoke run)."""
    n = int(os.environ.get("SB_BENCH_ROUNDS", "0") or 0)
    if n > 0:
        return n
    return 3 if seconds >= 1 else 1


def main():
    if not os.environ.get("SB_BENCH_BLAST"):
        sys.exit("$SB_BENCH_BLAST (tests/bench/bench_blast) is not set")
    seconds = float(os.environ.get("SB_BENCH_SECONDS", "0.2"))
    pin(0)
    with tempfile.TemporaryDirectory(prefix="sbbench") as tmp:
        d, path = daemon_start(tmp)
        try:
            best = run(path, seconds, tmp)
        finally:
            d.terminate()
            d.wait()
    print("\nPython: UDP receive, %d-byte datagrams from a C sender "
          "(%.1f s a variant, best of %d)" % (SIZE, seconds,
                                              rounds(seconds)))
    print("  %-34s %11s %6s %12s" % ("", "datagram/s", "ratio",
                                      "other end/s"))
    for _, _, name in VARIANTS:
        base = best[(name, False)][0]
        for sb in (False, True):
            rate, peer = best[(name, sb)]
            label = ("sockbroker, " if sb else "stdlib socket, ") + name
            print("  %-34s %11.0f %5.0f%% %12.0f" % (label, rate,
                                                     100 * rate / base,
                                                     peer))
    print("  - sockbroker's receives read the socket's data channel; "
          "the other end is\n    bench_blast (sendmmsg), well above "
          "either receiver: the rates are the\n    receivers'. With a "
          "timeout the stdlib polls before each recv")


if __name__ == "__main__":
    main()
