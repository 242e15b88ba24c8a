"""Session start: Rasa's usual behaviour, plus loading the guidance service early.

Overrides Rasa's ``action_session_start`` so the (slow, once per process) guidance load
starts when a citizen opens a conversation, not when they ask their first question — the
gateway waits only a few seconds for a reply.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import is_payload, latest_text
from actions.replies import say
from actions.resources import warm_up_guidance


class ActionSessionStart(Action):
    """Start a new session (no slots carried over) and warm up guidance retrieval."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        warm_up_guidance()
        if is_payload(latest_text(tracker)):  # "/session_start" typed by hand
            say(dispatcher, "utter_ask_rephrase")
        return [SessionStarted(), ActionExecuted("action_listen")]
