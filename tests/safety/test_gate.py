"""The crisis decision: lexical phrases decide, the classifier is only a second opinion.

What must hold: the issue-10 questions the classifier called ``safety_concern`` (walk-in
shower, National Insurance number, Universal Credit with savings, eviction next week) go to
guidance; a crisis phrase wins over any other intent; a confident classifier backed by a risk
word goes to guidance as a second opinion the action server decides; other intents pass
through, or fall back below the threshold.
"""

from __future__ import annotations

import pytest

from safety.gate import PHRASE, SECOND_OPINION, SECOND_OPINION_MIN, decide, second_opinion
from safety.routing import gets_crisis_reply

THRESHOLD = 0.25


@pytest.mark.parametrize(
    "text",
    [
        "my dad is disabled and needs a walk-in shower, can the council help pay for it",
        "I can't find my national insurance number",
        "can I get universal credit if I have savings",
        "my landlord says I'm being evicted next week",
        "i have MS and the bin store is too far for me to walk to",
        "I keep getting parking tickets outside my own house, I'm sick of it",
    ],
)
def test_classifier_false_alarms_are_overruled_to_guidance(text: str) -> None:
    verdict = decide(text, [("safety_concern", 0.97), ("ask_question", 0.02)], THRESHOLD)
    assert not verdict.crisis
    assert verdict.intent == "nlu_fallback" and verdict.reason == "overruled"


def test_a_crisis_phrase_wins_over_any_intent() -> None:
    """Since ADR 0202's ninth round the phrase goes to guidance, where the action server sends
    the helplines unless the learned check vetoes it; it still counts as crisis routing."""
    verdict = decide("I need the police, he has a knife", [("request_human", 0.9)], THRESHOLD)
    assert verdict.crisis and verdict.reason == PHRASE
    assert verdict.intent == "nlu_fallback"
    assert verdict.category == "immediate_danger"


def test_a_confident_classifier_with_a_risk_word_goes_to_guidance_as_a_second_opinion() -> None:
    """Since ADR 0202's eighth round the action server decides it (the check may veto it); the
    verdict still counts as crisis routing, so no later rewrite (Welsh, control) applies."""
    text = "he makes me so scared all the time"
    verdict = decide(text, [("safety_concern", SECOND_OPINION_MIN + 0.05)], THRESHOLD)
    assert verdict.crisis and verdict.reason == SECOND_OPINION
    assert verdict.intent == "nlu_fallback"
    assert second_opinion(text, ("safety_concern", SECOND_OPINION_MIN))
    weak = decide(text, [("safety_concern", SECOND_OPINION_MIN - 0.2)], THRESHOLD)
    assert not weak.crisis and weak.reason == "overruled"
    assert not second_opinion("how do I pay council tax", ("safety_concern", 0.99))


def test_other_intents_pass_through_or_fall_back() -> None:
    assert decide("how do I pay council tax", [("ask_question", 0.9)], THRESHOLD).intent == (
        "ask_question"
    )
    assert decide("hmm", [("greet", 0.1)], THRESHOLD).intent == "nlu_fallback"


def test_routing_matches_the_bot() -> None:
    assert gets_crisis_reply("safety_concern", "anything")
    assert gets_crisis_reply("ask_question", "I want to kill myself")
    assert gets_crisis_reply("nlu_fallback", "I want to kill myself")
    assert not gets_crisis_reply("ask_question", "how do I kill the weeds")


def test_a_crisis_phrase_gets_the_helplines_unless_the_check_vetoes_it() -> None:
    text = "I want to kill myself"
    assert gets_crisis_reply("nlu_fallback", text)  # no check: the phrase stands
    assert gets_crisis_reply("nlu_fallback", text, phrase_stands=lambda _text: True)
    assert not gets_crisis_reply("nlu_fallback", text, phrase_stands=lambda _text: False)
    # vetoed as a phrase, still caught by the check itself or a second opinion that stands
    assert gets_crisis_reply("nlu_fallback", text, lambda _text: True,
                             phrase_stands=lambda _text: False)
    assert gets_crisis_reply("nlu_fallback", text, second_opinion=True,
                             phrase_stands=lambda _text: False)


def test_a_second_opinion_gets_the_helplines_unless_the_check_vetoes_it() -> None:
    text = "he makes me so scared all the time"
    assert not gets_crisis_reply("nlu_fallback", text)
    assert gets_crisis_reply("nlu_fallback", text, second_opinion=True)  # no check: it stands
    assert not gets_crisis_reply("nlu_fallback", text, second_opinion=True,
                                 opinion_stands=lambda _text: False)
    assert gets_crisis_reply("nlu_fallback", text, lambda _text: True, second_opinion=True,
                             opinion_stands=lambda _text: False)  # the check itself flags it

