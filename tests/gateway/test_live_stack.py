"""The real stack (Redis, Rasa, action server, gateway as started by the launcher).

What must hold: a short conversation works over HTTP and over the WebSocket with real Rasa
replies; stopping Rasa gives the degraded reply (phone and hours), with the helplines first when
the message is a crisis (the gateway's own net, read from Rasa's domain), /readyz names Rasa, and
the citizen's message is still stored; after Rasa is back the bot answers again.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
import websockets

from stack.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def start(base: str) -> str:
    response = httpx.post(f"{base}/api/conversations", json={"page_url": "https://council.example/"},
                          timeout=10)
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def say(base: str, cid: str, text: str) -> dict[str, Any]:
    response = httpx.post(f"{base}/api/conversations/{cid}/messages", json={"text": text},
                          timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


async def ws_turn(base: str, cid: str, text: str) -> list[dict[str, Any]]:
    """Send one message over the socket; return the messages until the first reply after it."""
    url = base.replace("http://", "ws://") + f"/ws/conversations/{cid}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        client_id = uuid.uuid4().hex
        await ws.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        seen: list[dict[str, Any]] = []
        acked = None
        async with asyncio.timeout(60):
            while True:
                frame = json.loads(await ws.recv())
                if frame["type"] == "ack":
                    acked = frame["id"]
                if frame["type"] == "message":
                    seen.append(frame["message"])
                    if acked and frame["message"]["role"] in ("bot", "system") and \
                            frame["message"]["id"] > acked:
                        return seen


def test_conversation_over_http_and_websocket(live_stack: LiveStack) -> None:
    base = live_stack.url
    ready = httpx.get(f"{base}/readyz", timeout=10).json()
    assert ready["ready"] is True, ready
    cid = start(base)
    first = say(base, cid, "hello")
    assert first["mode"] == "bot"
    assert first["messages"] and all(m["text"] for m in first["messages"])
    assert first["messages"][0]["role"] == "bot"
    second = say(base, cid, "my bin was not collected")
    assert second["messages"] and second["messages"][0]["role"] == "bot"
    seen = asyncio.run(ws_turn(base, cid, "what are the library opening hours"))
    texts = [m["text"] for m in seen]
    assert texts[:2] == ["hello", first["messages"][0]["text"]]  # history replayed first
    assert seen[-1]["role"] == "bot" and seen[-1]["text"]
    history = httpx.get(f"{base}/api/conversations/{cid}/messages", timeout=10).json()["messages"]
    ids = [m["id"] for m in history]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_stopping_rasa_gives_the_degraded_reply(live_stack: LiveStack) -> None:
    base = live_stack.url
    cid = start(base)
    live_stack.stop_process("rasa")
    try:
        body = say(base, cid, "is anyone there")
        [reply] = body["messages"]
        assert reply["role"] == "system" and "phone us on" in reply["text"]
        assert "Samaritans" not in reply["text"]
        [crisis] = say(base, cid, "i want to kill myself tonight")["messages"]
        assert crisis["text"].startswith("I'm so sorry") and "116 123" in crisis["text"]
        assert "phone us on" in crisis["text"]
        ready = httpx.get(f"{base}/readyz", timeout=10)
        assert ready.status_code == 503 and "rasa" in ready.json()["down"]
        seen = asyncio.run(ws_turn(base, cid, "still nobody?"))
        assert seen[-1]["role"] == "system" and "phone us on" in seen[-1]["text"]
        history = httpx.get(f"{base}/api/conversations/{cid}/messages", timeout=10).json()
        assert [m["text"] for m in history["messages"] if m["role"] == "citizen"] == [
            "is anyone there", "i want to kill myself tonight", "still nobody?"]
    finally:
        live_stack.start_process("rasa")
    again = say(base, cid, "hello")
    assert again["messages"][0]["role"] == "bot"


def test_out_of_hours_handoff_starts_the_callback_form(live_stack: LiveStack) -> None:
    """No adviser is online in this stack, so asking for one gets the bot's callback offer."""
    base = live_stack.url
    cid = start(base)
    say(base, cid, "hello")
    response = httpx.post(f"{base}/api/conversations/{cid}/handoff", json={}, timeout=60)
    body = response.json()
    assert body["mode"] == "bot" and body["state"]["out_of_hours"] is True
    # The gateway says once why no adviser is free (ADR 0303), then the bot offers a callback.
    roles = [m["role"] for m in body["messages"]]
    assert roles[:1] == ["system"] and "bot" in roles, body["messages"]
