# SPDX-License-Identifier: ISC
"""A forked child of a process using sockbroker: it keeps none of the
parent's broker descriptors (the connection, the data channels), says
nothing on the parent's connection, and talks on its own; the parent's
sockets, and a call one of its threads has waiting at the fork, go on."""

import os

from conftest import PATIENCE, run_script

# Run in a fresh interpreter, whose only sockets are sockbroker's.
FORK_SCRIPT = r"""
import errno, os, stat, sys, threading, time
import sockbroker as socket

def sockets():
    found = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            st = os.fstat(int(name))
        except OSError:
            continue
        if stat.S_ISSOCK(st.st_mode):
            found.add(st.st_ino)
    return found

patience = float(sys.argv[1])
before = sockets()
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen()
c = socket.create_connection(lst.getsockname(), timeout=patience)
a, _ = lst.accept()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
fds = [s.fileno() for s in (lst, c, a, u)]
broker = sockets() - before
assert len(broker) == 5, broker      # the connection and four channels
accepted = []
t = threading.Thread(target=lambda: accepted.append(lst.accept()),
                     daemon=True)
t.start()
time.sleep(0.2)                      # its accept waits in the daemon

r, w = os.pipe()
pid = os.fork()
if pid == 0:
    try:
        kept = broker & sockets()
        res = ["kept %d" % len(kept)] if kept else []
        if [s.fileno() for s in (lst, c, a, u)] != [-1] * 4:
            res.append("fileno of the parent's sockets")
        try:
            c.send(b"x")
            res.append("the parent's socket sent")
        except OSError as e:
            if e.errno != errno.EBADF:
                res.append("send: %r" % e)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as v:
            v.bind(("127.0.0.1", 0))
            v.settimeout(patience)
            v.sendto(b"own", v.getsockname())
            if v.recv(3) != b"own":
                res.append("own socket")
        os.write(w, (" ".join(res) or "ok").encode())
    finally:
        os._exit(0)
os.close(w)
os.waitpid(pid, 0)
child = os.read(r, 1000).decode()
assert child == "ok", child
c.sendall(b"after")
assert a.recv(5) == b"after"
u.sendto(b"self", u.getsockname())
assert u.recv(4) == b"self"
d = socket.create_connection(lst.getsockname(), timeout=patience)
t.join(patience)
assert accepted, "the waiting accept got nothing"
print("parent ok")
"""


def test_fork_child_keeps_no_broker_descriptor_and_says_nothing():
    res = run_script(FORK_SCRIPT, args=(str(PATIENCE),))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "parent ok", res.stdout + res.stderr


def test_many_forks_leave_the_parent_working():
    # Each child forgets the connection at once: nothing piles up.
    script = FORK_SCRIPT.replace("r, w = os.pipe()", """
for _ in range(20):
    p = os.fork()
    if p == 0:
        os._exit(0 if not broker & sockets() else 1)
    assert os.waitpid(p, 0)[1] == 0
r, w = os.pipe()""")
    res = run_script(script, args=(str(PATIENCE),))
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "parent ok", res.stdout + res.stderr
