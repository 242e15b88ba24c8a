"""The classifier's second opinion on a crisis, decided where the message's vector is.

Rasa's gate (``safety.gate``) no longer sends the helplines on the classifier's own
``safety_concern`` alone: when that second opinion holds (confident, backed by a risk word, no
crisis phrase) the message goes to guidance (``nlu_fallback``) with the gate's reason
``second_opinion`` in the parse. The action server has the message's vector and the learned
check: the second opinion gets the crisis reply unless the check scores the message below its
veto threshold (``safety.similarity.CrisisSimilarity.second_opinion_stands``; ADR 0202, eighth
round). With no check (no embedding model, or it failed to load) the second opinion decides,
as it did before the veto. Used by the action server's backstop (``actions.safety_backstop``)
and the forms' backstop.

Since the ninth round a crisis phrase (``safety.detection``) reaches guidance too (the gate's
reason ``phrase``): it gets the crisis reply unless the check scores the message below its
phrase veto threshold (``CrisisSimilarity.phrase_stands``), set below every crisis phrasing a
pattern catches; with no check the phrase decides. The forms' backstop keeps the patterns
unvetoed.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker

from actions.resources import get_crisis_similarity
from safety.detection import detect_safety_concern
from safety.gate import SECOND_OPINION

logger = logging.getLogger(__name__)


def second_opinion_held(tracker: Tracker) -> bool:
    """True when Rasa's gate sent the latest message on the classifier's second opinion."""
    gate = (tracker.latest_message or {}).get("gate") or {}
    return isinstance(gate, dict) and gate.get("reason") == SECOND_OPINION


def second_opinion_stands(text: str) -> bool:
    """Whether a second opinion on ``text`` gets the crisis reply (see the module)."""
    try:
        check = get_crisis_similarity()
    except Exception:  # no check to veto with: the second opinion decides
        logger.exception("crisis check unavailable; the classifier's second opinion stands")
        return True
    return check is None or check.second_opinion_stands(text)


def crisis_by_second_opinion(tracker: Tracker, text: str) -> bool:
    """True when the latest message ``text`` came on a second opinion that stands."""
    return second_opinion_held(tracker) and second_opinion_stands(text)


def phrase_stands(text: str) -> bool:
    """Whether a crisis phrase in ``text`` gets the crisis reply (see the module)."""
    try:
        check = get_crisis_similarity()
    except Exception:  # no check to veto with: the phrase decides
        logger.exception("crisis check unavailable; the crisis phrase stands")
        return True
    return check is None or check.phrase_stands(text)


def crisis_by_phrase(text: str) -> bool:
    """True when ``text`` holds a crisis phrase that the check does not veto."""
    return detect_safety_concern(text) is not None and phrase_stands(text)
