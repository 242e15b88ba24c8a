"""The classifier's second opinion, decided on the action server (ADR 0202, eighth round).

What must hold: a message Rasa's gate sent on the classifier's second opinion gets the
helplines from the guidance backstop and ends a form, unless the learned check vetoes it (then
it is answered or validated as any other message); with no check, or a check that fails to
load, the second opinion stands; a message without the gate's flag never asks the check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import crisis_opinion
from actions.callback import ValidateCallbackForm
from actions.guidance import ActionGuidanceAnswer
from actions.missed_bin import ValidateMissedBinForm
from safety.detection import detect_safety_concern
from safety.gate import SECOND_OPINION
from tests.actions.fakes import FakeGuidance, make_tracker

TEXT = "my bin was missed and I feel so scared"  # no crisis phrase; the fake answers "bin"


@dataclass
class FakeCheck:
    """The action server's crisis check with a fixed veto answer."""

    stands: bool
    asked: list[str] = field(default_factory=list)

    def second_opinion_stands(self, text: str) -> bool:
        self.asked.append(text)
        return self.stands


def flagged(text: str, held: bool = True, **kwargs: Any) -> Tracker:
    tracker = make_tracker(text, "nlu_fallback", **kwargs)
    reason = SECOND_OPINION if held else "unchanged"
    tracker.latest_message["gate"] = {"reason": reason, "classifier": ["safety_concern", 0.9]}
    return tracker


def use_check(monkeypatch: pytest.MonkeyPatch, check: Any) -> None:
    monkeypatch.setattr(crisis_opinion, "get_crisis_similarity", lambda: check)


async def run_guidance(tracker: Tracker) -> CollectingDispatcher:
    dispatcher = CollectingDispatcher()
    await ActionGuidanceAnswer().run(dispatcher, tracker, {})
    return dispatcher


async def test_a_second_opinion_with_no_check_gets_the_helplines(guidance: FakeGuidance) -> None:
    assert detect_safety_concern(TEXT) is None  # only the second opinion can decide
    dispatcher = await run_guidance(flagged(TEXT))  # the fake guidance has no embedding model
    assert dispatcher.messages[0]["response"] == "utter_safety_helplines"
    assert guidance.asked == []


async def test_a_second_opinion_the_check_keeps_gets_the_helplines(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = FakeCheck(stands=True)
    use_check(monkeypatch, check)
    dispatcher = await run_guidance(flagged(TEXT))
    assert dispatcher.messages[0]["response"] == "utter_safety_helplines"
    assert check.asked == [TEXT] and guidance.asked == []


async def test_a_vetoed_second_opinion_is_answered_from_guidance(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_check(monkeypatch, FakeCheck(stands=False))
    dispatcher = await run_guidance(flagged(TEXT))
    assert guidance.asked == [TEXT]
    assert all(m.get("response") != "utter_safety_helplines" for m in dispatcher.messages)


async def test_without_the_gate_flag_the_check_is_not_asked(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = FakeCheck(stands=True)
    use_check(monkeypatch, check)
    dispatcher = await run_guidance(flagged(TEXT, held=False))
    assert check.asked == [] and guidance.asked == [TEXT]
    assert all(m.get("response") != "utter_safety_helplines" for m in dispatcher.messages)


def test_a_check_that_fails_to_load_lets_the_second_opinion_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise RuntimeError("no model")

    monkeypatch.setattr(crisis_opinion, "get_crisis_similarity", broken)
    assert crisis_opinion.crisis_by_second_opinion(flagged(TEXT), TEXT)


@pytest.mark.parametrize("form", [ValidateMissedBinForm, ValidateCallbackForm])
@pytest.mark.parametrize("stands", [True, False])
async def test_inside_a_form_a_second_opinion_ends_the_form_unless_vetoed(
    form: type, stands: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_check(monkeypatch, FakeCheck(stands=stands))
    dispatcher = CollectingDispatcher()
    tracker = flagged(TEXT, slots={"requested_slot": "bin_postcode"})
    events = await form().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    helplines = [m for m in dispatcher.messages if m.get("response") == "utter_safety_helplines"]
    ended = {"event": "active_loop", "name": None, "timestamp": None} in events
    assert bool(helplines) is stands and ended is stands
