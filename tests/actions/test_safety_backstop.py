"""The crisis backstop in every action a crisis message can reach outside a form (ADR 0202, later).

What must hold:
- a crisis message the classifier took for ``request_human``, ``not_what_i_asked`` /
  ``feedback_not_helpful``, ``feedback_helpful``, ``request_callback`` or ``report_missed_bin``
  gets, from ``action_handoff``, ``action_not_helpful``, ``action_feedback_helpful``,
  ``action_callback_start`` and ``action_missed_bin_start``, the
  helplines and the offer of a priority adviser (``handoff_reason``
  safety), exactly as guidance sends them, and never the action's ordinary reply: no handoff
  payload, no pause, no failure counted, no "anything else?";
- by a crisis phrase (the patterns) and by the semantic check alike (here a stand-in check that
  flags the seen lines; ``test_safety_backstop_real.py`` runs the real one);
- an ordinary message, a button's ``/intent`` command and a gateway trigger get exactly the
  ordinary reply; accepting the safety offer hands over with priority (never a second offer);
  a failing check never blocks a handoff.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions import safety_backstop
from actions.callback import ActionCallbackStart
from actions.feedback import ActionFeedbackHelpful, ActionNotHelpful
from actions.handoff import ActionHandoff
from actions.missed_bin import ActionMissedBinStart
from tests.actions.fakes import FakeGuidance, make_tracker

PHRASE = "I want to end my life"  # a crisis phrase of safety/patterns.py
# Seen crisis lines (ADR 0202's seen sets) that the classifier gave these intents.
SEEN = {
    "request_human": "SH is getting out of control, I need someone to talk to now",
    "not_what_i_asked": "the only thing that helps is cutting. doing it now",
    "feedback_not_helpful": "the only thing that helps is cutting. doing it now",
    "feedback_helpful": "got r@ped at a party need help",
    "request_callback": (
        "Please can someone check on my brother, he sent me a text saying goodbye and that he "
        "loves me and now his phone is off"
    ),
    "report_missed_bin": (
        "Bin collection's Thursday, right? Not that it matters, I'll have done myself in by then."
    ),
}
ACTIONS: dict[str, type[Action]] = {
    "request_human": ActionHandoff,
    "not_what_i_asked": ActionNotHelpful,
    "feedback_not_helpful": ActionNotHelpful,
    "feedback_helpful": ActionFeedbackHelpful,
    "request_callback": ActionCallbackStart,
    "report_missed_bin": ActionMissedBinStart,
}


class StandInCheck:
    """The semantic check's verdict only: the seen crisis lines are crisis, nothing else."""

    def level(self, text: str) -> str | None:
        return "crisis" if text in SEEN.values() else None


@pytest.fixture
def stand_in_check(guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety_backstop, "get_crisis_similarity", StandInCheck)


async def run(
    action: type[Action], text: str, intent: str, **kwargs: Any
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await action().run(dispatcher, make_tracker(text, intent, **kwargs), {})
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return dispatcher.messages, events, slots


def assert_crisis_reply(
    messages: list[dict[str, Any]], events: list[dict[str, Any]], slots: dict[str, Any]
) -> None:
    """The helplines, then the priority adviser offer, and nothing of the ordinary reply."""
    assert [m.get("response") for m in messages] == ["utter_safety_helplines", None], messages
    assert "ahead of the queue" in messages[1]["text"]
    assert slots == {"offer": "adviser", "handoff_reason": "safety", "last_topic": "safety"}
    assert not any((m.get("custom") or {}).get("handoff") for m in messages)
    assert [e["event"] for e in events] == ["slot"] * 3  # no pause, no failure count


@pytest.mark.parametrize("intent", sorted(ACTIONS))
async def test_a_crisis_phrase_gets_the_crisis_reply(guidance: FakeGuidance, intent: str) -> None:
    assert_crisis_reply(*await run(ACTIONS[intent], PHRASE, intent))


@pytest.mark.parametrize("intent", sorted(ACTIONS))
async def test_a_crisis_the_semantic_check_flags_gets_the_crisis_reply(
    stand_in_check: None, intent: str
) -> None:
    assert_crisis_reply(*await run(ACTIONS[intent], SEEN[intent], intent))


async def test_an_ordinary_request_for_a_person_is_handed_over(stand_in_check: None) -> None:
    for text in ("I want to speak to a person", "/request_human"):
        messages, events, _ = await run(ActionHandoff, text, "request_human")
        assert messages[0]["custom"]["handoff"]["priority"] is False, text
        assert events[-1]["event"] == "pause", text


async def test_accepting_the_safety_offer_hands_over_with_priority(stand_in_check: None) -> None:
    """Even when the acceptance itself is a crisis message: never a second offer."""
    for text in ("yes", SEEN["request_human"]):
        messages, events, _ = await run(
            ActionHandoff, text, "affirm", slots={"handoff_reason": "safety"}
        )
        assert messages[0]["custom"]["handoff"]["priority"] is True, text
        assert "999" in messages[0]["text"]
        assert events[-1]["event"] == "pause", text


async def test_an_ordinary_not_helpful_counts_a_failure(
    stand_in_check: None, fake_redis: Any
) -> None:
    messages, _, slots = await run(ActionNotHelpful, "that's not what I asked", "not_what_i_asked")
    assert messages[0]["text"].startswith("Sorry about that")
    assert slots == {"failed_attempts": 1.0, "offer": None}


async def test_ordinary_thanks_are_thanked_and_reset_the_failure_count(
    stand_in_check: None,
) -> None:
    for text in ("that helped, thanks", "/feedback_helpful"):
        messages, _, slots = await run(ActionFeedbackHelpful, text, "feedback_helpful")
        assert len(messages) == 1 and messages[0]["text"].startswith(
            "Thanks for letting us know"
        ), text
        assert slots == {"failed_attempts": 0.0, "offer": None}, text


async def test_an_ordinary_callback_request_is_told_what_the_form_asks(
    stand_in_check: None,
) -> None:
    """The rule then starts the form; a pending offer is cleared, so the crisis rule (which
    needs ``offer`` adviser) cannot match."""
    for text in ("can someone ring me back", "/request_callback"):
        messages, events, _ = await run(
            ActionCallbackStart, text, "request_callback", slots={"offer": "adviser"}
        )
        assert [m.get("response") for m in messages] == ["utter_callback_start"], text
        assert events == [{"event": "slot", "timestamp": None, "name": "offer", "value": None}]


async def test_a_gateway_trigger_is_not_checked(stand_in_check: None) -> None:
    messages, events, _ = await run(
        ActionHandoff, PHRASE, "request_human", metadata={"is_external": True}
    )
    assert messages[0]["custom"]["handoff"]["reason"] == "requested"
    assert events[-1]["event"] == "pause"


async def test_a_failing_check_never_blocks_a_handoff(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> None:
        raise RuntimeError("no model")

    monkeypatch.setattr(safety_backstop, "get_crisis_similarity", broken)
    messages, events, _ = await run(ActionHandoff, "I want to speak to a person", "request_human")
    assert messages[0]["custom"]["handoff"]["priority"] is False
    assert events[-1]["event"] == "pause"
    # the patterns still decide (with no check the phrase stands)
    assert_crisis_reply(*await run(ActionHandoff, PHRASE, "request_human"))


async def test_a_crisis_asked_with_a_language_request_gets_the_helplines(
    stand_in_check: None,
) -> None:
    """What must hold: a short English message the gate takes for a language request
    (``asks_for_language``) still passes the backstop before the interpreter line."""
    from actions.language import ActionLanguageHelp

    messages, _, slots = await run(
        ActionLanguageHelp, "need interpreter, I want to end my life", "other_language")
    assert messages[0]["response"] == "utter_safety_helplines", messages
    assert slots["handoff_reason"] == "safety"
