# SPDX-License-Identifier: ISC
"""fileno() is the data channel: a selectors echo server for 100 clients,
an asyncio server and client, select() on a listener and a connect."""

import asyncio
import errno
import select
import selectors
import threading

import sockbroker
from conftest import PATIENCE

NCLIENTS = 100


def selectors_echo_server(srv, stop):
    """Serves echo on srv with one selector until stop is set."""
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ, None)
    conns = []
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.1):
            if key.data is None:
                conn, _ = key.fileobj.accept()
                conn.setblocking(False)
                conns.append(conn)
                sel.register(conn, selectors.EVENT_READ, b"")
                continue
            conn = key.fileobj
            try:
                data = conn.recv(4096)
            except BlockingIOError:
                continue
            if data:
                conn.sendall(data)
            else:
                sel.unregister(conn)
                conn.close()
    sel.close()
    for c in conns:
        c.close()


def test_selectors_echo_server_100_clients():
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(NCLIENTS)
    srv.setblocking(False)
    stop = threading.Event()
    t = threading.Thread(target=selectors_echo_server, args=(srv, stop))
    t.start()
    try:
        clients = [sockbroker.create_connection(srv.getsockname(),
                                                timeout=PATIENCE)
                   for _ in range(NCLIENTS)]
        for i, c in enumerate(clients):
            c.sendall(b"client %d\n" % i)
        for i, c in enumerate(clients):
            want = b"client %d\n" % i
            got = b""
            while len(got) < len(want):
                chunk = c.recv(100)
                assert chunk, "client %d: EOF" % i
                got += chunk
            assert got == want
        for c in clients:
            c.close()
    finally:
        stop.set()
        t.join(PATIENCE)
        srv.close()
    assert not t.is_alive()


def test_select_listener_and_nonblocking_connect():
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    c = sockbroker.socket()
    c.setblocking(False)
    err = c.connect_ex(srv.getsockname())
    assert err in (0, errno.EINPROGRESS)
    _, w, _ = select.select([], [c], [], PATIENCE)
    assert w == [c]
    assert c.getsockopt(sockbroker.SOL_SOCKET, sockbroker.SO_ERROR) == 0
    r, _, _ = select.select([srv], [], [], PATIENCE)
    assert r == [srv]
    a, _ = srv.accept()
    r, _, _ = select.select([a], [], [], 0)
    assert r == []
    c.send(b"x")
    r, _, _ = select.select([a], [], [], PATIENCE)
    assert r == [a]
    assert a.recv(1) == b"x"
    for s in (a, c, srv):
        s.close()


async def asyncio_echo(reader, writer):
    """One asyncio echo connection."""
    while data := await reader.read(100):
        writer.write(data)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def asyncio_main():
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    server = await asyncio.start_server(asyncio_echo, sock=srv)
    port = srv.getsockname()[1]
    async with server:
        results = []
        for i in range(10):
            c = sockbroker.socket()
            c.setblocking(False)
            loop = asyncio.get_running_loop()
            await loop.sock_connect(c, ("127.0.0.1", port))
            reader, writer = await asyncio.open_connection(sock=c)
            writer.write(b"line %d\n" % i)
            await writer.drain()
            results.append(await reader.readline())
            writer.close()
            await writer.wait_closed()
        # The loop's socket methods on a sockbroker socket
        c = sockbroker.socket()
        c.setblocking(False)
        await loop.sock_connect(c, ("127.0.0.1", port))
        await loop.sock_sendall(c, b"raw")
        results.append(await loop.sock_recv(c, 3))
        c.close()
    return results


def test_asyncio_server_and_clients():
    got = asyncio.run(asyncio.wait_for(asyncio_main(), PATIENCE * 2))
    assert got == [b"line %d\n" % i for i in range(10)] + [b"raw"]


async def asyncio_accept():
    loop = asyncio.get_running_loop()
    srv = sockbroker.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen()
    srv.setblocking(False)
    c = sockbroker.socket()
    c.setblocking(False)
    conn_task = asyncio.ensure_future(loop.sock_connect(c, srv.getsockname()))
    a, addr = await loop.sock_accept(srv)
    await conn_task
    a.setblocking(False)
    await loop.sock_sendall(c, b"ping")
    buf = bytearray(4)
    n = await loop.sock_recv_into(a, buf)
    for s in (a, c, srv):
        s.close()
    return addr, bytes(buf[:n])


def test_asyncio_sock_accept_and_recv_into():
    addr, data = asyncio.run(asyncio.wait_for(asyncio_accept(), PATIENCE))
    assert addr[0] == "127.0.0.1"
    assert data == b"ping"
