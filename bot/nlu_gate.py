"""The last NLU step: checks on the classifier's intent that must not be left to statistics.

A Rasa NLU component (runs inside the Rasa server, Python 3.10; imports Rasa, so nothing on
the action server imports it). Placed after the FallbackClassifier in ``bot/config.yml``:

1. A message with no letters at all (emoji, symbols) is never an intent such as ``affirm``:
   it becomes ``nlu_fallback``, which the guidance action answers with "tell me in words".
2. Crisis routing is lexical-first (``safety.gate.decide``; ADR 0202): a crisis phrase goes to
   guidance marked ``phrase`` whatever the classifier said (ninth round); the classifier's own
   ``safety_concern``, when a confident second opinion backed by a risk word, goes there marked
   ``second_opinion`` (eighth round). The action server sends the helplines unless its learned
   check scores the message below the phrase or the second-opinion veto threshold; if the bot
   cannot answer at all, the gateway puts the helplines first (``gateway/crisis_fallback.py``).
3. A Welsh message (``actions.welsh.looks_welsh``) is ``other_language``, so it gets where
   Welsh-language help is rather than an English guidance answer.
4. ``stop`` and ``restart`` end a form or the conversation, so they stand only when meant
   (``actions.form_exits.meant_as_control``); otherwise the message goes to guidance.
5. Small talk (greet, thanks, goodbye, yes/no, "are you a bot"), a request for a person or
   for a call back, a missed-bin report, a typed article choice, feedback on an answer ("that
   helped", "not what I asked") and "what can you do" stand only when the message is one
   (``actions.intent_checks.stands``); otherwise it goes to guidance, which decides. An intent
   only the gateway sends (``handback``, ``handoff_unavailable``) never stands.
6. A message bound for guidance that asks in so many words to talk to a person ("I want to
   talk to someone about my housing situation") is ``request_human``
   (``actions.intent_checks.wants_a_person``): the handoff, with its crisis backstop. One that
   says in so many words that a bin was missed, whatever else it says ("hi my name is Sarah …
   my bin wasn't emptied"), is ``report_missed_bin`` (``says_bin_was_missed``): the guidance
   quote and the report form, after the crisis backstop. A short one that asks for another
   language or an interpreter ("do you speak polish") is ``other_language``
   (``asks_for_language``): where that help is.

The decision is added to the parse output as ``gate`` (what changed and why, and the
classifier's own top intent) for the benchmark and the tests. Nothing is trained.
"""

from __future__ import annotations

import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.training_data.message import Message

from actions.form_exits import CONTROL_INTENTS, meant_as_control
from actions.intent_checks import (
    REPORT_MISSED_BIN_INTENT,
    REQUEST_HUMAN_INTENT,
    asks_for_language,
    says_bin_was_missed,
    stands,
    wants_a_person,
)
from actions.welsh import looks_welsh
from safety.gate import FALLBACK_INTENT, decide
from safety.routing import GUIDANCE_INTENTS

FALLBACK_THRESHOLD_KEY = "fallback_threshold"
OTHER_LANGUAGE_INTENT = "other_language"
_LETTER = re.compile(r"[^\W\d_]")


def _verdict(text: str, ranking: list[tuple[str, float]], threshold: float) -> dict[str, Any]:
    """The gate's decision for one message: intent, confidence and why."""
    if not _LETTER.search(text):
        return {"intent": FALLBACK_INTENT, "confidence": threshold, "reason": "no_words"}
    safety = decide(text, ranking, threshold)
    result: dict[str, Any] = {
        "intent": safety.intent,
        "confidence": safety.confidence,
        "reason": safety.reason,
        "category": safety.category,
        "matched": safety.matched,
    }
    if not safety.crisis and looks_welsh(text):
        result.update(intent=OTHER_LANGUAGE_INTENT, confidence=1.0, reason="welsh")
    elif safety.intent in CONTROL_INTENTS and not meant_as_control(text):
        result.update(intent=FALLBACK_INTENT, confidence=threshold, reason="control_not_meant")
    elif not stands(safety.intent, text):
        result.update(intent=FALLBACK_INTENT, confidence=threshold, reason="not_meant_as_intent")
    if result["intent"] in GUIDANCE_INTENTS and not safety.crisis:
        if wants_a_person(text):
            result.update(intent=REQUEST_HUMAN_INTENT, confidence=1.0, reason="asks_for_person")
        elif asks_for_language(text):
            result.update(intent=OTHER_LANGUAGE_INTENT, confidence=1.0, reason="asks_for_language")
        elif says_bin_was_missed(text):
            result.update(intent=REPORT_MISSED_BIN_INTENT, confidence=1.0,
                          reason="reports_missed_bin")
    return result


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False
)
class NluGate(GraphComponent, IntentClassifier):
    """Rule-based corrections of the classifier's intent (no words, crisis, stop/restart)."""

    @classmethod
    def required_components(cls) -> list[type]:
        """An intent classifier must run before the gate."""
        return [IntentClassifier]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The fallback threshold must match the FallbackClassifier's."""
        return {FALLBACK_THRESHOLD_KEY: 0.25}

    def __init__(self, config: dict[str, Any]) -> None:
        """Keep the component's configuration."""
        self.fallback_threshold = float(config[FALLBACK_THRESHOLD_KEY])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NluGate:
        """Create the gate (nothing to load)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Replace each message's intent with the gate's verdict when it differs."""
        for message in messages:
            text = str(message.get("text") or "")
            ranking_data: list[dict[str, Any]] = message.get("intent_ranking") or []
            ranking = [
                (str(item["name"]), float(item["confidence"]))
                for item in ranking_data
                if item.get("name") != FALLBACK_INTENT
            ]
            if not text.strip() or text.lstrip().startswith("/") or not ranking:
                continue
            verdict = _verdict(text, ranking, self.fallback_threshold)
            message.set("gate", {**verdict, "classifier": list(ranking[0])}, add_to_output=True)
            current = (message.get("intent") or {}).get("name")
            if verdict["intent"] == current:
                continue
            chosen = {"name": verdict["intent"], "confidence": verdict["confidence"]}
            message.set("intent", chosen, add_to_output=True)
            others = [item for item in ranking_data if item.get("name") != verdict["intent"]]
            message.set("intent_ranking", [chosen, *others], add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        """Nothing to do at training time."""
        return training_data
