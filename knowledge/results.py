"""What the guidance service returns, and the one check a question passes first.

:class:`GuidanceResult` (the status, an :class:`Answer` quoting one section, the
:class:`Candidate` articles for "did you mean") is what the actions and the gateway render;
:func:`check_question` is the question limit every caller shares. ``knowledge.answering``
composes them and re-exports them, so callers import from the facade.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from knowledge.example_questions import section_ref
from knowledge.questions import MAX_QUESTION_CHARS

MAX_OTHER_SECTIONS = 4  # buttons after "That's not what I asked", besides "None of these"


class QuestionError(ValueError):
    """The question cannot be searched (empty, too long or not text)."""


class UnknownArticleError(KeyError):
    """No article with this id is held."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown article"


@dataclass(frozen=True)
class Link:
    """A link to related guidance."""

    title: str
    url: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class SectionChoice:
    """Another part of the answered article, offered when the quoted one was not what the
    citizen asked: its anchor (``""`` for the introduction) and the words on its button (the
    heading, or the article's title for the introduction)."""

    anchor: str
    label: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    """One article that might answer the question (for "did you mean")."""

    article_id: str
    title: str
    heading: str
    url: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class Answer:
    """An extractive answer: one section's own words and where they come from."""

    article_id: str
    title: str
    heading: str
    url: str
    text: str
    last_reviewed: str
    related: list[Link] = field(default_factory=list)
    anchor: str = ""
    # The article's other parts, the likeliest first (the section model's order for this
    # question where it ranked them, else the article's own): at most MAX_OTHER_SECTIONS.
    other_sections: list[SectionChoice] = field(default_factory=list)

    @property
    def section(self) -> str:
        """The quoted section as ``article-id#Heading`` (``#(introduction)`` for the intro)."""
        return section_ref(self.article_id, self.heading if self.anchor else None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


@dataclass(frozen=True)
class GuidanceResult:
    """What :meth:`GuidanceService.answer` returns."""

    status: Literal["answer", "clarify", "abstain"]
    answer: Answer | None
    candidates: list[Candidate]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "status": self.status,
            "answer": self.answer.to_dict() if self.answer else None,
            "candidates": [c.to_dict() for c in self.candidates],
        }


@dataclass(frozen=True)
class SearchResponse:
    """What ``search --json`` prints."""

    abstained: bool
    results: list[Candidate]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"abstained": self.abstained, "results": [c.to_dict() for c in self.results]}



def clean_question(question: str) -> str:
    """The question as the search embeds it: unprintable characters and runs of space as one
    space, trimmed."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())


def check_question(question: object) -> str:
    """Return the cleaned question or raise :class:`QuestionError` in plain words."""
    if not isinstance(question, str):
        raise QuestionError("The question must be text.")
    cleaned = clean_question(question)
    if not cleaned:
        raise QuestionError("The question is empty.")
    if len(cleaned) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"The question is too long ({len(cleaned)} characters; at most {MAX_QUESTION_CHARS})."
        )
    return cleaned
