"""The citizen WebSocket: resume without loss or duplication, idempotent sends, bad frames."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from privacy.refs import conversation_ref
from tests.gateway.conftest import ScriptedRasa, new_conversation, stream_length


def frames_until(ws: WebSocketTestSession, predicate: Any, limit: int = 30) -> list[dict[str, Any]]:
    """Receive frames until one satisfies ``predicate``; return all of them."""
    seen = []
    for _ in range(limit):
        frame = ws.receive_json()
        seen.append(frame)
        if predicate(frame):
            return seen
    raise AssertionError(f"no matching frame in {seen}")


def messages(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [f["message"] for f in frames if f["type"] == "message"]


def test_message_ack_reply_and_resume(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = new_conversation(client)
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        frames_until(ws, lambda f: f["type"] == "state")
        ws.send_json({"type": "message", "text": "first", "client_id": "c-1"})
        got = frames_until(ws, lambda f: f["type"] == "message" and f["message"]["role"] == "bot")
        ack = next(f for f in got if f["type"] == "ack")
        citizen = next(m for m in messages(got) if m["role"] == "citizen")
        assert ack == {"type": "ack", "client_id": "c-1", "id": citizen["id"]}
        bot = messages(got)[-1]
        assert bot["text"] == "echo: first"
    # a message stored while the citizen is away
    client.post(f"/api/conversations/{cid}/messages", json={"text": "second"})
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": bot["id"]})
        got = frames_until(ws, lambda f: f["type"] == "state")
        texts = [m["text"] for m in messages(got)]
        assert texts == ["second", "echo: second"]  # only what was missed, once, in order


def test_replayed_message_is_acked_again_and_stored_once(client: TestClient,
                                                         rasa: ScriptedRasa) -> None:
    cid = new_conversation(client)
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        frames_until(ws, lambda f: f["type"] == "state")
        ws.send_json({"type": "message", "text": "once", "client_id": "same"})
        first = frames_until(ws, lambda f: f["type"] == "message" and f["message"]["role"] == "bot")
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        last = messages(first)[-1]["id"]
        ws.send_json({"type": "resume", "after": last})
        frames_until(ws, lambda f: f["type"] == "state")
        ws.send_json({"type": "message", "text": "once", "client_id": "same"})
        ack = frames_until(ws, lambda f: f["type"] == "ack")[-1]
        assert ack["id"] == next(f for f in first if f["type"] == "ack")["id"]
        ws.send_json({"type": "ping"})
        after = frames_until(ws, lambda f: f["type"] == "pong")
        assert messages(after) == []
    assert stream_length(client, cid) == 2
    assert len(rasa.paths("POST")) == 1


def test_bad_frames_get_errors_and_store_nothing(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = new_conversation(client)
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        frames_until(ws, lambda f: f["type"] == "state")
        bad: list[tuple[Any, str]] = [
            ("not json", "bad_frame"),
            ([1, 2], "bad_frame"),
            ({"no": "type"}, "bad_frame"),
            ({"type": "explode"}, "bad_frame"),
            ({"type": "message", "text": "", "client_id": "a"}, "empty"),
            ({"type": "message", "text": "y" * 1001, "client_id": "b"}, "too_long"),
            ({"type": "message", "text": {"x": 1}, "client_id": "c"}, "not_text"),
            ({"type": "message", "text": "hi", "client_id": "bad id!"}, "bad_client_id"),
            ({"type": "resume", "after": "yesterday"}, "bad_frame"),
            ({"type": "feedback", "message_id": "x", "helpful": "yes"}, "bad_frame"),
            ("z" * 9000, "too_large"),
        ]
        for frame, code in bad:
            if isinstance(frame, str):
                ws.send_text(frame)
            else:
                ws.send_json(frame)
            error = frames_until(ws, lambda f: f["type"] == "error")[-1]
            assert error["code"] == code, (frame, error)
            assert error["detail"]
    assert stream_length(client, cid) == 0
    assert rasa.calls == []


@pytest.mark.parametrize("path", ["nonsense", "A" * 32])
def test_unknown_conversation_socket_is_closed_4404(client: TestClient, path: str) -> None:
    with client.websocket_connect(f"/ws/conversations/{path}") as ws:
        error = ws.receive_json()
        assert error["code"] == "unknown_conversation"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4404


def test_not_helpful_feedback_writes_a_redacted_gap_with_the_article(
        client: TestClient, rasa: ScriptedRasa) -> None:
    from tests.gateway.conftest import run, runtime_of

    rasa.replies = lambda text: [
        {"text": "Here is how to pay."},
        {"custom": {"sources": [{"article_id": "pay-council-tax", "title": "Pay council tax",
                                 "url": "https://c.example/tax#pay"}]}},
    ]
    cid = new_conversation(client)
    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        ws.send_json({"type": "message", "text": "pay tax, I'm jo@example.com", "client_id": "q"})
        bot = frames_until(ws, lambda f: f["type"] == "message"
                           and f["message"]["role"] == "bot")[-1]["message"]
        assert bot["sources"][0]["article_id"] == "pay-council-tax"
        ws.send_json({"type": "feedback", "message_id": bot["id"], "helpful": False})
        ws.send_json({"type": "ping"})
        frames_until(ws, lambda f: f["type"] == "pong")
    runtime = runtime_of(client)
    gaps = run(client, lambda: runtime.redis.xrange(runtime.settings.key("analytics", "gaps")))
    [(_, gap)] = gaps
    assert gap["reason"] == "not_helpful" and gap["article_id"] == "pay-council-tax"
    assert "jo@example.com" not in gap["question"]
    assert gap["conversation_ref"] == conversation_ref(cid) and "conversation_id" not in gap
