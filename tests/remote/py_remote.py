# SPDX-License-Identifier: ISC
"""The Python binding over ssh:// ($SOCKBROKER_SOCKET): tests/test_remote.sh
runs it. A TCP echo through the far daemon, fd passing off, fileno() and
select failing with the reason, a timeout, a fork child with a connection
of its own while the parent's goes on, and no ssh child left once the
connection is closed (sockbroker.connect($SB_LOCAL) replaces it)."""

import asyncio
import errno
import os
import select
import sys

import sockbroker as socket


def expect_nofds(what, call):
    """call must fail with EOPNOTSUPP, saying descriptors cannot cross ssh."""
    try:
        call()
    except OSError as e:
        assert e.errno == errno.EOPNOTSUPP, (what, e)
        assert "ssh://" in str(e), (what, e)
        return str(e)
    raise AssertionError("%s worked over ssh" % what)


async def sock_recv(sock):
    """asyncio's sock_recv on sock."""
    return await asyncio.get_running_loop().sock_recv(sock, 1)


def main():
    assert os.environ["SOCKBROKER_SOCKET"].startswith("ssh://")
    assert socket.info()["fd_passing"] is False, socket.info()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    cli = socket.create_connection(srv.getsockname())
    conn, _ = srv.accept()
    cli.sendall(b"ping over ssh")
    assert conn.recv(100) == b"ping over ssh"
    conn.sendall(b"pong")
    assert cli.recv(100) == b"pong"
    why = expect_nofds("fileno()", cli.fileno)
    expect_nofds("select", lambda: select.select([cli], [], [], 0))
    cli.setblocking(False)      # as asyncio wants it: no data, so fileno()
    expect_nofds("asyncio's sock_recv",
                 lambda: asyncio.run(sock_recv(cli)))
    cli.setblocking(True)
    conn.settimeout(0.3)
    try:
        conn.recv(10)
    except TimeoutError:
        pass
    else:
        raise AssertionError("recv without data returned")
    cli.close()
    assert conn.recv(10) == b""
    conn.close()
    srv.close()
    # A fork child forgets the connection (its ssh is the parent's, left
    # alone) and opens its own; the parent's goes on.
    pid = os.fork()
    if pid == 0:
        try:
            assert socket.info()["fd_passing"] is False
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM).close()
        except BaseException as e:
            print("child:", e, file=sys.stderr)
            os._exit(1)
        os._exit(0)
    assert os.waitpid(pid, 0)[1] == 0, "the fork child failed"
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.close()
    # The ssh connection closed: its ssh is reaped, no child is left.
    socket.connect(os.environ["SB_LOCAL"])
    assert socket.info()["fd_passing"] is True
    try:
        pid = os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        pass
    else:
        raise AssertionError("a child is left: %r" % (pid,))
    print("python over ssh: ok; fileno() says:", why)


if __name__ == "__main__":
    sys.exit(main())
