"""The classifier's second opinion, decided on the action server (ADR 0202, eighth round).

What must hold: a message Rasa's gate sent on the classifier's second opinion gets the
helplines from the guidance backstop and ends a form, unless the learned check vetoes it (then
it is answered or validated as any other message); with no check, or a check that fails to
load, the second opinion stands; a message without the gate's flag never asks the check.
Since the ninth round the same holds for a crisis phrase in the guidance backstop (the check's
phrase veto), while the forms' backstop keeps the patterns unvetoed.
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
    phrase: bool = True
    phrases: list[str] = field(default_factory=list)

    def second_opinion_stands(self, text: str) -> bool:
        self.asked.append(text)
        return self.stands

    def phrase_stands(self, text: str) -> bool:
        self.phrases.append(text)
        return self.phrase


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


PHRASE = "he's going to kill me, I need the police"  # a crisis phrase (asserted below)


def phrased(text: str = PHRASE, **kwargs: Any) -> Tracker:
    """The latest message as Rasa's gate sends a crisis phrase since the ninth round."""
    assert detect_safety_concern(text) is not None
    tracker = make_tracker(text, "nlu_fallback", **kwargs)
    tracker.latest_message["gate"] = {"reason": "phrase", "classifier": ["request_human", 0.6]}
    return tracker


@pytest.mark.parametrize("check", [None, FakeCheck(stands=True, phrase=True)])
async def test_a_crisis_phrase_gets_the_helplines_unless_vetoed(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch, check: FakeCheck | None
) -> None:
    use_check(monkeypatch, check)
    dispatcher = await run_guidance(phrased())
    assert dispatcher.messages[0]["response"] == "utter_safety_helplines"
    assert guidance.asked == []


async def test_a_vetoed_crisis_phrase_is_answered_from_guidance(
    guidance: FakeGuidance, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = FakeCheck(stands=True, phrase=False)
    use_check(monkeypatch, check)
    dispatcher = await run_guidance(phrased())
    assert check.phrases == [PHRASE] and guidance.asked == [PHRASE]
    assert all(m.get("response") != "utter_safety_helplines" for m in dispatcher.messages)


def test_a_check_that_fails_to_load_lets_the_phrase_stand(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> None:
        raise RuntimeError("no model")

    monkeypatch.setattr(crisis_opinion, "get_crisis_similarity", broken)
    assert crisis_opinion.crisis_by_phrase(PHRASE)
    assert not crisis_opinion.crisis_by_phrase("how do I pay my council tax")


@pytest.mark.parametrize("form", [ValidateMissedBinForm, ValidateCallbackForm])
async def test_inside_a_form_a_crisis_phrase_ends_the_form_even_when_the_check_would_veto(
    form: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = FakeCheck(stands=False, phrase=False)
    use_check(monkeypatch, check)
    dispatcher = CollectingDispatcher()
    tracker = phrased(slots={"requested_slot": "bin_postcode"})
    events = await form().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    assert any(m.get("response") == "utter_safety_helplines" for m in dispatcher.messages)
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert check.phrases == []


@dataclass
class FlaggingCheck(FakeCheck):
    """A check whose semantic verdict is fixed (``crisis``) and that records what it was asked."""

    crisis: bool = True
    judged: list[str] = field(default_factory=list)

    def level(self, text: str) -> str | None:
        self.judged.append(text)
        return "crisis" if self.crisis else None


def use_semantic(monkeypatch: pytest.MonkeyPatch, check: Any) -> None:
    from actions import safety_backstop

    monkeypatch.setattr(safety_backstop, "get_crisis_similarity", lambda: check)
    use_check(monkeypatch, check)


ANSWER = "sorry cant think about bins, not sure I'll be around for much longer"  # no phrase


@pytest.mark.parametrize("form", [ValidateMissedBinForm, ValidateCallbackForm])
@pytest.mark.parametrize("crisis", [True, False])
async def test_inside_a_form_the_learned_check_judges_each_answer(
    form: type, crisis: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADR 0202, sixteenth session: an answer without a crisis phrase that the learned check
    flags ends the form with the helplines and the adviser offer, as it would outside a form;
    one it does not flag is validated as an answer (the form goes on)."""
    assert detect_safety_concern(ANSWER) is None
    check = FlaggingCheck(stands=False, crisis=crisis)
    use_semantic(monkeypatch, check)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(ANSWER, "inform", slots={"requested_slot": "bin_postcode"})
    events = await form().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    helplines = [m for m in dispatcher.messages if m.get("response") == "utter_safety_helplines"]
    ended = {"event": "active_loop", "name": None, "timestamp": None} in events
    assert check.judged == [ANSWER]
    assert bool(helplines) is crisis and ended is crisis


@pytest.mark.parametrize("answer", ["/affirm", "👍 👍", "12"])
async def test_inside_a_form_a_button_or_an_answer_without_words_never_asks_the_check(
    answer: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the citizen's own words are judged, as outside a form."""
    check = FlaggingCheck(stands=False, crisis=True)
    use_semantic(monkeypatch, check)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(answer, "affirm", slots={"requested_slot": "missed_bin_confirm"})
    await ValidateMissedBinForm().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    assert check.judged == []
    assert all(m.get("response") != "utter_safety_helplines" for m in dispatcher.messages)


async def test_inside_a_form_a_failing_check_leaves_the_answer_to_the_form(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A check that raises never blocks the form: the answer is validated as before."""
    from actions import safety_backstop

    def broken() -> None:
        raise RuntimeError("no model")

    monkeypatch.setattr(safety_backstop, "get_crisis_similarity", broken)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(ANSWER, "inform", slots={"requested_slot": "bin_postcode"})
    events = await ValidateMissedBinForm().run(dispatcher, tracker, {"forms": {}, "slots": {}})
    assert all(m.get("response") != "utter_safety_helplines" for m in dispatcher.messages)
    assert {"event": "active_loop", "name": None, "timestamp": None} not in events
