"""Redaction of a serialised Rasa dialogue (privacy.tracker_redaction.redact_dialogue).

Runs in the app venv against the pure function (the Rasa class itself is exercised through
the real Rasa in test_privacy_live.py). What must hold: user texts become the gateway's
redacted copy (or the regex one); a card or NI number is removed from slot events even while
the form runs; the current answers of a running form are kept (the form needs them); once the
form is done, personal answers become "[removed]" everywhere, bot replies included.
"""

from __future__ import annotations

import json
from typing import Any

from privacy import tracker_redaction as rasa_tracker_store


def user(text: str, redacted: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "user", "text": text, "parse_data": {"text": text}}
    if redacted is not None:
        event["metadata"] = {"redacted_text": redacted}
    return event


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


FORMS = {"callback_form": ["callback_name", "callback_phone"]}


def test_running_form_keeps_its_answers_but_never_a_card_number() -> None:
    dialogue = {"events": [
        user("can you ring me"), {"event": "active_loop", "name": "callback_form"},
        user("Ann Lee", "[name removed]"), slot("callback_name", "Ann Lee"),
        user("4111 1111 1111 1111"), slot("callback_phone", "4111 1111 1111 1111"),
        slot("callback_phone", None),
    ]}
    stored = json.dumps(rasa_tracker_store.redact_dialogue(dialogue, FORMS))
    assert "4111" not in stored
    assert dialogue["events"][3]["value"] == "Ann Lee"  # the form still needs it
    assert "Ann Lee" not in dialogue["events"][2]["text"]  # but the message itself is not


def test_finished_form_leaves_no_personal_answer() -> None:
    dialogue = {"events": [
        {"event": "active_loop", "name": "callback_form"},
        user("Ann Lee"), slot("callback_name", "Ann Lee"),
        user("07700 900111"), slot("callback_phone", "07700 900111"),
        {"event": "bot", "text": "Thank you, Ann Lee. We will call 07700 900111."},
        {"event": "active_loop", "name": None},
        slot("callback_name", None), slot("callback_phone", None),
    ]}
    stored = json.dumps(rasa_tracker_store.redact_dialogue(dialogue, FORMS))
    assert "Ann Lee" not in stored and "900111" not in stored


def test_recovered_values() -> None:
    assert rasa_tracker_store.recovered_values(
        "I am Ann Lee of 3 Oak Road", "I am [name removed] of [address removed]"
    ) == ["Ann Lee", "3 Oak Road"]
    assert rasa_tracker_store.recovered_values("hello", "hello") == []


def test_saving_again_redacts_each_text_once_with_the_same_result(monkeypatch: Any) -> None:
    """Every save redacts the whole stored dialogue again; the regular-expression pass is
    remembered per text, so a second save finds nothing new to scan and stores the same."""
    calls: list[str] = []
    real = rasa_tracker_store.redact

    def counting(text: str, kinds: Any = rasa_tracker_store.ALL_KINDS) -> Any:
        calls.append(text)
        return real(text, kinds)

    monkeypatch.setattr(rasa_tracker_store, "redact", counting)
    rasa_tracker_store.redacted_text.cache_clear()

    def dialogue() -> dict[str, Any]:
        return {"events": [
            user("my card is 4111 1111 1111 1111, mail ann@example.org"),
            {"event": "bot", "text": "You can pay your council tax online or by phone."},
            user("thanks"),
        ]}

    first = json.dumps(rasa_tracker_store.redact_dialogue(dialogue(), FORMS))
    scanned = len(calls)
    second = json.dumps(rasa_tracker_store.redact_dialogue(dialogue(), FORMS))
    assert scanned > 0 and len(calls) == scanned  # nothing scanned twice
    assert first == second and "4111" not in first and "ann@example.org" not in first
    rasa_tracker_store.redacted_text.cache_clear()
    monkeypatch.setattr(rasa_tracker_store, "redact", real)
    assert json.dumps(rasa_tracker_store.redact_dialogue(dialogue(), FORMS)) == first
