"""The questions the two forms ask (``action_ask_<slot>``), worded in bot/replies.yml.

Rasa calls ``action_ask_<slot>`` before each answer it needs. Custom ask actions let the
questions carry the citizen's earlier answers (the summary before sending, the number we
will call) while the wording stays in the replies file.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.replies import say

UPDATE_WORDS = {"email": "by email", "text message": "by text message", "none": "no updates"}


class AskFromReplies(Action, ABC):
    """Ask the question named ``reply_name``; subclasses may fill in values."""

    reply_name: ClassVar[str] = ""

    @abstractmethod
    def name(self) -> str:
        """``action_ask_<slot>``."""

    def values(self, tracker: Tracker) -> dict[str, Any]:
        """Values for the reply's ``{fields}``."""
        return {}

    def choose_reply(self, tracker: Tracker) -> str:
        """Name of the reply to send."""
        return self.reply_name

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, self.choose_reply(tracker), **self.values(tracker))
        return []


class AskBinPostcode(AskFromReplies):
    """Ask for the postcode of the missed collection."""

    def name(self) -> str:
        return "action_ask_bin_postcode"

    reply_name = "utter_ask_bin_postcode"


class AskBinType(AskFromReplies):
    """Ask which bin was missed."""

    def name(self) -> str:
        return "action_ask_bin_type"

    reply_name = "utter_ask_bin_type"


class AskMissedDate(AskFromReplies):
    """Ask when the bin should have been collected."""

    def name(self) -> str:
        return "action_ask_missed_date"

    reply_name = "utter_ask_missed_date"


class AskContactPreference(AskFromReplies):
    """Ask whether the citizen wants updates, and how."""

    def name(self) -> str:
        return "action_ask_contact_preference"

    reply_name = "utter_ask_contact_preference"


class AskContactDetail(AskFromReplies):
    """Ask for the email address or mobile number the updates should go to."""

    def name(self) -> str:
        return "action_ask_contact_detail"

    reply_name = "utter_ask_contact_detail_email"

    def choose_reply(self, tracker: Tracker) -> str:
        if tracker.get_slot("contact_preference") == "text message":
            return "utter_ask_contact_detail_mobile"
        return "utter_ask_contact_detail_email"


def readable_date(iso: str | None) -> str:
    """``2026-11-27`` → ``Friday 27 November``; anything else is shown as it is."""
    try:
        day = date.fromisoformat(iso or "")
    except ValueError:
        return iso or ""
    return f"{day:%A} {day.day} {day:%B}"


class AskMissedBinConfirm(AskFromReplies):
    """Read the report back and ask whether to send it."""

    def name(self) -> str:
        return "action_ask_missed_bin_confirm"

    reply_name = "utter_ask_missed_bin_confirm"

    def values(self, tracker: Tracker) -> dict[str, Any]:
        preference = tracker.get_slot("contact_preference") or "none"
        updates = UPDATE_WORDS.get(preference, preference)
        if preference != "none" and tracker.get_slot("contact_detail"):
            updates = f"{updates} ({tracker.get_slot('contact_detail')})"
        return {
            "bin_postcode": tracker.get_slot("bin_postcode"),
            "bin_type": tracker.get_slot("bin_type"),
            "missed_date": readable_date(tracker.get_slot("missed_date")),
            "updates": updates,
        }


class AskCallbackName(AskFromReplies):
    """Ask for the name the adviser should ask for."""

    def name(self) -> str:
        return "action_ask_callback_name"

    reply_name = "utter_ask_callback_name"


class AskCallbackPhone(AskFromReplies):
    """Ask for the number to call."""

    def name(self) -> str:
        return "action_ask_callback_phone"

    reply_name = "utter_ask_callback_phone"


class AskCallbackTime(AskFromReplies):
    """Ask for a good time to call."""

    def name(self) -> str:
        return "action_ask_callback_time"

    reply_name = "utter_ask_callback_time"


class AskCallbackConsent(AskFromReplies):
    """Ask for explicit consent to be called on the number given."""

    def name(self) -> str:
        return "action_ask_callback_consent"

    reply_name = "utter_ask_callback_consent"

    def values(self, tracker: Tracker) -> dict[str, Any]:
        return {"callback_phone": tracker.get_slot("callback_phone")}
