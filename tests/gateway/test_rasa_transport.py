"""The served Rasa transport (aiohttp) against a real local HTTP server: what must hold is that
bodies and statuses pass through unchanged, connections are kept, and every failure reaches
the client as "timeout" or "down" (which the gateway turns into its "not available" notice)."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from gateway.rasa_transport import AiohttpTransport, TransportFailed


class TinyServer(asyncio.Protocol):
    """Answers each request with its own JSON body (or sleeps when the path says so)."""

    connections = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.buffer = b""
        TinyServer.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        head, separator, rest = self.buffer.partition(b"\r\n\r\n")
        if not separator:
            return
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        if len(rest) < length:
            return
        self.buffer = rest[length:]
        request_line = head.split(b"\r\n")[0].decode()
        if "/slow" in request_line:
            return  # never answers
        status = "404 Not Found" if "/missing" in request_line else "200 OK"
        body = json.dumps({"line": request_line, "body": rest[:length].decode()}).encode()
        self.transport.write(f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\n"
                             f"Content-Length: {len(body)}\r\n\r\n".encode() + body)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[str]:
    TinyServer.connections = 0
    loop = asyncio.get_running_loop()
    listening = await loop.create_server(TinyServer, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    listening.close()


@pytest.mark.asyncio
async def test_bodies_statuses_and_kept_connections(server: str) -> None:
    transport = AiohttpTransport()
    try:
        for n in range(3):
            status, body = await transport.exchange(
                "POST", server + "/webhooks/rest/webhook", body={"message": f"hi {n}"},
                params={"token": "t"}, timeout=5)
            reply = json.loads(body)
            assert status == 200
            assert reply["line"] == "POST /webhooks/rest/webhook?token=t HTTP/1.1"
            assert json.loads(reply["body"]) == {"message": f"hi {n}"}
        status, _ = await transport.exchange("GET", server + "/missing", timeout=5)
        assert status == 404  # the client decides what a status means, not the transport
        assert TinyServer.connections == 1  # one kept connection for all four
    finally:
        await transport.aclose()


@pytest.mark.asyncio
async def test_failures_are_timeout_or_down(server: str) -> None:
    transport = AiohttpTransport()
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    try:
        with pytest.raises(TransportFailed) as slow:
            await transport.exchange("POST", server + "/slow", body={}, timeout=0.3)
        assert slow.value.reason == "timeout"
        with pytest.raises(TransportFailed) as down:
            await transport.exchange("GET", f"http://127.0.0.1:{closed_port}/status", timeout=2)
        assert down.value.reason == "down"
    finally:
        await transport.aclose()
