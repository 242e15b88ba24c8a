"""Small readers of the Rasa tracker shared by the actions."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from knowledge.questions import MAX_QUESTION_CHARS


def latest_text(tracker: Tracker) -> str:
    """The text of the citizen's latest message ('' if none), capped at the question limit."""
    text = (tracker.latest_message or {}).get("text") or ""
    return str(text)[:MAX_QUESTION_CHARS]


def latest_intent(tracker: Tracker) -> str | None:
    """The intent name of the latest message, if any."""
    intent = (tracker.latest_message or {}).get("intent") or {}
    name = intent.get("name")
    return str(name) if name else None


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    """The first value of ``entity`` in the latest message, as a string, if present."""
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == entity and item.get("value") is not None:
            return str(item["value"])
    return None


def last_turn_buttons(tracker: Tracker) -> list[dict[str, Any]]:
    """The buttons the bot offered in its last turn: on its messages since the citizen's
    message before the latest one, oldest first."""
    buttons: list[dict[str, Any]] = []
    latest_seen = False
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            if latest_seen:
                break
            latest_seen = True
        elif latest_seen and event.get("event") == "bot":
            offered = (event.get("data") or {}).get("buttons") or []
            buttons = [b for b in offered if isinstance(b, dict)] + buttons
    return buttons


def is_external(tracker: Tracker) -> bool:
    """True when the latest message came from the HTTP API's trigger_intent, not a citizen."""
    latest: dict[str, Any] = tracker.latest_message or {}
    metadata = latest.get("metadata") or {}
    return bool(metadata.get("is_external")) or str(latest.get("text", "")).startswith("EXTERNAL: ")


def is_payload(text: str) -> bool:
    """True for a ``/intent{...}`` command (from a button or typed by hand)."""
    return text.strip().startswith("/")


def has_words(text: str) -> bool:
    """True when ``text`` holds at least two letters (not only emoji, digits or symbols)."""
    return len(re.findall(r"[^\W\d_]", text)) >= 2


def is_one_word_repeated(text: str) -> bool:
    """True for spam like the same word typed dozens of times."""
    words = re.findall(r"\w+", text.lower())
    return len(words) >= 20 and len(set(words)) <= 2
