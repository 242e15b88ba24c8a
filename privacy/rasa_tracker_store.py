"""A Redis tracker store for Rasa 3.6 that never writes personal data in user messages.

Rasa loads it by module path from ``bot/endpoints.yml`` (``rasa`` puts the working directory
on ``sys.path``), so it runs inside the Python 3.10 Rasa venv and is never imported by the
other deployables. Only the stored copy is redacted: the action server still sees the
current message as typed, so it can tell the citizen it did not need those details.
Slot values (for example the phone number of a callback request) are kept as they are.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.redaction import redact


def redact_dialogue(dialogue: dict[str, Any]) -> dict[str, Any]:
    """Redact the text of every user event of a serialised Rasa dialogue, in place."""
    for event in dialogue.get("events", []):
        if event.get("event") != "user":
            continue
        text = event.get("text")
        if isinstance(text, str) and text:
            redacted = redact(text).text
            event["text"] = redacted
            parse_data = event.get("parse_data")
            if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
                parse_data["text"] = redacted
    return dialogue


class RedactingRedisTrackerStore(RedisTrackerStore):
    """``RedisTrackerStore`` whose serialised trackers hold redacted user messages."""

    @staticmethod
    def serialise_tracker(tracker: DialogueStateTracker) -> str:
        """Serialise like ``RedisTrackerStore`` but with personal data replaced."""
        dialogue = tracker.as_dialogue().as_dict()
        return json.dumps(redact_dialogue(dialogue))
