"""Clear the answers of both forms before a form starts, so nothing is carried over."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.callback import FORM_SLOTS as CALLBACK_SLOTS
from actions.missed_bin import FORM_SLOTS as MISSED_BIN_SLOTS


class ActionResetForms(Action):
    """Forget half-finished answers (a form stopped earlier must start from the top)."""

    def name(self) -> str:
        return "action_reset_forms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        return [
            SlotSet(slot, None)
            for slot in (*MISSED_BIN_SLOTS, *CALLBACK_SLOTS)
            if tracker.get_slot(slot) is not None
        ]
