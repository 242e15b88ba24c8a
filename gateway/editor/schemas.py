"""Request bodies of the editor API (pydantic checks types and sizes before anything runs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.articles import MAX_ARTICLE_BYTES

# Loose on purpose: the article format's own limit (MAX_ARTICLE_BYTES) answers with a clear message.
MAX_MARKDOWN = 2 * MAX_ARTICLE_BYTES
MAX_QUESTION = 1000


class ArticleText(BaseModel):
    """An article as the form sends it (front matter fields + body) or as raw Markdown."""

    model_config = ConfigDict(extra="forbid")

    front_matter: dict[str, Any] | None = None
    body: str | None = Field(default=None, max_length=MAX_MARKDOWN)
    markdown: str | None = Field(default=None, max_length=MAX_MARKDOWN)


class CreateArticle(ArticleText):
    """A new article, optionally started from a group of gap questions."""

    questions: list[str] = Field(default_factory=list, max_length=50)


class SaveArticle(ArticleText):
    """A new version on top of ``base_version`` (the version the editor opened)."""

    base_version: int = Field(ge=0)
    note: str = Field(default="", max_length=300)


class VersionAction(BaseModel):
    """Publish or retire: the version the editor is looking at."""

    model_config = ConfigDict(extra="forbid")

    base_version: int = Field(ge=1)


class RestoreVersion(BaseModel):
    """Make ``version`` the newest again; ``publish`` makes it live in the same click."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    base_version: int = Field(ge=1)
    publish: bool = True


class TryQuestion(ArticleText):
    """A question to try against the draft (when given) and the live index."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    article_id: str | None = Field(default=None, max_length=100)


class ImpactRequest(ArticleText):
    """Which labelled questions an edit of ``article_id`` changes."""

    article_id: str = Field(min_length=1, max_length=100)


class AttachQuestion(BaseModel):
    """Add a question to one section's example questions (from "Try a question" or a gap)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION)
    section: str = Field(min_length=1, max_length=300)
    base_version: int | None = Field(default=None, ge=1)
    from_gap: bool = False
