"""Which messages get the crisis reply, as the bot decides it (for measurement and tests).

The bot sends the helplines in three places: the Rasa rule for the ``safety_concern``
intent (no longer set by the gate since ADR 0202's ninth round: a crisis phrase goes to
guidance), the action server's backstop (``actions.safety_backstop``: the lexical patterns
unless the check vetoes the phrase, then the semantic check of ``safety/similarity.py``, then
the classifier's second opinion unless the check vetoes it), and the forms' backstop
(patterns, then the second opinion). Outside a form the action server's backstop runs first in
the action of every intent of ``BACKSTOP_INTENTS`` (``bot/data/rules.yml``): the guidance
answer (``ask_question``, ``nlu_fallback``, ``out_of_scope``), the handoff
(``request_human``), "that's not what I asked" (``not_what_i_asked``,
``feedback_not_helpful``), "that helped" (``feedback_helpful``) and the callback request
(``request_callback``) and the bin report (``report_missed_bin``), each before its form
starts (ADR 0202, later; ADR 0201, seventeenth session). ``stop`` is not
checked (Rasa's gate sends a ``stop`` that does not ask to stop, "cant stop", to guidance).
``gets_crisis_reply`` restates the first two for a message outside a form, so the benchmark
and the tests can score labelled sets against the real parser without running whole
conversations.
"""

from __future__ import annotations

from collections.abc import Callable

from safety.detection import detect_safety_concern

SAFETY_INTENT = "safety_concern"
GUIDANCE_INTENTS = frozenset({"ask_question", "nlu_fallback", "out_of_scope"})
BACKSTOP_INTENTS = GUIDANCE_INTENTS | {
    "request_human",
    "not_what_i_asked",
    "feedback_not_helpful",
    "feedback_helpful",
    "request_callback",
    "report_missed_bin",
}


def gets_crisis_reply(
    intent: str | None,
    text: str,
    semantic: Callable[[str], bool] | None = None,
    second_opinion: bool = False,
    opinion_stands: Callable[[str], bool] | None = None,
    phrase_stands: Callable[[str], bool] | None = None,
) -> bool:
    """True when a message parsed as ``intent`` gets the helplines outside a form.

    Intents of ``BACKSTOP_INTENTS`` get the action server's backstop; any other (but
    ``safety_concern``) never gets the helplines. ``semantic`` is the backstop's semantic check
    (``text -> is crisis``); without it only the patterns are applied, as when the action
    server has no embedding model. ``second_opinion``: Rasa's gate sent the message to guidance
    on the classifier's second opinion (the parse's ``gate.reason`` is
    ``safety.gate.SECOND_OPINION``); it gets the helplines unless ``opinion_stands`` (the
    check's veto, ``text -> stands``) says no; without a check the second opinion stands
    (``actions.crisis_opinion``). A crisis phrase (``safety.detection``) reaches guidance since
    the ninth round (the gate's reason ``phrase``) and gets the helplines unless
    ``phrase_stands`` (the check's phrase veto) says no; without a check the phrase stands.
    """
    if intent == SAFETY_INTENT:
        return True
    if intent not in BACKSTOP_INTENTS:
        return False
    if detect_safety_concern(text) is not None and (phrase_stands is None or phrase_stands(text)):
        return True
    if semantic and semantic(text):
        return True
    return second_opinion and (opinion_stands is None or opinion_stands(text))
