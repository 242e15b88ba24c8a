"""Feedback on an answer: "That helped", "That's not what I asked", "that didn't help".

The article is usually right when the quoted part is not, so "not what I asked" first offers
the article's other parts (once per answer); after two misses in a row, an adviser. A crisis
message the classifier took for feedback gets the helplines instead (``actions.safety_backstop``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer_parts import section_buttons
from actions.conversation import latest_text
from actions.guidance import Turn, note_failure
from actions.replies import say
from actions.resources import get_redis
from actions.safety_backstop import crisis_reply
from actions.settings import get_settings
from records.performance import PerformanceKeys, count_sync

logger = logging.getLogger(__name__)


def count_not_what_i_asked() -> None:
    """Count "that's not what I asked" for the performance page (best effort)."""
    try:
        count_sync(
            get_redis(),
            PerformanceKeys(get_settings().redis_key_prefix),
            time.time(),
            "not_what_i_asked",
        )
    except Exception as exc:  # a figure must never break the conversation
        logger.warning("could not count not_what_i_asked: %s", type(exc).__name__)


class ActionNotHelpful(Action):
    """'That's not what I asked' or 'that didn't help': apologise, and offer a person.

    A crisis message the classifier took for one of these gets the helplines and a priority
    adviser offer instead (``actions.safety_backstop``), and is not counted as a failure.
    """

    def name(self) -> str:
        return "action_not_helpful"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        crisis = crisis_reply(dispatcher, tracker, text)
        if crisis is not None:
            return crisis
        turn = Turn(text=text)
        # The article is usually right when the quoted part is not: offer its other parts
        # first (once per answer), then, as before, an apology and an adviser after two.
        note_failure(turn, dispatcher, tracker, "utter_sorry_try_again",
                     choices=section_buttons(tracker), about_answer=True)
        if (tracker.latest_message or {}).get("intent", {}).get("name") == "not_what_i_asked":
            count_not_what_i_asked()
        return turn.events


class ActionFeedbackHelpful(Action):
    """The answer helped: thank the citizen and reset the failure count.

    A crisis message the classifier took for thanks ("… need help" read as "that helped") gets
    the helplines and a priority adviser offer instead (``actions.safety_backstop``).
    """

    def name(self) -> str:
        return "action_feedback_helpful"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        crisis = crisis_reply(dispatcher, tracker, latest_text(tracker))
        if crisis is not None:
            return crisis
        say(dispatcher, "utter_feedback_thanks")
        return [SlotSet("failed_attempts", 0.0), SlotSet("offer", None)]
