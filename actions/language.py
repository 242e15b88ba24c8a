"""Messages in other languages: Welsh gets where Welsh-language help is, in both languages.

The bot replies in English only. A message the NLU calls ``other_language`` gets
``utter_other_language`` (an adviser can arrange an interpreter), except Welsh, which gets
``utter_welsh_help``: in Welsh and English, the phone line where help in Welsh can be asked
for (also for help asked in English: "do you speak Welsh"). ``actions.welsh.looks_welsh`` is
also used by ``bot/nlu_gate.py`` so that a Welsh message is never treated as an English
question.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import latest_text
from actions.intent_checks import asks_for_language
from actions.replies import say
from actions.safety_backstop import crisis_reply
from actions.welsh import looks_welsh


class ActionLanguageHelp(Action):
    """Not English: Welsh gets where Welsh help is (in both languages); others an interpreter."""

    def name(self) -> str:
        return "action_language_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        if asks_for_language(text):  # English, so the crisis backstop can read it
            crisis = crisis_reply(dispatcher, tracker, text)
            if crisis is not None:
                return crisis
        if looks_welsh(text) or "welsh" in text.lower() or "cymraeg" in text.lower():
            say(dispatcher, "utter_welsh_help")
        else:
            say(dispatcher, "utter_other_language")
        return []
