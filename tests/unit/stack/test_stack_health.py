"""The HTTP health check: 200 is healthy, anything else (or nothing listening) is not yet."""

from __future__ import annotations

import asyncio

import pytest

from onething.stack.health import http_health


async def _serve(status: bytes) -> tuple[asyncio.Server, list[bytes]]:
    requests: list[bytes] = []

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        requests.append(await reader.readuntil(b"\r\n\r\n"))
        writer.write(b"HTTP/1.1 " + status + b"\r\ncontent-length: 2\r\n\r\n{}")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    return server, requests


@pytest.mark.parametrize(("status", "healthy"), [(b"200 OK", True), (b"503 Unavailable", False)])
async def test_the_status_decides(status: bytes, healthy: bool) -> None:
    server, requests = await _serve(status)
    port = server.sockets[0].getsockname()[1]
    async with server:
        assert await http_health(f"http://127.0.0.1:{port}/health")(None) is healthy

    assert requests == [f"GET /health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()]


async def test_nothing_listening_raises_which_counts_as_not_yet() -> None:
    server, _ = await _serve(b"200 OK")
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()

    with pytest.raises(ConnectionRefusedError):
        await http_health(f"http://127.0.0.1:{port}/health")(None)
