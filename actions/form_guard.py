"""The safety backstop inside forms: a risky answer ends the form and gets the helplines.

While a form is asking questions, Rasa usually routes a risky message by its
``safety_concern`` intent. If the classifier missed it, the answer would reach a validator
("that doesn't look like a postcode"). This base class checks every answer with the lexical
backstop first and, on a match, sends the helplines, offers a priority adviser and ends the
form (Rasa ends a form whose validation sets ``requested_slot`` to None). An answer Rasa's gate
sent on the classifier's second opinion is treated the same unless the learned check vetoes it
(``actions.crisis_opinion``; before ADR 0202's eighth round the gate decided it alone).
"""

from __future__ import annotations

from abc import abstractmethod

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import latest_text
from actions.crisis_opinion import crisis_by_second_opinion
from actions.replies import say
from safety.detection import detect_safety_concern


class SafetyCheckedForm(FormValidationAction):
    """A form validation action that stops for risky answers before validating them."""

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (``validate_<form>``)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if tracker.get_slot("requested_slot") and (
            detect_safety_concern(text) or crisis_by_second_opinion(tracker, text)
        ):
            dispatcher.utter_message(response="utter_safety_helplines")
            say(dispatcher, "utter_safety_offer_adviser")
            return [
                SlotSet("offer", "adviser"),
                SlotSet("handoff_reason", "safety"),
                SlotSet("last_topic", "safety"),
                SlotSet("requested_slot", None),
                ActiveLoop(None),
            ]
        return await super().run(dispatcher, tracker, domain)
