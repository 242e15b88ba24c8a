"""The missed-bin report: validating each answer and storing the case in Redis."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.case_store import CaseStore
from actions.conversation import is_payload, latest_intent, latest_text
from actions.form_exits import reply_for_bad_answer
from actions.form_guard import SafetyCheckedForm
from actions.form_values import (
    looks_like_payload,
    parse_bin_type,
    parse_contact_preference,
    parse_email,
    parse_missed_date,
    parse_postcode,
    parse_uk_mobile,
    parse_yes_no,
    unsure_of_postcode,
)
from actions.guidance import Turn, quote_if_answered, searchable_question
from actions.replies import say
from actions.resources import get_redis
from actions.safety_backstop import crisis_reply
from actions.settings import get_settings

logger = logging.getLogger(__name__)

FORM_SLOTS = (
    "bin_postcode",
    "bin_type",
    "missed_date",
    "contact_preference",
    "contact_detail",
    "missed_bin_confirm",
)
DATE_PROBLEMS = {
    "future": "utter_missed_date_future",
    "too_old": "utter_missed_date_too_old",
    "unclear": "utter_invalid_missed_date",
}


def today_local() -> datetime:
    """Now, in the council's time zone."""
    return datetime.now(ZoneInfo(get_settings().timezone))


def refused_payload(value: Any, dispatcher: CollectingDispatcher) -> bool:
    """True (after saying so) when an answer is a hand-typed command or not text."""
    if not isinstance(value, str) or looks_like_payload(value):
        say(dispatcher, "utter_payload_not_accepted")
        return True
    return False


def validated(
    slot: str,
    value: Any,
    dispatcher: CollectingDispatcher,
    parse: Callable[[Any], Any],
    invalid_reply: str,
    why_reply: str | None = None,
) -> dict[str, Any]:
    """Validate one form answer: refuse payloads, parse, and say ``invalid_reply`` if it fails
    (or, when the answer asked why it is needed, ``why_reply``; when it was another question,
    how to leave the form).

    The slot is set to the parsed value, or to None so the form asks again.
    """
    if refused_payload(value, dispatcher):
        return {slot: None}
    parsed = parse(value)
    if parsed is None:
        say(dispatcher, reply_for_bad_answer(value, invalid_reply, why_reply))
    return {slot: parsed}


class ActionMissedBinStart(Action):
    """A bin report (typed, or the button): say what the form will ask, then the rule starts it.

    A typed report first gets what the guidance says about it, when ``knowledge`` decides to
    answer ("bin not emptied" → the section on reporting a missed bin: the checks first, the
    two working days), quoted without feedback buttons since the form's question follows; the
    search sees the message without personal data, silently (the form asks for the postcode
    next). A crisis message the classifier took for a bin report gets the helplines and a
    priority adviser offer instead (``actions.safety_backstop``): its ``offer`` slot ends the
    rule before the form (the rule "a crisis message taken for a bin report" in
    ``bot/data/rules.yml``). The button's payload starts the form as it is.
    """

    def name(self) -> str:
        return "action_missed_bin_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        events: list[EventType] = []
        if not is_payload(text):
            crisis = crisis_reply(dispatcher, tracker, text)
            if crisis is not None:
                return crisis
            turn = Turn(text=text, question=searchable_question(text)[0])
            quote_if_answered(turn, dispatcher)
            events = turn.events
        dispatcher.utter_message(response="utter_missed_bin_start")
        return [*events, SlotSet("offer", None)]


class ValidateMissedBinForm(SafetyCheckedForm):
    """Check each answer of ``missed_bin_form``; a bad answer is asked again."""

    def name(self) -> str:
        return "validate_missed_bin_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Skip the contact detail when the citizen wants no updates."""
        if tracker.get_slot("contact_preference") == "none":
            return [slot for slot in domain_slots if slot != "contact_detail"]
        return domain_slots

    def validate_bin_postcode(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a UK postcode, normalised like ``MB1 2AB``; someone who does not know theirs
        is told where to find it."""
        if isinstance(value, str) and parse_postcode(value) is None and unsure_of_postcode(value):
            say(dispatcher, "utter_postcode_help")
            return {"bin_postcode": None}
        return validated(
            "bin_postcode", value, dispatcher,
            parse_postcode, "utter_invalid_postcode", "utter_why_bin_postcode"
        )

    def validate_bin_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept rubbish, recycling, garden waste or food waste."""
        return validated("bin_type", value, dispatcher, parse_bin_type, "utter_invalid_bin_type")

    def validate_missed_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept a day within the last 2 working days (stored as an ISO date)."""
        if refused_payload(value, dispatcher):
            return {"missed_date": None}
        day, problem = parse_missed_date(value, today_local().date())
        if day is None:
            say(dispatcher, reply_for_bad_answer(value, DATE_PROBLEMS[problem]))
            return {"missed_date": None}
        return {"missed_date": day.isoformat()}

    def validate_contact_preference(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept email, text message or none."""
        if refused_payload(value, dispatcher):
            return {"contact_preference": None}
        intent = latest_intent(tracker)
        preference = "none" if intent == "deny" else parse_contact_preference(value)
        if preference is None:
            say(dispatcher, reply_for_bad_answer(value, "utter_invalid_contact_preference"))
            return {"contact_preference": None}
        result: dict[str, Any] = {"contact_preference": preference}
        email = parse_email(value)
        if preference == "email" and email:
            result["contact_detail"] = email  # "by email please: sam@example.org"
        return result

    def validate_contact_detail(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Accept an email address or a UK mobile number, as the preference needs."""
        if refused_payload(value, dispatcher):
            return {"contact_detail": None}
        if tracker.get_slot("contact_preference") == "text message":
            mobile = parse_uk_mobile(value)
            if mobile is None:
                say(dispatcher, reply_for_bad_answer(
                    value, "utter_invalid_mobile", "utter_why_contact_detail"))
            return {"contact_detail": mobile}
        email = parse_email(value)
        if email is None:
            say(dispatcher, reply_for_bad_answer(
                value, "utter_invalid_email", "utter_why_contact_detail"))
        return {"contact_detail": email}

    def validate_missed_bin_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes sends the report; no starts the questions again."""
        answer = parse_yes_no(value if isinstance(value, str) else "", latest_intent(tracker))
        if answer is None or (isinstance(value, str) and looks_like_payload(value)):
            say(dispatcher, reply_for_bad_answer(value, "utter_invalid_confirm"))
            return {"missed_bin_confirm": None}
        if answer:
            return {"missed_bin_confirm": "yes"}
        say(dispatcher, "utter_missed_bin_restart_form")
        return {slot: None for slot in FORM_SLOTS}


class ActionSubmitMissedBin(Action):
    """Store the report as ``<prefix>case:<REF>`` and give the citizen the reference."""

    def name(self) -> str:
        return "action_submit_missed_bin"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        reset = [SlotSet(slot, None) for slot in FORM_SLOTS]
        if tracker.get_slot("missed_bin_confirm") != "yes":
            return reset
        settings = get_settings()
        fields = {
            "postcode": tracker.get_slot("bin_postcode") or "",
            "bin_type": tracker.get_slot("bin_type") or "",
            "missed_date": tracker.get_slot("missed_date") or "",
            "contact_preference": tracker.get_slot("contact_preference") or "none",
            "contact_detail": tracker.get_slot("contact_detail") or "",
            "conversation_id": tracker.sender_id,
        }
        store = CaseStore(
            client=get_redis(),
            prefix=settings.redis_key_prefix,
            case_ttl_seconds=settings.case_ttl_days * 86400,
            callback_ttl_seconds=settings.callback_ttl_days * 86400,
        )
        try:
            reference = store.create_missed_bin_case(fields)
        except (redis.RedisError, RuntimeError):
            logger.exception("could not store a missed-bin case")
            say(dispatcher, "utter_case_not_saved")
            return reset
        say(dispatcher, "utter_missed_bin_reported", case_reference=reference)
        return [*reset, SlotSet("case_reference", reference)]
