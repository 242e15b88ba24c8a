"""One question limit, from its owner ``knowledge.questions`` (issue 15).

Real gateway app on the real Redis (scripted Rasa); the action server's reader, the gap
stream, the guidance service and the pages' scripts read from source.
What must hold: a message of exactly the limit is taken and one character more is refused with
``too_long`` naming the limit, the same over HTTP, over the WebSocket and from an adviser;
the guidance service refuses the same length; the gap stream and the action server cap at it;
and the browser scripts' own copies (which cannot import Python) state the same numbers.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from actions.conversation import latest_text
from gateway.routers.performance import MAX_COMMENT_CHARS
from gateway.schemas import CannedReply
from knowledge.answering import QuestionError, check_question
from knowledge.example_questions import MAX_CHARS as MAX_EXAMPLE_CHARS
from knowledge.questions import MAX_QUESTION_CHARS
from records.gaps import GapEntry
from tests.actions.fakes import make_tracker
from tests.gateway.conftest import ScriptedRasa, add_user, login, new_conversation
from tests.gateway.test_citizen_ws import frames_until

LIMIT = MAX_QUESTION_CHARS
WIDGET = Path(__file__).resolve().parents[2] / "widget"
SENTENCE = "my green bin was not collected on Tuesday, what should I do next? "


def text_of(length: int) -> str:
    return (SENTENCE * (length // len(SENTENCE) + 1))[:length - 1] + "?"


def test_http_and_websocket_take_the_limit_and_refuse_one_more(
    client: TestClient, rasa: ScriptedRasa
) -> None:
    cid = new_conversation(client)
    url = f"/api/conversations/{cid}/messages"
    over = client.post(url, json={"text": text_of(LIMIT + 1)})
    assert over.status_code == 422, over.text
    assert over.json()["error"]["code"] == "too_long"
    assert f"{LIMIT:,} characters" in over.json()["error"]["detail"]
    taken = client.post(url, json={"text": text_of(LIMIT)})
    assert taken.status_code == 200, taken.text
    assert len(taken.json()["received"]["text"]) == LIMIT

    with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        frames_until(ws, lambda f: f["type"] == "state")
        ws.send_json({"type": "message", "text": text_of(LIMIT + 1), "client_id": "over"})
        error = frames_until(ws, lambda f: f["type"] == "error")[-1]
        assert error["code"] == "too_long" and f"{LIMIT:,}" in error["detail"]
        ws.send_json({"type": "message", "text": text_of(LIMIT), "client_id": "at"})
        ack = frames_until(ws, lambda f: f["type"] in ("ack", "error"))[-1]
        assert ack["type"] == "ack", ack


def test_an_adviser_has_the_same_limit(client: TestClient, rasa: ScriptedRasa) -> None:
    cid = new_conversation(client)
    add_user(client, "lim", "adviser")
    csrf = login(client, "lim")
    over = client.post(
        f"/api/console/conversations/{cid}/messages",
        json={"text": text_of(LIMIT + 1)}, headers={"X-CSRF-Token": csrf},
    )
    assert over.status_code == 422 and over.json()["error"]["code"] == "too_long", over.text
    CannedReply(title="Bins", text=text_of(LIMIT))
    with pytest.raises(ValidationError):
        CannedReply(title="Bins", text=text_of(LIMIT + 1))


def test_guidance_gaps_and_actions_use_the_same_limit() -> None:
    assert check_question(text_of(LIMIT)) == text_of(LIMIT)
    with pytest.raises(QuestionError, match=f"at most {LIMIT}"):
        check_question(text_of(LIMIT + 1))
    entry = GapEntry.new(text_of(LIMIT + 50), "abstained", "ref12345")
    assert len(entry.question) == LIMIT
    assert len(latest_text(make_tracker(text_of(LIMIT + 50)))) == LIMIT


def script_number(path: Path, pattern: str) -> int:
    found = re.search(pattern, path.read_text(encoding="utf-8"))
    assert found, f"{path.name}: no match for {pattern}"
    return int(found.group(1))


def test_the_pages_scripts_state_the_same_limits() -> None:
    """The browser cannot import Python: each copy is checked against its owner here."""
    assert script_number(WIDGET / "assistant.js", r"export const MAX_LENGTH = (\d+);") == LIMIT
    assert script_number(WIDGET / "console" / "console.js", r"const MAX_LENGTH = (\d+);") == LIMIT
    assert script_number(
        WIDGET / "editor" / "edit.html", r'id="try-question"[^>]*maxlength="(\d+)"'
    ) == LIMIT
    assert script_number(
        WIDGET / "editor" / "questions.js", r"const MAX_CHARS = (\d+);"
    ) == MAX_EXAMPLE_CHARS
    assert script_number(
        WIDGET / "src" / "survey.js", r'id: "csa-survey-comment"[^}]*maxlength: "(\d+)"'
    ) == MAX_COMMENT_CHARS
