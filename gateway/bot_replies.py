"""Turn Rasa's REST-channel output into stored bot messages and the signals it carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from gateway.messages import MessageStore
from gateway.schemas import Button, Message, Source


@dataclass
class Draft:
    """A bot message before it is stored."""

    text: str
    buttons: list[Button] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)


@dataclass
class BotOutput:
    """What one Rasa turn produced."""

    drafts: list[Draft] = field(default_factory=list)
    handoff: dict[str, Any] | None = None
    abstained: bool = False


def _buttons(raw: Any) -> list[Button]:
    buttons = []
    for item in raw if isinstance(raw, list) else []:
        try:
            buttons.append(Button(title=str(item["title"]), payload=str(item["payload"])))
        except (KeyError, TypeError):
            continue
    return buttons


def _sources(raw: Any) -> list[Source]:
    sources = []
    for item in raw if isinstance(raw, list) else []:
        try:
            sources.append(Source.model_validate(item))
        except ValidationError:
            continue
    return sources


def parse_output(items: list[dict[str, Any]]) -> BotOutput:
    """Group Rasa's responses: texts with their buttons; sources attach to the text before them."""
    output = BotOutput()
    pending_sources: list[Source] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if isinstance(text, str) and text.strip():
            draft = Draft(text=text.strip(), buttons=_buttons(item.get("buttons")))
            if pending_sources:
                draft.sources, pending_sources = pending_sources, []
            output.drafts.append(draft)
        elif item.get("buttons") and output.drafts:
            output.drafts[-1].buttons += _buttons(item.get("buttons"))
        custom = item.get("custom")
        if isinstance(custom, dict):
            if isinstance(custom.get("text"), str) and custom["text"].strip():
                output.drafts.append(Draft(text=custom["text"].strip(),
                                           buttons=_buttons(custom.get("buttons"))))
            sources = _sources(custom.get("sources"))
            if sources:
                if output.drafts and not output.drafts[-1].sources:
                    output.drafts[-1].sources = sources
                else:
                    pending_sources = sources
            if isinstance(custom.get("handoff"), dict):
                output.handoff = custom["handoff"]
            if custom.get("abstained") is True:
                output.abstained = True
    if pending_sources and output.drafts:
        output.drafts[-1].sources += pending_sources
    return output


async def store_drafts(store: MessageStore, conversation_id: str,
                       drafts: list[Draft]) -> list[Message]:
    """Append the bot's messages to the conversation's stream, in order."""
    stored = []
    for draft in drafts:
        appended = await store.append(conversation_id, "bot", draft.text,
                                      buttons=draft.buttons or None,
                                      sources=draft.sources or None)
        stored.append(appended.message)
    return stored
