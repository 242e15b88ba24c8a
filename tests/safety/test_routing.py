"""``safety.routing`` restates which intents get the action server's crisis backstop.

What must hold: every intent whose action runs the backstop outside a form gets the crisis
reply for a crisis phrase and for a message the check flags, and an ordinary message gets
none; an intent whose action does not run it (``stop``, ``greet``, ``affirm``) never gets
it, however the check scores the message; and
``BACKSTOP_INTENTS`` names exactly the intents that ``bot/data/rules.yml`` sends, with no
form running and no offer pending, to one of the actions that run the backstop.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from safety.routing import BACKSTOP_INTENTS, gets_crisis_reply

RULES = Path(__file__).resolve().parents[2] / "bot" / "data" / "rules.yml"
# The actions that run actions.safety_backstop.crisis_reply first.
BACKSTOP_ACTIONS = {
    "action_guidance_answer",
    "action_handoff",
    "action_not_helpful",
    "action_feedback_helpful",
    "action_callback_start",
    "action_missed_bin_start",
}
PHRASE = "I want to kill myself"


def flag_all(_text: str) -> bool:
    return True


@pytest.mark.parametrize("intent", sorted(BACKSTOP_INTENTS))
def test_every_backstop_intent_gets_the_crisis_reply(intent: str) -> None:
    assert gets_crisis_reply(intent, PHRASE)
    assert gets_crisis_reply(intent, "relapsed on sh tonight, cant stop", flag_all)
    assert not gets_crisis_reply(intent, "how do I pay my council tax")


@pytest.mark.parametrize("intent", ["stop", "greet", "affirm"])
def test_other_intents_never_get_it(intent: str) -> None:
    assert not gets_crisis_reply(intent, PHRASE, flag_all, second_opinion=True)


def test_the_restatement_matches_the_rules() -> None:
    sent = set()
    for rule in yaml.safe_load(RULES.read_text(encoding="utf-8"))["rules"]:
        condition = rule.get("condition") or []
        if any(step != {"active_loop": None} for step in condition):
            continue  # inside a form, or with an offer pending
        steps = rule["steps"]
        if "intent" in steps[0] and steps[1].get("action") in BACKSTOP_ACTIONS:
            sent.add(steps[0]["intent"])
    assert sent == BACKSTOP_INTENTS
