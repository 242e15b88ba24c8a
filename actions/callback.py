"""The callback request: validating name, number, time and consent; storing it in Redis."""

from __future__ import annotations

import logging
from typing import Any

import redis
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_store import CaseStore
from actions.conversation import latest_intent, latest_text
from actions.form_exits import reply_for_bad_answer
from actions.form_guard import SafetyCheckedForm
from actions.form_values import (
    looks_like_payload,
    parse_callback_time,
    parse_name,
    parse_uk_phone,
    parse_yes_no,
)
from actions.handoff import MAX_TOPIC_CHARS
from actions.missed_bin import validated
from actions.replies import say
from actions.resources import get_redis
from actions.safety_backstop import crisis_reply
from actions.settings import get_settings

logger = logging.getLogger(__name__)

FORM_SLOTS = ("callback_name", "callback_phone", "callback_time", "callback_consent")


class ActionCallbackStart(Action):
    """A request for a callback (outside a form, or interrupting the missed-bin form): say
    what the form will ask, then the rule starts it.

    A crisis message the classifier took for a callback request ("… check on my brother, he
    sent me a text saying goodbye …") gets the helplines and a priority adviser offer instead
    (``actions.safety_backstop``): its ``offer`` slot ends the rule before the form (the rule
    "a crisis message taken for a callback request" in ``bot/data/rules.yml``). Otherwise any
    pending offer is cleared, since the citizen has chosen a callback, and the rule goes on to
    the form.
    """

    def name(self) -> str:
        return "action_callback_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        crisis = crisis_reply(dispatcher, tracker, latest_text(tracker))
        if crisis is not None:
            return crisis
        dispatcher.utter_message(response="utter_callback_start")
        return [SlotSet("offer", None)]


class ValidateCallbackForm(SafetyCheckedForm):
    """Check each answer of ``callback_form``; a bad answer is asked again."""

    def name(self) -> str:
        return "validate_callback_form"

    def validate_callback_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a name made of letters (up to 60 characters)."""
        return validated(
            "callback_name", value, dispatcher, parse_name,
            "utter_invalid_name", "utter_why_callback_name",
        )

    def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a UK landline or mobile number."""
        return validated(
            "callback_phone", value, dispatcher, parse_uk_phone,
            "utter_invalid_phone", "utter_why_callback_phone",
        )

    def validate_callback_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept morning, afternoon or any time."""
        return validated(
            "callback_time", value, dispatcher,
            parse_callback_time, "utter_invalid_callback_time"
        )

    def validate_callback_consent(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Consent must be an explicit yes; a no is recorded and nothing is booked."""
        text = value if isinstance(value, str) else ""
        answer = None if looks_like_payload(text) else parse_yes_no(text, latest_intent(tracker))
        if answer is None:
            say(dispatcher, reply_for_bad_answer(text, "utter_invalid_consent"))
            return {"callback_consent": None}
        return {"callback_consent": "yes" if answer else "no"}


class ActionSubmitCallback(Action):
    """Store ``<prefix>callback:<ID>`` and queue it in ``<prefix>callbacks`` (consent only)."""

    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        consent = tracker.get_slot("callback_consent")
        if consent != "yes":
            if consent == "no":  # None: the form was ended early, for example for safety
                say(dispatcher, "utter_callback_no_consent")
            return reset
        settings = get_settings()
        name = tracker.get_slot("callback_name") or ""
        phone = tracker.get_slot("callback_phone") or ""
        when = tracker.get_slot("callback_time") or "any time"
        fields = {
            "name": name,
            "phone": phone,
            "preferred_time": when,
            "consent": "yes",
            "conversation_id": tracker.sender_id,
            "topic": str(tracker.get_slot("last_topic") or "general")[:MAX_TOPIC_CHARS],
        }
        store = CaseStore(
            client=get_redis(),
            prefix=settings.redis_key_prefix,
            case_ttl_seconds=settings.case_ttl_days * 86400,
            callback_ttl_seconds=settings.callback_ttl_days * 86400,
        )
        try:
            callback_id = store.create_callback(fields)
        except (redis.RedisError, RuntimeError):
            logger.exception("could not store a callback request")
            say(dispatcher, "utter_callback_not_saved")
            return reset
        say(
            dispatcher,
            "utter_callback_booked",
            callback_name=name,
            callback_phone=phone,
            callback_time=when,
            callback_id=callback_id,
        )
        return [*reset, SlotSet("callback_id", callback_id)]
