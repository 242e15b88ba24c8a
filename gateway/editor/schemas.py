"""Request bodies of the editor API (pydantic checks types and sizes before anything runs)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from knowledge.articles import MAX_ARTICLE_BYTES, MAX_ID_CHARS
from knowledge.questions import MAX_QUESTION_CHARS

# Loose on purpose: the article format's own limit (MAX_ARTICLE_BYTES) answers with a clear message.
MAX_MARKDOWN = 2 * MAX_ARTICLE_BYTES
MAX_TOGETHER = 20  # articles published in one step besides the one being edited


class ArticleText(BaseModel):
    """An article as the form sends it (front matter fields + body) or as raw Markdown."""

    model_config = ConfigDict(extra="forbid")

    front_matter: dict[str, Any] | None = None
    body: str | None = Field(default=None, max_length=MAX_MARKDOWN)
    markdown: str | None = Field(default=None, max_length=MAX_MARKDOWN)


class CreateArticle(ArticleText):
    """A new article, optionally started from a group of gap questions."""

    questions: list[Annotated[str, Field(max_length=MAX_QUESTION_CHARS)]] = Field(
        default_factory=list, max_length=50
    )


class SaveArticle(ArticleText):
    """A new version on top of ``base_version`` (the version the editor opened)."""

    base_version: int = Field(ge=0)
    note: str = Field(default="", max_length=300)


class VersionAction(BaseModel):
    """Publish or retire: the version the editor is looking at."""

    model_config = ConfigDict(extra="forbid")

    base_version: int = Field(ge=1)


class PublishArticle(VersionAction):
    """Publish; ``together_with`` names other articles (their newest versions) to publish in
    the same step, so articles naming each other in ``related`` can go live together."""

    together_with: list[Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS)]] = Field(
        default_factory=list, max_length=MAX_TOGETHER
    )


class RestoreVersion(BaseModel):
    """Make ``version`` the newest again; ``publish`` makes it live in the same click."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    base_version: int = Field(ge=1)
    publish: bool = True


class TryQuestion(ArticleText):
    """A question to try against the draft (when given) and the live index."""

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    article_id: str | None = Field(default=None, max_length=MAX_ID_CHARS)


class ImpactRequest(ArticleText):
    """Which labelled questions an edit of ``article_id`` changes."""

    article_id: str = Field(min_length=1, max_length=MAX_ID_CHARS)


class AttachQuestion(BaseModel):
    """Add a question to one section's example questions (from "Try a question" or a gap)."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS)
    section: str = Field(min_length=1, max_length=300)
    base_version: int | None = Field(default=None, ge=1)
    from_gap: bool = False
