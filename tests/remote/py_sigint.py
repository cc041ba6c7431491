# SPDX-License-Identifier: ISC
"""A terminal's ^C is the program's, not its ssh's: tests/test_remote.sh
runs this over ssh:// in a process group of its own and sends SIGINT to
that group, as a terminal would. The program catches it; its ssh, in a
session of its own, never gets it, so the connection still works."""

import signal
import sys
import time

import sockbroker as socket


def main():
    got = []
    signal.signal(signal.SIGINT, lambda *_: got.append(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    print("ready", flush=True)
    deadline = time.monotonic() + 20
    while not got and time.monotonic() < deadline:
        time.sleep(0.05)
    if not got:
        return "no SIGINT came"
    time.sleep(0.5)     # time enough for an ssh that got it to be gone
    s.bind(("127.0.0.1", 0))
    print("after SIGINT:", s.getsockname(), flush=True)
    s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
