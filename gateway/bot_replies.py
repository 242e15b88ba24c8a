"""Turn Rasa's REST-channel output into stored bot messages and the signals it carries."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from gateway.messages import MessageStore
from gateway.schemas import Button, Message, Source
from knowledge.example_questions import section_ref

# The button the action server offers after "That's not what I asked" for another part of the
# article just quoted (docs/contracts.md): ``/choose_article{"article_id": …, "section": …}``.
_PICK = re.compile(r"^\s*/choose_article\s*(\{.*\})\s*$", re.DOTALL)


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
    about_answer: bool = False  # the abstention answered a remark about the last answer


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
                output.about_answer = output.about_answer or custom.get("about_answer") is True
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


def section_pick(payload: str) -> tuple[str, str] | None:
    """(article id, anchor) of an "another part" button's payload (``""`` anchor: the
    introduction); None for any other text, a "did you mean" pick or a broken payload."""
    match = _PICK.match(payload)
    try:
        data = json.loads(match.group(1)) if match else None
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    article_id, anchor = data.get("article_id"), data.get("section")
    if not isinstance(article_id, str) or not isinstance(anchor, str):
        return None
    return article_id, anchor


def picked_section(text: str, replies: list[Message]) -> tuple[str, str] | None:
    """The part a citizen picked after "That's not what I asked", as (article id,
    ``article-id#Heading``), when ``text`` is that button's payload and the bot's replies quote
    a part of that article; None otherwise (any other message, or nothing quoted)."""
    pick = section_pick(text)
    if pick is None:
        return None
    article_id, anchor = pick
    source = next((s for m in replies for s in m.sources or []
                   if s.article_id == article_id and s.heading), None)
    if source is None:
        return None
    return article_id, section_ref(article_id, source.heading if anchor else None)
