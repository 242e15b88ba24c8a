"""The widget tests' stand-in (tests/widget/fake_service.py) speaks the real gateway's contract.

One script of citizen frames is played against the real gateway (real Redis, Rasa scripted to
echo) and against the fake (scripted to echo the same way). What must hold: for every step
both send the same sequence of frame types, each frame with the same fields, and the same
roles, texts, error codes and words, so a widget behaviour proven against the fake holds
against the gateway. The one order that is not fixed is a message's ``ack`` against its own
``message`` frame: the gateway sends them by two paths (the handler that stored it, the stream
reader), so either may come first (docs/contracts.md); a step holds them as ack, then echo.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.gateway.conftest import ScriptedRasa
from tests.widget.fake_service import FakeService

Frame = dict[str, Any]
# Fields whose values differ by nature (ids, times, live counts); only their presence counts.
VOLATILE = {"id", "ts", "client_id", "eta_seconds", "queue_position", "wait_text"}


def shape(frame: Frame) -> Frame:
    """What must match: the fields present, and every value that is not volatile."""
    out: Frame = {}
    for key, value in sorted(frame.items()):
        if isinstance(value, dict):
            out[key] = shape(value)
        elif key in VOLATILE:
            out[key] = "<present>"
        else:
            out[key] = value
    return out


def acks_first(frames: list[Frame]) -> list[Frame]:
    """The frames with each citizen message's ``message`` frame that comes right before its
    own ``ack`` moved after it (the one pair whose order is a race)."""
    out = list(frames)
    for n in range(len(out) - 1):
        echo, ack = out[n], out[n + 1]
        if (
            echo.get("type") == "message"
            and ack.get("type") == "ack"
            and echo["message"].get("client_id") == ack.get("client_id")
        ):
            out[n], out[n + 1] = ack, echo
    return out


def until(ws: WebSocketTestSession, done: Callable[[Frame], bool], limit: int = 20) -> list[Frame]:
    """Frames up to and including the first one for which ``done`` is true.

    Typing hints are left out: they travel by pub/sub and may come at any point, or not at all.
    """
    seen = []
    for _ in range(limit):
        frame = ws.receive_json()
        if frame.get("type") == "typing":
            continue
        seen.append(frame)
        if done(frame):
            return seen
    raise AssertionError(f"script step never finished: {seen}")


def is_bot_message(frame: Frame) -> bool:
    return frame["type"] == "message" and frame["message"]["role"] == "bot"


def play(client: TestClient) -> list[list[Frame]]:
    """The script: every step's frames, shaped for comparison."""
    created = client.post("/api/conversations", json={})
    assert created.status_code == 201
    cid = created.json()["conversation_id"]
    steps: list[list[Frame]] = []
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        steps.append(until(ws, lambda f: f["type"] == "state"))
        ws.send_json({"type": "message", "text": "my bin was missed", "client_id": "c-1"})
        steps.append(until(ws, is_bot_message))
        ws.send_json({"type": "message", "text": "my bin was missed", "client_id": "c-1"})
        steps.append(until(ws, lambda f: f["type"] == "ack"))
        ws.send_json({"type": "ping"})
        steps.append(until(ws, lambda f: f["type"] == "pong"))
        ws.send_json({"type": "message", "text": "   ", "client_id": "c-2"})
        steps.append(until(ws, lambda f: f["type"] == "error"))
        ws.send_json({"type": "message", "text": "x" * 1001, "client_id": "c-3"})
        steps.append(until(ws, lambda f: f["type"] == "error"))
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        steps.append(until(ws, lambda f: f["type"] == "state"))
    return [[shape(f) for f in acks_first(step)] for step in steps]


def test_fake_and_gateway_send_the_same_frames(client: TestClient, rasa: ScriptedRasa) -> None:
    fake = FakeService()
    fake.reply = lambda text: [{"role": "bot", "text": f"echo: {text}"}]
    with TestClient(fake.app) as fake_client:
        expected = play(client)
        got = play(fake_client)
    for number, (real_step, fake_step) in enumerate(zip(expected, got, strict=True), start=1):
        assert fake_step == real_step, f"step {number} differs"
