# SPDX-License-Identifier: ISC
"""The Python rows of make bench: 64-byte UDP datagrams received with the
stdlib's socket and with sockbroker's, on the same socket type, in one run,
each sockbroker figure with its ratio to the stdlib one.

Method as tests/bench (bench.h): the receiving process and the daemon on
CPU 0, the sender (a child blasting the datagrams with the stdlib) on CPU 1
(SB_BENCH_PIN=0: no pinning); each variant runs SB_BENCH_SECONDS (default
0.2) after a warm-up of a tenth of that. $SB_DAEMON, $SB_POLICY name the
daemon and its policy; sockbroker is imported from $PYTHONPATH. CAN rows
need a kernel with vcan: they are the VM's (not yet).
"""

import multiprocessing
import os
import socket as stdsocket
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


def blast(addr, sent):
    """The sender: datagrams to addr as fast as it can, until killed,
    counting them in sent."""
    pin(1)
    s = stdsocket.socket(stdsocket.AF_INET, stdsocket.SOCK_DGRAM)
    data = b"x" * SIZE
    while True:
        for _ in range(64):
            try:
                s.sendto(data, addr)
            except OSError:
                pass
        with sent.get_lock():
            sent.value += 64


def measure(sock, seconds, how):
    """Datagrams per second that sock received in seconds (after a warm-up),
    and the sender's datagrams per second over the same time."""
    sock.settimeout(10.0)
    buf = bytearray(2048)
    sent = multiprocessing.Value("Q", 0)
    child = multiprocessing.Process(target=blast,
                                    args=(sock.getsockname(), sent))
    child.start()
    try:
        recv = sock.recv if how == "recv" else None
        end = time.monotonic() + seconds / 10
        while time.monotonic() < end:
            sock.recv_into(buf)
        n = 0
        sent0 = sent.value
        start = time.monotonic()
        end = start + seconds
        while True:
            for _ in range(64):
                if recv is not None:
                    recv(2048)
                else:
                    sock.recv_into(buf)
            n += 64
            now = time.monotonic()
            if now >= end:
                break
        return n / (now - start), (sent.value - sent0) / (now - start)
    finally:
        child.kill()
        child.join()


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


def main():
    seconds = float(os.environ.get("SB_BENCH_SECONDS", "0.2"))
    pin(0)
    with tempfile.TemporaryDirectory(prefix="sbbench") as tmp:
        d, path = daemon_start(tmp)
        try:
            import sockbroker
            sockbroker.connect(path)
            rows = []
            for label, mod, how in (
                    ("stdlib socket, recv", stdsocket, "recv"),
                    ("sockbroker, recv", sockbroker, "recv"),
                    ("stdlib socket, recv_into", stdsocket, "recv_into"),
                    ("sockbroker, recv_into", sockbroker, "recv_into")):
                with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", 0))
                    rows.append((label, measure(s, seconds, how)))
        finally:
            d.terminate()
            d.wait()
    print("\nPython: UDP receive, %d-byte datagrams (%.1f s a variant)"
          % (SIZE, seconds))
    print("  %-26s %11s %6s %12s" % ("", "datagram/s", "ratio",
                                      "other end/s"))
    base = None
    for label, (rate, peer) in rows:
        if label.startswith("stdlib"):
            base = rate
        print("  %-26s %11.0f %5.0f%% %12.0f" % (label, rate,
                                                 100 * rate / base, peer))
    print("  - a receive rate close to the other end's is the sender's "
          "limit, not the receiver's")


if __name__ == "__main__":
    main()
