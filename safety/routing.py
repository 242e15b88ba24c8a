"""Which messages get the crisis reply, as the bot decides it (for measurement and tests).

The bot sends the helplines in three places: the Rasa rule for the ``safety_concern``
intent, the guidance action's backstop (for messages routed to guidance: ``ask_question``
or low confidence; the lexical patterns, then the semantic check of ``safety/similarity.py``),
and the forms' backstop. ``gets_crisis_reply`` restates the first two for a message outside a
form, so the benchmark and the tests can score labelled sets against the real parser without
running whole conversations.
"""

from __future__ import annotations

from collections.abc import Callable

from safety.detection import detect_safety_concern

SAFETY_INTENT = "safety_concern"
GUIDANCE_INTENTS = frozenset({"ask_question", "nlu_fallback"})


def gets_crisis_reply(
    intent: str | None, text: str, semantic: Callable[[str], bool] | None = None
) -> bool:
    """True when a message parsed as ``intent`` gets the helplines outside a form.

    ``semantic`` is the guidance backstop's semantic check (``text -> is crisis``); without it
    only the patterns are applied, as when the action server has no embedding model.
    """
    if intent == SAFETY_INTENT:
        return True
    if intent not in GUIDANCE_INTENTS:
        return False
    return detect_safety_concern(text) is not None or bool(semantic and semantic(text))
