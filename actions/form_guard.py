"""The safety backstop inside forms: a risky answer ends the form and gets the helplines.

While a form is asking questions, Rasa usually routes a risky message by its
``safety_concern`` intent. If the classifier missed it, the answer would reach a validator
("that doesn't look like a postcode"). This base class checks every answer with the lexical
backstop first and, on a match, sends the helplines, offers a priority adviser and ends the
form (Rasa ends a form whose validation sets ``requested_slot`` to None). The decision is the
action server's backstop's (``actions.safety_backstop``) but for one thing: the patterns are
not vetoed here (a crisis phrase ends the form, as it always has). So after the patterns comes
the learned check (``semantic_level``, on the citizen's own words; ADR 0202, sixteenth session:
without it, about half of the crisis messages typed mid-form got no helplines), then Rasa's
second opinion unless the check vetoes it (``actions.crisis_opinion``).
"""

from __future__ import annotations

from abc import abstractmethod

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import has_words, is_external, is_payload, latest_text
from actions.crisis_opinion import crisis_by_second_opinion
from actions.safety_backstop import offer_safety_help, semantic_level
from safety.detection import detect_safety_concern
from safety.similarity import CRISIS


def crisis_in_form(tracker: Tracker, text: str) -> bool:
    """Whether an answer typed while a form is asking gets the crisis reply (see the module)."""
    if detect_safety_concern(text):
        return True
    words = not is_payload(text) and has_words(text) and not is_external(tracker)
    return (words and semantic_level(text) == CRISIS) or crisis_by_second_opinion(tracker, text)


class SafetyCheckedForm(FormValidationAction):
    """A form validation action that stops for risky answers before validating them."""

    @abstractmethod
    def name(self) -> str:
        """The validation action's name (``validate_<form>``)."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if tracker.get_slot("requested_slot") and crisis_in_form(tracker, text):
            return [*offer_safety_help(dispatcher), SlotSet("requested_slot", None),
                    ActiveLoop(None)]
        return await super().run(dispatcher, tracker, domain)
