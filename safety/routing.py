"""Which messages get the crisis reply, as the bot decides it (for measurement and tests).

The bot sends the helplines in three places: the Rasa rule for the ``safety_concern``
intent, the guidance action's backstop (for messages routed to guidance: ``ask_question``
or low confidence), and the forms' backstop. ``gets_crisis_reply`` restates the first two
for a message outside a form, so the benchmark and the tests can score labelled sets
against the real parser without running whole conversations.
"""

from __future__ import annotations

from safety.detection import detect_safety_concern

SAFETY_INTENT = "safety_concern"
GUIDANCE_INTENTS = frozenset({"ask_question", "nlu_fallback"})


def gets_crisis_reply(intent: str | None, text: str) -> bool:
    """True when a message parsed as ``intent`` gets the helplines outside a form."""
    if intent == SAFETY_INTENT:
        return True
    return intent in GUIDANCE_INTENTS and detect_safety_concern(text) is not None
