"""The records of the article store: one saved version, and the article's current state.

``editorial.store`` writes and reads them (the Redis hashes ``editor:article:{id}`` and
``editor:article:{id}:versions``); the API and pages show them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from editorial.markdown_doc import FrontMatterError, split_markdown

STATUSES = ("draft", "published", "retired")


@dataclass(frozen=True)
class Version:
    """One saved state of an article."""

    number: int
    markdown: str
    author: str
    ts: float
    action: str
    note: str = ""
    restored_from: int | None = None

    def as_dict(self, with_text: bool = True) -> dict[str, Any]:
        """JSON-friendly form; ``with_text=False`` leaves out the Markdown."""
        data = asdict(self)
        if not with_text:
            data.pop("markdown")
        return data


@dataclass
class ArticleState:
    """What the article list shows: the latest state of one article."""

    article_id: str
    title: str = ""
    owner: str = ""
    service_area: str = ""
    review_by: str = ""
    status: str = "draft"
    head_version: int = 0
    published_version: int = 0
    updated_at: float = 0.0
    updated_by: str = ""
    source_sha: str = ""
    source_version: int = 0
    questions: list[str] = field(default_factory=list)

    def overdue(self, today: dt.date | None = None) -> bool:
        """True when the review-by date has passed (and the article is not retired)."""
        if self.status == "retired" or not self.review_by:
            return False
        try:
            due = dt.date.fromisoformat(self.review_by)
        except ValueError:
            return False
        return due < (today or dt.date.today())

    @property
    def unpublished_changes(self) -> bool:
        """True when the newest version is not the one that is live."""
        return self.status != "retired" and self.head_version != self.published_version

    def as_dict(self, today: dt.date | None = None) -> dict[str, Any]:
        """JSON-friendly form, with the derived flags."""
        data = asdict(self)
        data["overdue"] = self.overdue(today)
        data["unpublished_changes"] = self.unpublished_changes
        return data

    def to_hash(self) -> dict[str, str]:
        """Redis hash fields."""
        data = asdict(self)
        data["questions"] = json.dumps(self.questions)
        return {k: str(v) for k, v in data.items()}

    @classmethod
    def from_hash(cls, raw: dict[str, str]) -> ArticleState:
        """Read the Redis hash back."""
        return cls(
            article_id=raw["article_id"],
            title=raw.get("title", ""),
            owner=raw.get("owner", ""),
            service_area=raw.get("service_area", ""),
            review_by=raw.get("review_by", ""),
            status=raw.get("status", "draft"),
            head_version=int(raw.get("head_version", 0)),
            published_version=int(raw.get("published_version", 0)),
            updated_at=float(raw.get("updated_at", 0)),
            updated_by=raw.get("updated_by", ""),
            source_sha=raw.get("source_sha", ""),
            source_version=int(raw.get("source_version", 0)),
            questions=json.loads(raw.get("questions") or "[]"),
        )


def describe(markdown: str) -> dict[str, str]:
    """The list-view fields taken from the front matter."""
    try:
        front, _ = split_markdown(markdown)
    except FrontMatterError:
        return {}
    return {k: str(front.get(k) or "") for k in ("title", "owner", "service_area", "review_by")}
