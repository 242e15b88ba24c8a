"""The bot's context for an adviser, read from the Rasa tracker."""

from __future__ import annotations

from typing import Any

# What the citizen gave in the bot's forms, and the references the bot gave them: the only
# slots an adviser sees (each labelled in widget/console/strings.js `slotLabels`). Every other
# slot is the bot's own bookkeeping (the article it quoted, the parts it may offer, what it
# offered, …) and is never shown, so a slot added later stays hidden until it is listed here.
# tests/gateway/test_handoff_context.py holds this list to bot/domain.yml's forms and to the
# console's labels.
CITIZEN_SLOTS = frozenset({
    "case_reference", "callback_id",
    "bin_postcode", "bin_type", "missed_date", "contact_preference", "contact_detail",
    "missed_bin_confirm",
    "callback_name", "callback_phone", "callback_time", "callback_consent",
})
# Turns the gateway triggers (not the citizen's words).
EXTERNAL_INTENTS = {"handoff_unavailable", "handback"}


def build_context(tracker: dict[str, Any]) -> dict[str, Any]:
    """Intents recognised, articles offered (with scores), form answers and pages visited."""
    intents: list[dict[str, Any]] = []
    articles: list[dict[str, Any]] = []
    pages: list[str] = []
    for event in tracker.get("events") or []:
        kind = event.get("event")
        if kind == "user":
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            text = str(event.get("text") or "")
            if intent.get("name") in EXTERNAL_INTENTS or text.startswith("EXTERNAL: "):
                continue
            intents.append({
                "text": event.get("text") or "",
                "intent": intent.get("name"),
                "confidence": intent.get("confidence"),
            })
            page = (event.get("metadata") or {}).get("page_url")
            if isinstance(page, str) and page and page not in pages:
                pages.append(page)
        elif kind == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            for source in custom.get("sources") or [] if isinstance(custom, dict) else []:
                if isinstance(source, dict):
                    articles.append({key: source.get(key)
                                     for key in ("article_id", "title", "url", "heading", "score")})
    slots = {
        name: value for name, value in (tracker.get("slots") or {}).items()
        if value is not None and name in CITIZEN_SLOTS
    }
    active = tracker.get("active_loop") or {}
    return {
        "available": True,
        "intents": intents,
        "articles": articles,
        "slots": slots,
        "pages": pages,
        "active_form": active.get("name") if isinstance(active, dict) else None,
    }
