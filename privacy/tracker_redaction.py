"""Redaction of a serialised Rasa dialogue (pure Python: Rasa's 3.10 venv and the app's 3.11).

Used by ``privacy.rasa_tracker_store`` on every save (see its docstring for the policy). A
save redacts the whole stored dialogue again, and the bot's replies repeat across
conversations, so the regular-expression pass is remembered per (text, kinds): it is a pure
function of them, and it was about a twentieth of Rasa's CPU per turn under load (ADR 0306).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from privacy.redaction import ALL_KINDS, PLACEHOLDERS, redact

# Answers that are personal data by nature; replaced whole once their form is done.
PERSONAL_SLOTS: frozenset[str] = frozenset({
    "callback_name", "callback_phone", "bin_postcode", "contact_detail",
})
NEVER_NEEDED: tuple[str, ...] = ("ni_number", "card_number", "bank_details", "date_of_birth")
REMOVED = "[removed]"
_PLACEHOLDER = re.compile("(" + "|".join(re.escape(p) for p in PLACEHOLDERS.values()) + ")")
REMEMBERED_TEXTS = 4096  # a few MB at most: bot replies are the long texts


@lru_cache(maxsize=REMEMBERED_TEXTS)
def redacted_text(text: str, kinds: tuple[str, ...] = ALL_KINDS) -> str:
    """``privacy.redaction.redact(text, kinds).text``, remembered (pure, so always the same)."""
    return redact(text, kinds).text


def recovered_values(original: str, redacted: str) -> list[str]:
    """The pieces of ``original`` that ``redacted`` replaced by placeholders."""
    parts = _PLACEHOLDER.split(redacted)
    if len(parts) == 1:
        return []
    pattern = "".join(re.escape(part) if index % 2 == 0 else "(.+?)"
                      for index, part in enumerate(parts))
    match = re.fullmatch(pattern, original, re.DOTALL)
    if match is None:
        return []
    return [value for value in match.groups() if value.strip()]


def _scrub(text: str, personal: set[str], kinds: tuple[str, ...] = ALL_KINDS) -> str:
    """Regex redaction plus removal of every known personal value (longest first)."""
    result = redacted_text(text, kinds)
    for value in sorted(personal, key=len, reverse=True):
        if len(value) >= 2 and value in result:
            result = result.replace(value, REMOVED)
    return result


def _active_form_slots(events: list[dict[str, Any]], form_slots: dict[str, list[str]]
                       ) -> set[str]:
    active: str | None = None
    for event in events:
        if event.get("event") == "active_loop":
            active = event.get("name")
    return set(form_slots.get(active or "", []))


def redact_dialogue(dialogue: dict[str, Any],
                    form_slots: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Redact a serialised Rasa dialogue in place (see the module docstring); return it."""
    events: list[dict[str, Any]] = dialogue.get("events", [])
    personal: set[str] = set()
    for event in events:
        if event.get("event") == "user":
            _redact_user_event(event, personal)
        elif (event.get("event") == "slot" and event.get("name") in PERSONAL_SLOTS
              and isinstance(event.get("value"), str) and event["value"] != REMOVED):
            personal.add(event["value"])
    keep = _active_form_slots(events, form_slots or {})
    latest = {event.get("name"): index for index, event in enumerate(events)
              if event.get("event") == "slot"}
    for index, event in enumerate(events):
        kind = event.get("event")
        if kind == "slot":
            name = event.get("name")
            current = latest.get(name) == index and name in keep
            event["value"] = _redact_value(event.get("value"), name, current, personal)
        elif kind in ("bot", "user") and isinstance(event.get("text"), str):
            # a bare answer ("Jane Smith" to "What name should we ask for?") is known to be
            # personal only from the slot it filled
            event["text"] = _scrub(event["text"], personal)
            parse_data = event.get("parse_data")
            if kind == "user" and isinstance(parse_data, dict) and "text" in parse_data:
                parse_data["text"] = event["text"]
    return dialogue


def _redact_user_event(event: dict[str, Any], personal: set[str]) -> None:
    text = event.get("text")
    if not isinstance(text, str) or not text:
        return
    metadata = event.get("metadata")
    upstream = metadata.pop("redacted_text", None) if isinstance(metadata, dict) else None
    if isinstance(upstream, str):
        personal.update(recovered_values(text, upstream))
        redacted = redacted_text(upstream, ALL_KINDS)
    else:
        redacted = redacted_text(text, ALL_KINDS)
    personal.update(recovered_values(text, redacted))
    event["text"] = redacted
    parse_data = event.get("parse_data")
    if isinstance(parse_data, dict):
        if isinstance(parse_data.get("text"), str):
            parse_data["text"] = redacted
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict) and isinstance(entity.get("value"), str):
                entity["value"] = _scrub(entity["value"], personal)


def _redact_value(value: Any, name: Any, current: bool, personal: set[str]) -> Any:
    if isinstance(value, list):
        return [_redact_value(item, name, current, personal) for item in value]
    if not isinstance(value, str) or not value:
        return value
    if current:
        return redacted_text(value, NEVER_NEEDED)
    if name in PERSONAL_SLOTS:
        return REMOVED
    return _scrub(value, personal)
