"""The JSON shapes the gateway sends and accepts (see docs/contracts.md)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from knowledge.questions import MAX_QUESTION_CHARS

Role = Literal["citizen", "bot", "adviser", "system"]
Mode = Literal["bot", "queued", "adviser", "closed"]
Outcome = Literal["resolved", "callback_booked", "referred"]


class Button(BaseModel):
    """A quick reply the widget shows under a bot message."""

    title: str
    payload: str


class Source(BaseModel):
    """A guidance section a bot answer quotes."""

    model_config = ConfigDict(extra="ignore")

    title: str
    url: str
    heading: str | None = None
    last_reviewed: str | None = None
    article_id: str | None = None
    score: float | None = None


class Message(BaseModel):
    """One stored message of a conversation; ``id`` is its Redis stream id."""

    id: str
    role: Role
    text: str
    ts: float
    buttons: list[Button] | None = None
    sources: list[Source] | None = None
    author: str | None = None
    client_id: str | None = None

    def public(self) -> dict[str, Any]:
        """The citizen-facing JSON (no empty fields, no adviser-only source scores)."""
        data = self.model_dump(exclude_none=True)
        for source in data.get("sources", []):
            source.pop("score", None)
        return data

    def full(self) -> dict[str, Any]:
        """The adviser-facing JSON (with source scores)."""
        return self.model_dump(exclude_none=True)

    @classmethod
    def from_stream(cls, entry_id: str, fields: dict[str, str]) -> Message:
        """Rebuild a message from a stream entry's fields."""
        return cls(
            id=entry_id,
            role=fields.get("role", "system"),  # type: ignore[arg-type]
            text=fields.get("text", ""),
            ts=float(fields.get("ts", "0")),
            buttons=json.loads(fields["buttons"]) if fields.get("buttons") else None,
            sources=json.loads(fields["sources"]) if fields.get("sources") else None,
            author=fields.get("author") or None,
            client_id=fields.get("client_id") or None,
        )


class NewConversation(BaseModel):
    """Optional body of ``POST /api/conversations``."""

    model_config = ConfigDict(extra="forbid")

    page_url: StrictStr | None = Field(default=None, max_length=2000)


class CitizenText(BaseModel):
    """Body of ``POST /api/conversations/{id}/messages``."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr
    client_id: StrictStr | None = None


class HandoffRequest(BaseModel):
    """Body of ``POST /api/conversations/{id}/handoff`` (optional)."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["requested"] = "requested"


class State(BaseModel):
    """What the widget needs to show about the conversation's routing."""

    mode: Mode
    queue_position: int | None = None
    eta_seconds: int | None = None
    wait_text: str | None = None  # the estimate in words (gateway.notices.wait_words)
    adviser: str | None = None
    out_of_hours: bool = False


class TurnReply(BaseModel):
    """Answer to a citizen's HTTP message."""

    mode: Mode
    received: dict[str, Any]
    messages: list[dict[str, Any]]


class LoginRequest(BaseModel):
    """Body of ``POST /api/console/login``."""

    model_config = ConfigDict(extra="forbid")

    username: StrictStr = Field(min_length=1, max_length=64)
    password: StrictStr = Field(min_length=1, max_length=1024)


class AdviserText(BaseModel):
    """An adviser's reply or note."""

    model_config = ConfigDict(extra="forbid")

    text: StrictStr
    client_id: StrictStr | None = None


class TransferRequest(BaseModel):
    """Body of the transfer endpoint."""

    model_config = ConfigDict(extra="forbid")

    queue: StrictStr


class EndRequest(BaseModel):
    """Body of the end endpoint."""

    model_config = ConfigDict(extra="forbid")

    outcome: Outcome
    hand_back: StrictBool = False


class CallbackStatus(BaseModel):
    """Body of the callback status endpoint."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["open", "done"]


class CannedReply(BaseModel):
    """A canned reply as sent by the console."""

    model_config = ConfigDict(extra="forbid")

    title: StrictStr = Field(min_length=1, max_length=80)
    text: StrictStr = Field(min_length=1, max_length=MAX_QUESTION_CHARS)  # sent as a message


class Schedule(BaseModel):
    """Opening hours as edited by an admin."""

    model_config = ConfigDict(extra="forbid")

    weekly: dict[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], list[tuple[str, str]]]
    bank_holidays: list[str] = Field(default_factory=list)
    timezone: str | None = None
