"""The choice buttons the bot offers: articles ("did you mean") and the other parts of the
article it just quoted. Each button's payload is ``/choose_article`` and its JSON, which
``action_choose_article`` checks again when pressed or typed ("the first one").
"""

from __future__ import annotations

import json

from rasa_sdk import Tracker

from knowledge.articles import valid_article_id

CHOOSE_PAYLOAD = "/choose_article"  # a choice button's payload: this, then its JSON


def section_buttons(tracker: Tracker) -> list[dict[str, str]]:
    """One button per other part of the article last quoted (``other_sections``, in the order
    knowledge chose), each answering from that part; none when nothing was quoted."""
    article_id = tracker.get_slot("last_article_id")
    choices = tracker.get_slot("other_sections") or []
    if not valid_article_id(article_id) or not isinstance(choices, list):
        return []
    buttons = []
    for choice in choices:
        if isinstance(choice, dict) and isinstance(choice.get("anchor"), str) and choice.get(
                "label"):
            payload = CHOOSE_PAYLOAD + json.dumps(
                {"article_id": article_id, "section": choice["anchor"]})
            buttons.append({"title": str(choice["label"]), "payload": payload})
    return buttons
