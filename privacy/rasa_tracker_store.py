"""A Redis tracker store for Rasa 3.6 that keeps no personal data in what it stores.

Rasa loads it by module path from ``bot/endpoints.yml`` (``rasa`` puts the working directory
on ``sys.path``), so it runs inside the Python 3.10 Rasa venv and is never imported by the
other deployables. spaCy 3.8 cannot run there, so the gateway sends, with every message, its
own redacted copy as ``metadata.redacted_text`` (Presidio + spaCy, ``privacy.detection``); this
store uses that copy for the stored text, falls back to ``privacy.redaction``'s regular
expressions when it is missing, and learns from the difference what the personal values were
(a name spaCy found), so it can remove them from slot values and bot replies too.

What is stored:

- user events: the redacted text (``parse_data`` and entity values too);
- slot events: the *current* value of a slot of the form that is still running is kept as
  given (the form needs it on the next turn), except card, NI, bank details and dates of
  birth, which no form asks for; every other value (earlier answers, finished forms) is
  redacted, and the answers of ``PERSONAL_SLOTS`` are replaced by ``[removed]`` once the form
  no longer needs them (the request itself is kept in ``callback:{id}`` / ``case:{ref}``);
- bot events: their text without the personal values above.

Only the stored copy changes: the running turn (and the action server) see what was typed.
Saving does not merge with the stored tracker the way ``RedisTrackerStore`` does (that merge
compares stored, redacted events with the raw ones in memory and would store them twice):
earlier sessions are kept from storage and the current session is written as it is now.
Saving a tracker with no events deletes the key, so ``PUT /conversations/{id}/tracker/events``
with ``[]`` really erases.
"""

from __future__ import annotations

import json
from typing import Any

import redis
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker

from privacy.tracker_redaction import redact_dialogue
from stack.rasa_redis import follow_sentinel


class RedactingRedisTrackerStore(RedisTrackerStore):
    """``RedisTrackerStore`` whose stored trackers hold no personal data."""

    red: redis.Redis

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Rasa's store; through Sentinel when ``REDIS_SENTINELS`` is set (stack/rasa_redis.py)."""
        super().__init__(*args, **kwargs)
        self.red = follow_sentinel(self.red)

    def _form_slots(self) -> dict[str, list[str]]:
        domain = self.domain
        return {name: list(domain.required_slots_for_form(name)) for name in domain.form_names}

    async def save(self, tracker: DialogueStateTracker,
                   timeout: float | None = None) -> None:
        """Store the redacted tracker (earlier sessions kept); no events: delete the key."""
        await self.stream_events(tracker)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        key = self.key_prefix + tracker.sender_id
        dialogue = tracker.as_dialogue().as_dict()
        events: list[dict[str, Any]] = dialogue.get("events", [])
        if not events:
            self.red.delete(key)
            return
        stored = self.red.get(key)
        if stored is not None:
            first = events[0].get("timestamp") or 0
            earlier = [event for event in json.loads(stored).get("events", [])
                       if (event.get("timestamp") or 0) < first]
            dialogue["events"] = earlier + events
        redact_dialogue(dialogue, self._form_slots())
        self.red.set(key, json.dumps(dialogue), ex=None if timeout is None else int(timeout))
