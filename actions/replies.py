"""The texts custom actions send, read from ``bot/replies.yml`` (never written in code).

The file uses the format of Rasa domain responses. It is read once, on first use.
"""

from __future__ import annotations

import logging
import string
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.settings import get_settings

logger = logging.getLogger(__name__)


class _Blank(dict[str, Any]):
    """Leaves a ``{field}`` the caller did not pass empty, and logs it as an error.

    The citizen still gets the rest of the reply; the log names the reply and the field, so a
    mistyped field in ``bot/replies.yml`` or a missing value in an action is found.
    """

    def __init__(self, name: str, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.name = name

    def __missing__(self, key: str) -> str:
        logger.error("reply %r has a field {%s} that the action did not fill", self.name, key)
        return ""


@lru_cache(maxsize=4)
def load_replies(path: Path) -> dict[str, dict[str, Any]]:
    """Read the replies file and return ``{name: first variation}``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    responses = data.get("responses") or {}
    return {name: variations[0] for name, variations in responses.items() if variations}


def reply(name: str, **values: Any) -> dict[str, Any]:
    """Return ``{"text": ..., "buttons": [...]}`` for reply ``name`` with fields filled in."""
    template = load_replies(get_settings().replies_file)[name]
    formatter = string.Formatter()
    text = formatter.vformat(template.get("text", ""), (), _Blank(name, values))
    return {"text": text, "buttons": [dict(button) for button in template.get("buttons", [])]}


def say(
    dispatcher: CollectingDispatcher,
    name: str,
    *,
    extra_buttons: list[dict[str, str]] | None = None,
    own_buttons: bool = True,
    json_message: dict[str, Any] | None = None,
    **values: Any,
) -> None:
    """Send reply ``name``; ``extra_buttons`` go before the reply's own buttons, which are left
    out when ``own_buttons`` is false."""
    message = reply(name, **values)
    buttons = (extra_buttons or []) + (message["buttons"] if own_buttons else [])
    dispatcher.utter_message(text=message["text"], buttons=buttons, json_message=json_message)
