"""Sockets that cost almost nothing (issue 12): live messages come from a few shared Redis
readers, each stored message reaches every socket once and in order, and an error escaping a
WebSocket route closes it with a code instead of crashing the error handler."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.testclient import TestClient
from redis.exceptions import ConnectionError as RedisConnectionError
from starlette.websockets import WebSocketDisconnect

from gateway import fanout
from gateway.app import create_app
from gateway.errors import ApiError, install_error_handlers
from gateway.settings import Settings
from tests.gateway.conftest import gateway_settings, new_conversation, run, runtime_of


def pool_size(client: TestClient) -> int:
    """Connections the app's Redis pool has opened (idle + in use)."""
    pool = runtime_of(client).redis.connection_pool
    return len(pool._available_connections) + len(pool._in_use_connections)


def messages_until(ws: Any, count: int) -> list[dict[str, Any]]:
    """Read frames until ``count`` message frames have arrived; return those."""
    seen: list[dict[str, Any]] = []
    while len(seen) < count:
        frame = ws.receive_json()
        if frame["type"] == "message":
            seen.append(frame["message"])
    return seen


@pytest.fixture
def roomy(redis_url: str) -> Settings:
    return gateway_settings(redis_url, max_sockets_per_address=500,
                            limit_conversations_per_address="1000/minute",
                            redis_max_connections=16, socket_reader_shards=4)


def test_forty_idle_sockets_share_a_few_redis_connections_and_each_gets_its_message(
        roomy: Settings) -> None:
    """40 open sockets on 40 conversations: one stored message each reaches exactly its own
    socket, and the pool never grows past REDIS_MAX_CONNECTIONS (4 readers, 1 pub/sub and a
    few for commands)."""
    with TestClient(create_app(roomy)) as client:
        runtime = runtime_of(client)
        cids = [new_conversation(client) for _ in range(40)]
        sockets = [client.websocket_connect(f"/ws/conversations/{cid}") for cid in cids]
        opened = [ws.__enter__() for ws in sockets]
        try:
            for ws in opened:
                ws.send_json({"type": "resume", "after": None})
                while ws.receive_json()["type"] != "state":
                    pass
            assert runtime.fanout.followed == 40
            for cid in cids:
                run(client, lambda c=cid: runtime.store.append(c, "bot", f"hello {c}"))
            for cid, ws in zip(cids, opened, strict=True):
                [message] = messages_until(ws, 1)
                assert message["text"] == f"hello {cid}"
            assert pool_size(client) <= roomy.redis_max_connections
        finally:
            for ws in sockets:
                ws.__exit__(None, None, None)
        assert pool_size(client) <= roomy.redis_max_connections
    assert runtime.fanout.followed == 0


def test_a_late_socket_gets_the_rest_of_the_history_then_live_messages_once(
        roomy: Settings) -> None:
    """Socket B joins a conversation socket A already follows, resuming after the first
    message: B gets 2 and 3 from history, then 4 live; A gets all four; nobody twice."""
    with TestClient(create_app(roomy)) as client:
        runtime = runtime_of(client)
        cid = new_conversation(client)

        def store(text: str) -> str:
            return str(run(client, lambda: runtime.store.append(cid, "bot", text)).message.id)

        with client.websocket_connect(f"/ws/conversations/{cid}") as first:
            first.send_json({"type": "resume", "after": None})
            one = store("1")
            store("2"), store("3")
            assert [m["text"] for m in messages_until(first, 3)] == ["1", "2", "3"]
            with client.websocket_connect(f"/ws/conversations/{cid}") as second:
                second.send_json({"type": "resume", "after": one})
                assert [m["text"] for m in messages_until(second, 2)] == ["2", "3"]
                store("4")
                assert [m["text"] for m in messages_until(second, 1)] == ["4"]
                assert [m["text"] for m in messages_until(first, 1)] == ["4"]
                second.send_json({"type": "ping"})
                frames = []
                while (frame := second.receive_json())["type"] != "pong":
                    frames.append(frame)
                assert not [f for f in frames if f["type"] == "message"]  # no repeats


def test_a_slow_socket_that_overflows_its_queue_still_gets_everything_in_order(
        roomy: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for 2 queued messages, a follower that stalls while 10 arrive re-reads the
    stream and delivers all 10, in order, once."""
    monkeypatch.setattr(fanout, "QUEUE_SIZE", 2)
    with TestClient(create_app(roomy)) as client:
        runtime = runtime_of(client)
        cid = new_conversation(client)

        async def scenario() -> tuple[list[str], list[str]]:
            received: list[str] = []

            async def consume() -> None:
                async for message in runtime.fanout.follow(cid, None):
                    received.append(message.id)
                    if len(received) == 1:
                        await asyncio.sleep(0.5)
                    if len(received) == 10:
                        return

            task = asyncio.create_task(consume())
            await asyncio.sleep(0.2)
            ids = [(await runtime.store.append(cid, "bot", f"m{n}")).message.id
                   for n in range(10)]
            await asyncio.wait_for(task, 10)
            return ids, received

        ids, received = run(client, scenario)
    assert received == ids


def test_errors_escaping_a_websocket_close_it_with_a_code(caplog: pytest.LogCaptureFixture) -> None:
    """The handlers get a WebSocket (no ``method``): a refusal closes with 1008, Redis being
    down with 1013 (try again later), and no AttributeError is logged."""
    app = FastAPI()
    install_error_handlers(app)

    @app.websocket("/refused")
    async def refused(websocket: WebSocket) -> None:
        await websocket.accept()
        raise ApiError(403, "forbidden")

    @app.websocket("/down")
    async def down(websocket: WebSocket) -> None:
        await websocket.accept()
        raise RedisConnectionError("gone")

    caplog.set_level(logging.WARNING)
    with TestClient(app) as client:
        for path, code in (("/refused", 1008), ("/down", 1013)):
            with client.websocket_connect(path) as ws, pytest.raises(WebSocketDisconnect) as exc:
                ws.receive_json()
            assert exc.value.code == code
    assert "AttributeError" not in caplog.text
