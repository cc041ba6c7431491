# SPDX-License-Identifier: ISC
"""dial-stdio's ends, driven from Python for tests/test_dial.sh:

    dial.py CLI SOCKET hello   a Hello through the relay, its answer back,
                               then the end of input: exit status 0
    dial.py CLI SOCKET junk    a frame over the limit, input left open: the
                               daemon closes first, status 3
    dial.py CLI SOCKET gone    standard output's reader gone, input left
                               open: status 4
    dial.py CLI PATH halfclose a UNIX server of its own at PATH that reads
                               to EOF and only then answers: the end of
                               input crosses as a half-close, the answer
                               comes back, status 0

Prints dial-stdio's status; exits 1 if something else went wrong."""

import os
import socket
import struct
import subprocess
import sys
import threading

HELLO = b"\0\0\0\6\x08\x01\x12\x02\x08\x01"   # Request{id 1, hello{1}}


def start(cli, path, stdout=subprocess.PIPE):
    return subprocess.Popen([cli, "dial-stdio", "-s", path],
                            stdin=subprocess.PIPE, stdout=stdout)


def read_exact(f, n):
    b = b""
    while len(b) < n:
        more = f.read(n - len(b))
        assert more, "dial-stdio's output ended after %d bytes" % len(b)
        b += more
    return b


def hello(cli, path):
    p = start(cli, path)
    p.stdin.write(HELLO)
    p.stdin.flush()
    n = struct.unpack(">I", read_exact(p.stdout, 4))[0]
    body = read_exact(p.stdout, n)
    assert body[:2] == b"\x08\x01", body      # Response id 1
    p.stdin.close()
    assert p.stdout.read() == b""
    return p.wait(20)


def junk(cli, path):
    p = start(cli, path, stdout=subprocess.DEVNULL)
    p.stdin.write(b"\xff\xff\xff\xff")
    p.stdin.flush()
    return p.wait(20)


def gone(cli, path):
    r, w = os.pipe()
    os.close(r)
    p = start(cli, path, stdout=w)
    os.close(w)
    p.stdin.write(HELLO)
    p.stdin.flush()
    return p.wait(20)


def halfclose(cli, path):
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen()

    def serve():
        c, _ = srv.accept()
        got = b""
        while True:
            b = c.recv(65536)
            if not b:
                break
            got += b
        c.sendall(b"got %d bytes" % len(got))
        c.close()
    t = threading.Thread(target=serve)
    t.start()
    data = os.urandom(300000)
    p = start(cli, path)
    out, _ = p.communicate(data, timeout=20)
    t.join()
    assert out == b"got %d bytes" % len(data), out
    return p.returncode


def main():
    cli, path, mode = sys.argv[1:4]
    try:
        st = globals()[mode](cli, path)
    except subprocess.TimeoutExpired:
        print("dial-stdio did not end")
        return 1
    print(st)
    return 0


if __name__ == "__main__":
    sys.exit(main())
