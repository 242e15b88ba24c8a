"""The missed-bin form's opener (ADR 0201, seventeenth session).

What must hold:
- a typed bin report gets the guidance section ``knowledge`` decides to answer with, quoted with
  its source but without feedback buttons, then the form's opener; the answer's slots are set
  and any pending offer is cleared (so the rule goes on to the form);
- the search sees the message without personal data, and the citizen is not told off for
  giving contact details (the form asks for them);
- when ``knowledge`` does not answer (did you mean, abstain) or fails, only the opener: no
  "did you mean" buttons, no abstention reply, no failure counted;
- the button's payload gets only the opener, with no search;
- a crisis message taken for a bin report gets the helplines and the adviser offer, never the
  opener (``test_safety_backstop.py`` holds the reply's exact shape).
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.missed_bin import ActionMissedBinStart
from tests.actions.fakes import FakeGuidance, make_tracker


async def start(text: str, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionMissedBinStart().run(
        dispatcher, make_tracker(text, "report_missed_bin", **kwargs), {}
    )
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return dispatcher.messages, slots


async def test_a_typed_report_gets_the_guidance_quote_then_the_opener(
    guidance: FakeGuidance,
) -> None:
    messages, slots = await start("my bin was missed what do I do", slots={"offer": "callback"})
    assert [m.get("response") for m in messages] == [None, "utter_missed_bin_start"]
    quote = messages[0]
    assert "within 2 working days" in quote["text"]
    assert quote["custom"]["sources"][0]["article_id"] == "missed-bin"
    assert not quote["buttons"]  # the form's first question follows: no feedback buttons
    assert slots["last_article_id"] == "missed-bin"
    assert slots["offer"] is None


async def test_the_search_sees_no_personal_data_and_the_citizen_is_not_told_off(
    guidance: FakeGuidance,
) -> None:
    messages, _ = await start("my bin was missed, email me at sam@example.com what do I do")
    assert [m.get("response") for m in messages] == [None, "utter_missed_bin_start"]
    assert "sam@example.com" not in guidance.asked[-1]
    assert not any("don't need" in (m.get("text") or "") for m in messages)


async def test_without_an_answer_only_the_opener(guidance: FakeGuidance) -> None:
    for text in ("parking permit please", "how do I train a dragon", "🗑️🗑️"):
        messages, slots = await start(text, slots={"failed_attempts": 1.0})
        assert [m.get("response") for m in messages] == ["utter_missed_bin_start"], text
        assert not messages[0].get("buttons"), text
        assert slots == {"offer": None}, text


async def test_a_failing_search_still_starts_the_form(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(question: str) -> None:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(guidance, "answer", broken)
    messages, slots = await start("my bin was missed what do I do")
    assert [m.get("response") for m in messages] == ["utter_missed_bin_start"]
    assert slots == {"offer": None}


async def test_the_button_starts_the_form_without_a_search(guidance: FakeGuidance) -> None:
    asked = len(guidance.asked)
    messages, slots = await start("/report_missed_bin")
    assert [m.get("response") for m in messages] == ["utter_missed_bin_start"]
    assert len(guidance.asked) == asked
    assert slots == {"offer": None}


async def test_a_crisis_taken_for_a_bin_report_gets_the_helplines(guidance: FakeGuidance) -> None:
    messages, slots = await start("my bin wasn't emptied and I want to end my life")
    assert messages[0].get("response") == "utter_safety_helplines"
    assert "utter_missed_bin_start" not in [m.get("response") for m in messages]
    assert slots["offer"] == "adviser"
