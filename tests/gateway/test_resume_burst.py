"""A burst of ``resume`` frames on one citizen socket (issue 12).

Each resume restarts the socket's reader. On Python 3.11, ``asyncio.wait_for`` (which redis-py
uses to send every command when ``socket_timeout`` is set) drops a cancellation that lands in the
same loop turn as the send completing (CPython gh-86296), so a reader cancelled at that moment
kept running, and the frame loop waited for it for ever: the socket stopped answering.

The test drives the real app over ASGI on the real Redis, with a deadline on every wait, so a
hanging socket fails the test instead of hanging it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app
from gateway.rasa_transport import HttpxTransport
from gateway.settings import Settings
from gateway.tasks import cancel
from tests.gateway.conftest import ScriptedRasa, gateway_settings

DEADLINE = 10.0


class AsgiSocket:
    """A WebSocket client speaking ASGI straight to the app (no server, no threads)."""

    def __init__(self, app: FastAPI, path: str) -> None:
        self.inbound: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        self.outbound: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "path": path,
                 "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"testserver")], "client": ("127.0.0.1", 50000),
                 "server": ("testserver", 80), "subprotocols": [], "app": app}
        self.task = asyncio.create_task(app(scope, self.inbound.get, self.outbound.put))

    async def open(self) -> None:
        """Connect and wait for the accept."""
        await self.inbound.put({"type": "websocket.connect"})
        message = await asyncio.wait_for(self.outbound.get(), DEADLINE)
        assert message["type"] == "websocket.accept", message

    async def send(self, frame: dict[str, Any]) -> None:
        """Send one JSON frame."""
        await self.inbound.put({"type": "websocket.receive", "text": json.dumps(frame)})

    async def receive(self) -> dict[str, Any]:
        """The next frame the app sends (fails the test after DEADLINE seconds of silence)."""
        try:
            message = await asyncio.wait_for(self.outbound.get(), DEADLINE)
        except TimeoutError:
            pytest.fail(f"the socket sent nothing for {DEADLINE} s: it hangs")
        assert message["type"] == "websocket.send", message
        return dict(json.loads(message["text"]))

    async def close(self) -> bool:
        """Disconnect; True if the app's handler ended by itself within DEADLINE seconds.

        Either way the handler is ended before this returns (its readers are cancelled until
        they stop), so a broken socket fails the test instead of hanging the event loop."""
        await self.inbound.put({"type": "websocket.disconnect", "code": 1000})
        done, _ = await asyncio.wait({self.task}, timeout=DEADLINE)
        while not self.task.done():
            for task in asyncio.all_tasks():
                if task.get_name() in ("citizen-reader", "citizen-hints"):
                    task.cancel()
            self.task.cancel()
            await asyncio.wait({self.task}, timeout=0.5)
        return bool(done)


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[FastAPI, ScriptedRasa]]:
    """The app with its lifespan started and Rasa scripted."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        fake = ScriptedRasa()
        app.state.runtime.rasa.transport = HttpxTransport.mocked(fake.handler)
        yield app, fake


def in_use(app: FastAPI) -> int:
    """Connections of the app's Redis pool checked out right now."""
    return len(app.state.runtime.redis.connection_pool._in_use_connections)


async def new_conversation(app: FastAPI) -> str:
    """Start a conversation over HTTP (ASGI)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.post("/api/conversations",
                                   json={"page_url": "https://council.example/bins"})
    assert response.status_code == 201, response.text
    return str(response.json()["conversation_id"])


async def test_a_burst_of_resumes_keeps_the_socket_answering_and_leaks_no_connection(
        redis_url: str) -> None:
    """After 50 resume frames in a row the socket still answers a ping and a message (ack and
    the bot's reply, once each), its handler ends when the client leaves, and the Redis pool's
    checked-out connections come back to what they were before the burst (the shared readers
    and the pub/sub connection)."""
    settings = gateway_settings(redis_url, limit_frames_per_conversation="1000/minute",
                                redis_max_connections=8, socket_reader_shards=2)
    async with running(settings) as (app, fake):
        cid = await new_conversation(app)
        ws = AsgiSocket(app, f"/ws/conversations/{cid}")
        await ws.open()
        try:
            await ws.send({"type": "resume", "after": None})
            while (await ws.receive())["type"] != "state":
                pass
            await asyncio.sleep(0.2)
            baseline = in_use(app)
            await burst_then_talk(ws, fake)
        finally:
            ended = await ws.close()
        assert ended, "the socket's handler did not end after the client left"
        for _ in range(50):  # a connection still on its way back to the pool gets a moment
            if in_use(app) <= baseline:
                break
            await asyncio.sleep(0.1)
        assert in_use(app) <= baseline, (in_use(app), baseline)


async def burst_then_talk(ws: AsgiSocket, fake: ScriptedRasa) -> None:
    """50 resumes, a ping and a message: the pong, the ack and one bot reply must arrive."""
    for _ in range(50):
        await ws.send({"type": "resume", "after": None})
    await ws.send({"type": "ping"})
    await ws.send({"type": "message", "text": "my bin was not collected", "client_id": "c1"})
    seen: list[dict[str, Any]] = []
    while not any(f["type"] == "message" and f["message"]["role"] == "bot" for f in seen):
        seen.append(await ws.receive())
    kinds = [f["type"] for f in seen]
    acks = [f for f in seen if f["type"] == "ack"]
    assert "pong" in kinds and [a["client_id"] for a in acks] == ["c1"], kinds
    bot = [f["message"]["text"] for f in seen
           if f["type"] == "message" and f["message"]["role"] == "bot"]
    assert bot == ["echo: my bin was not collected"]
    assert fake.paths("POST").count("/webhooks/rest/webhook") == 1


async def test_cancel_ends_a_task_that_swallows_one_cancellation() -> None:
    """``cancel`` returns only once the task has ended, even if the task swallowed the first
    cancellation (as ``asyncio.wait_for`` on Python 3.11 can)."""
    started = asyncio.Event()

    async def stubborn() -> None:
        started.set()
        with contextlib.suppress(asyncio.CancelledError):  # swallowed, like the wait_for race
            await asyncio.sleep(30)
        await asyncio.sleep(30)

    task = asyncio.create_task(stubborn())
    await started.wait()
    await asyncio.wait_for(cancel(task), 5)
    assert task.done()
