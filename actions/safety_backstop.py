"""The action server's crisis backstop: one decision for every action a crisis message can reach.

Rasa's NLU gate routes a crisis phrase to guidance, but the classifier sometimes gives a crisis
message another intent ("SH is getting out of control, I need someone to talk to now" →
``request_human``; "relapsed on sh tonight, cant stop" → ``stop``). So the backstop runs first
in every action such an intent reaches outside a form: the guidance answer (``ask_question``,
``nlu_fallback``, ``out_of_scope``), the handoff (``request_human``), "that's not what I asked"
(``not_what_i_asked``, ``feedback_not_helpful``), "that helped" (``feedback_helpful``) and
the callback request before its form starts (``request_callback``, also when it interrupts the
missed-bin form) (ADR 0202, later and sixteenth session); the handoff inside a form too. Inside
a form the form's own backstop (``actions.form_guard``) checks answers with the same decision
but unvetoed patterns; ``stop`` inside a form is not checked.

The decision: the lexical patterns unless the learned check scores the message below its phrase
veto threshold; then the semantic check (nearest labelled phrasings by meaning,
``safety/similarity.py``) for crisis messages written around them; then the classifier's second
opinion, when Rasa's gate sent one and the check does not veto it (``actions.crisis_opinion``).
On a crisis the citizen gets the helplines and the offer of a priority adviser, never the
action's ordinary reply. When no step finds a crisis but the check scores the message between
its note threshold and its crisis threshold, ``assess`` says ``"note"``: the guidance action
then sends its ordinary reply and one quiet line of helplines after it (ADR 0202,
twenty-third round); the other actions ignore the note.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import has_words, is_external, is_payload
from actions.crisis_opinion import crisis_by_phrase, crisis_by_second_opinion
from actions.replies import say
from actions.resources import get_crisis_similarity
from safety.similarity import CRISIS, Level

logger = logging.getLogger(__name__)


def semantic_level(text: str) -> Level:
    """What the semantic check says of ``text``: ``"crisis"`` (nearest to crisis phrasings),
    ``"note"`` (not sure enough for the crisis reply, close enough for the helplines beside the
    answer), or None.

    None when there is no check (no embedding model) or it fails: the patterns and the second
    opinion still decide, and the action's own reply is never blocked by the check.
    """
    try:
        check = get_crisis_similarity()
        return None if check is None else check.level(text)
    except Exception:
        logger.exception("semantic crisis check failed; the patterns still apply")
        return None


def assess(tracker: Tracker, text: str) -> Level:
    """The backstop's verdict on the citizen's latest message ``text`` (see the module):
    ``"crisis"`` for the crisis reply, ``"note"`` for the helplines beside the answer (ADR 0202,
    twenty-third round), None for neither.

    Only the citizen's own words are checked: a button's or hand-typed ``/intent`` command, a
    message without words and a turn the gateway triggered never get either here.
    """
    if is_payload(text) or not has_words(text) or is_external(tracker):
        return None
    if crisis_by_phrase(text):
        return CRISIS
    level = semantic_level(text)
    if level == CRISIS or crisis_by_second_opinion(tracker, text):
        return CRISIS
    return level


def is_crisis(tracker: Tracker, text: str) -> bool:
    """Whether the citizen's latest message ``text`` gets the crisis reply (``assess``)."""
    return assess(tracker, text) == CRISIS


def offer_safety_help(dispatcher: CollectingDispatcher) -> list[EventType]:
    """Send the helplines and offer a priority adviser; return the slots that offer sets."""
    dispatcher.utter_message(response="utter_safety_helplines")
    say(dispatcher, "utter_safety_offer_adviser")
    return [
        SlotSet("offer", "adviser"),
        SlotSet("handoff_reason", "safety"),
        SlotSet("last_topic", "safety"),
    ]


def crisis_reply(
    dispatcher: CollectingDispatcher, tracker: Tracker, text: str
) -> list[EventType] | None:
    """On a crisis, offer safety help and return its events (the caller stops there); else None.

    ``text`` is the citizen's latest message as the action reads it
    (``actions.conversation.latest_text``).
    """
    if not is_crisis(tracker, text):
        return None
    return offer_safety_help(dispatcher)


def helplines_note(dispatcher: CollectingDispatcher) -> None:
    """The helplines in one quiet line beside the answer (``bot/replies.yml``), with
    ``{"helplines": "note"}`` so the gateway and the benchmarks can tell it from the crisis
    reply."""
    say(dispatcher, "utter_helplines_note", json_message={"helplines": "note"})
