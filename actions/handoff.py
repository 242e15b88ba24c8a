"""Stepping aside: handing over to an adviser, safety follow-up, callback offers, handback,
starting again.

Whether an adviser is free is the gateway's business. ``action_handoff`` only tells the
gateway (custom payload ``{"handoff": {...}}``) and pauses the conversation; the gateway
later triggers ``handoff_unavailable`` or, after the adviser is done, ``handback``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import (
    ConversationPaused,
    EventType,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import is_external, latest_text
from actions.replies import say
from actions.safety_backstop import crisis_reply

HANDOFF_REASONS = ("requested", "failed", "safety")
MAX_TOPIC_CHARS = 120  # the topic a handoff or a callback request carries (actions.callback too)


def handoff_payload(tracker: Tracker) -> dict[str, Any]:
    """Build ``{"reason", "priority", "topic"}`` from slots only actions can set."""
    reason = tracker.get_slot("handoff_reason")
    if reason not in HANDOFF_REASONS:
        reason = "requested"
    topic = tracker.get_slot("last_topic") or tracker.get_slot("last_question") or "general"
    return {
        "reason": reason,
        "priority": reason == "safety",
        "topic": str(topic)[:MAX_TOPIC_CHARS],
    }


class ActionHandoff(Action):
    """Tell the gateway the citizen wants a person, and pause the bot.

    It promises nothing: only the gateway knows whether an adviser is free, and it tells the
    citizen once (queued with the wait, or closed / busy with a callback offer). A priority
    (safety) handoff adds only what is true either way: call 999 if in danger now.

    A crisis message the classifier took for a request for a person ("SH is getting out of
    control, I need someone to talk to now") first gets the helplines and the offer of a
    priority adviser (``actions.safety_backstop``) instead of an ordinary handoff; accepting
    that offer (``handoff_reason`` safety) hands over with priority, never offers again.
    """

    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("handoff_reason") != "safety":
            crisis = crisis_reply(dispatcher, tracker, latest_text(tracker))
            if crisis is not None:
                return crisis
        handoff = handoff_payload(tracker)
        if handoff["priority"]:
            say(dispatcher, "utter_handoff_priority", json_message={"handoff": handoff})
        else:
            dispatcher.utter_message(json_message={"handoff": handoff})
        return [
            SlotSet("offer", None),
            SlotSet("handoff_reason", None),
            SlotSet("failed_attempts", 0.0),
            ConversationPaused(),
        ]


class ActionSafetyFollowup(Action):
    """After the helplines (sent by Rasa itself), offer an adviser ahead of the queue."""

    def name(self) -> str:
        return "action_safety_followup"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "utter_safety_offer_adviser")
        return [
            SlotSet("offer", "adviser"),
            SlotSet("handoff_reason", "safety"),
            SlotSet("last_topic", "safety"),
        ]


class ActionOfferCallback(Action):
    """The gateway found no adviser free: offer a callback instead.

    Only the gateway's ``trigger_intent`` may start this; a citizen typing the command by
    hand gets the ordinary 'please tell me in words' reply.
    """

    def name(self) -> str:
        return "action_offer_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not is_external(tracker):
            say(dispatcher, "utter_default")
            return [SlotSet("offer", None)]
        say(dispatcher, "utter_no_adviser_offer_callback")
        return [SlotSet("offer", "callback")]


class ActionHandback(Action):
    """An adviser handed the conversation back: say so and ask what else."""

    def name(self) -> str:
        return "action_handback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if not is_external(tracker):
            say(dispatcher, "utter_default")
            return []
        say(dispatcher, "utter_handback")
        return [SlotSet("offer", None), SlotSet("failed_attempts", 0.0)]


class ActionClearOffer(Action):
    """Forget a pending offer (after the citizen said yes or no to it)."""

    def name(self) -> str:
        return "action_clear_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [SlotSet("offer", None)]


class ActionOtherLanguage(Action):
    """The message is not in English: say so kindly and offer an adviser."""

    def name(self) -> str:
        return "action_other_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "utter_other_language")
        return []


class ActionFallback(Action):
    """No rule fits: ask the citizen to say what they need in a few words."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "utter_default")
        # Like Rasa's default fallback: forget the turn, so the next prediction is action_listen
        # rather than this action again (which trips Rasa's circuit breaker).
        return [UserUtteranceReverted()]


class ActionRestart(Action):
    """Start the conversation again (overrides Rasa's ``action_restart`` to say so)."""

    def name(self) -> str:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        say(dispatcher, "utter_restarted")
        return [Restarted()]
