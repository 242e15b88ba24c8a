"""The gap writer through the real gateway turn (issue 14 item 13), on the real Redis.

Rasa is scripted here (the turn, the transcript, the handoff service, the gap stream and the
editor's gaps API are the real ones). What must hold: a button payload the bot could not place
is recorded as the question it followed, never as "/affirm"; a handoff records the question
asked before "I want to talk to a person"; a conversation disclosing abuse is never recorded;
the gaps page shows none of the three kinds of text that must not appear.
"""

from __future__ import annotations

import json
from typing import Any

from gateway.rasa_transport import HttpxTransport
from privacy.refs import conversation_ref
from tests.gateway.conftest import ScriptedRasa, runtime_of

from .conftest import Editors

ABSTAIN = [{"text": "Sorry, I don't know that one.", "custom": {"abstained": True}}]
HANDOFF = [{"text": "I'll pass you to an adviser.", "custom": {"handoff": {"reason": "requested"}}}]
SAFETY = [
    {
        "text": "You can call the helplines below.",
        "custom": {"handoff": {"reason": "safety", "priority": True}},
    }
]


def script(text: str) -> list[dict[str, Any]]:
    if "person" in text:
        return HANDOFF
    if "partner" in text:
        return SAFETY
    return ABSTAIN


def say(editors: Editors, conversation_id: str, text: str) -> None:
    response = editors.client.post(
        f"/api/conversations/{conversation_id}/messages", json={"text": text}
    )
    assert response.status_code == 200, response.text


def test_gaps_record_real_questions_only(editors: Editors) -> None:
    runtime = runtime_of(editors.client)
    fake = ScriptedRasa(replies=script)
    runtime.rasa.transport = HttpxTransport.mocked(fake.handler)
    start = editors.client.post("/api/conversations", json={})
    first = start.json()["conversation_id"]
    say(editors, first, "where do I get a permit for a skip on the road")
    say(editors, first, "/affirm")
    say(editors, first, "I want to talk to a person")

    second = editors.client.post("/api/conversations", json={}).json()["conversation_id"]
    say(editors, second, "my partner hits me and I need to get out")
    say(editors, second, "I want to talk to a person")

    key = runtime.settings.key("analytics", "gaps")
    entries = editors.client.portal.call(runtime.redis.xrange, key)  # type: ignore[union-attr]
    # Gap entries name the conversation by its one-way ref, never by the id (issue 11).
    recorded = [(f["reason"], f["question"]) for _, f in entries]
    skip = "where do I get a permit for a skip on the road"
    # "/affirm" is recorded as the question it followed; the second conversation recorded
    # nothing, its only question being a disclosure.
    assert set(recorded) == {("abstained", skip), ("handoff", skip)}, recorded
    assert conversation_ref(second) not in {f.get("conversation_ref") for _, f in entries}
    assert all(not q.startswith("/") and "person" not in q for _, q in recorded), recorded

    page = json.dumps(editors.call("eddie", "GET", "/api/editor/gaps").json())
    for unwanted in ("/affirm", "talk to a person", "partner hits me"):
        assert unwanted not in page


def test_an_abstained_question_is_recorded_without_personal_data(editors: Editors) -> None:
    """The turn's own redaction is reused for the gap: it must equal what redacting the
    question again gives, and no personal value may reach the gap stream."""
    from privacy.redactor import redact_fully

    runtime = runtime_of(editors.client)
    runtime.rasa.transport = HttpxTransport.mocked(ScriptedRasa(replies=script).handler)
    question = "can Jane Smith at jane.smith@example.org pay council tax for NI AB123456C"
    conversation = editors.client.post("/api/conversations", json={}).json()["conversation_id"]
    say(editors, conversation, question)
    key = runtime.settings.key("analytics", "gaps")
    entries = editors.client.portal.call(runtime.redis.xrange, key)  # type: ignore[union-attr]
    [recorded] = [f["question"] for _, f in entries
                  if f.get("conversation_ref") == conversation_ref(conversation)]
    expected = editors.client.portal.call(redact_fully, question).text  # type: ignore[union-attr]
    assert recorded == expected
    for value in ("Jane", "jane.smith@example.org", "AB123456C"):
        assert value not in recorded
