# SPDX-License-Identifier: ISC
"""ssh killed in the middle of a call: tests/test_remote.sh runs this over
ssh:// ($SOCKBROKER_SOCKET), waits for its "waiting" line and kills its ssh
child. The recv blocked in the far daemon must fail at once with ssh's end
in the message, and the ssh child must have been reaped."""

import os
import sys
import time

import sockbroker as socket


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    print("waiting", flush=True)
    t0 = time.monotonic()
    try:
        s.recv(10)
    except OSError as e:
        print("recv failed after %.1f s: %s" % (time.monotonic() - t0, e),
              flush=True)
    else:
        return "recv returned data"
    try:
        pid = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass
    else:
        return "a child is left: %r" % (pid,)
    # Every call on the broken connection fails the same way, at once.
    try:
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    except OSError as e:
        print("then: %s" % e)
    else:
        return "a socket over the dead ssh"
    return 0


if __name__ == "__main__":
    sys.exit(main())
