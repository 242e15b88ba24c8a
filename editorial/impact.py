""" "Try a question" against a draft, and what an edit changes for the labelled questions.

Both compare the live service with a copy of it in which the draft is published
(``editorial.draft_index``), so the editor sees the effect before publishing.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

TRY_K = 5


@dataclass(frozen=True)
class Outcome:
    """What the assistant would do with one question."""

    status: str  # answer | clarify | abstain
    article_id: str | None = None
    title: str | None = None
    heading: str | None = None
    score: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)

    def same_as(self, other: Outcome) -> bool:
        """True when both would show the same section."""
        return (self.status, self.article_id, self.heading) == (
            other.status,
            other.article_id,
            other.heading,
        )


@dataclass
class QuestionImpact:
    """How one question fares before and after the edit."""

    question: str
    source: str  # labelled | gap
    target: str | None
    before: Outcome
    after: Outcome
    verdict: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "question": self.question,
            "source": self.source,
            "target": self.target,
            "before": self.before.as_dict(),
            "after": self.after.as_dict(),
            "verdict": self.verdict,
            "changed": not self.before.same_as(self.after),
        }


@dataclass
class TryResult:
    """Sections that would answer a question: from the draft and from what is live now."""

    question: str
    draft_hits: list[dict[str, Any]] = field(default_factory=list)
    published_hits: list[dict[str, Any]] = field(default_factory=list)
    draft_outcome: Outcome | None = None
    published_outcome: Outcome | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "question": self.question,
            "draft_hits": self.draft_hits,
            "published_hits": self.published_hits,
            "draft_outcome": self.draft_outcome.as_dict() if self.draft_outcome else None,
            "published_outcome": (
                self.published_outcome.as_dict() if self.published_outcome else None
            ),
        }


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def hit_dict(hit: Any) -> dict[str, Any]:
    """A search hit as JSON: article, title, heading, score, url."""
    score = _get(hit, "score")
    return {
        "article_id": _get(hit, "article_id"),
        "title": _get(hit, "title"),
        "heading": _get(hit, "heading"),
        "url": _get(hit, "url"),
        "score": round(float(score), 3) if score is not None else None,
    }


def outcome(result: Any) -> Outcome:
    """Boil a ``GuidanceResult`` down to what the citizen would see."""
    status = str(_get(result, "status", "abstain"))
    answer = _get(result, "answer")
    candidates = list(_get(result, "candidates", []) or [])
    top = candidates[0] if candidates else None
    score = _get(top, "score") if top is not None else None
    score = round(float(score), 3) if score is not None else None
    if status == "answer" and answer is not None:
        return Outcome(
            status,
            _get(answer, "article_id"),
            _get(answer, "title"),
            _get(answer, "heading"),
            score,
        )
    if status == "clarify" and top is not None:
        return Outcome(
            status, _get(top, "article_id"), _get(top, "title"), _get(top, "heading"), score
        )
    return Outcome(status)


def _hits(service: Any, question: str, k: int) -> list[dict[str, Any]]:
    found = service.search(question, k)
    return [hit_dict(h) for h in _get(found, "results", found)]


def try_question(live: Any, draft: Any | None, question: str, k: int = TRY_K) -> TryResult:
    """Which sections would answer ``question``: with the draft, and in the live index."""
    result = TryResult(question)
    result.published_hits = _hits(live, question, k)
    result.published_outcome = outcome(live.answer(question))
    if draft is not None:
        result.draft_hits = _hits(draft, question, k)
        result.draft_outcome = outcome(draft.answer(question))
    return result


def labelled_questions(eval_file: Path, article_id: str) -> list[str]:
    """Questions in the labelled set whose expected article is ``article_id``."""
    if not eval_file.exists():
        return []
    out = []
    for line in eval_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row.get("article_id") == article_id and row.get("question"):
            out.append(str(row["question"]))
    return out


def verdict(target: str | None, before: Outcome, after: Outcome) -> str:
    """Plain words for the change."""
    hit_before = before.status == "answer" and before.article_id == target
    hit_after = after.status == "answer" and after.article_id == target
    if before.same_as(after):
        return "no change" + (" (answered from this article)" if hit_after else "")
    if hit_after and not hit_before:
        return "now answered from this article"
    if hit_before and not hit_after:
        return "no longer answered from this article" + (
            " — the assistant would not know" if after.status == "abstain" else ""
        )
    if hit_before and hit_after:
        return f"answered from a different section: {after.heading}"
    return "changed, still not answered from this article"


def impact_of_edit(
    live: Any, draft: Any, article_id: str, labelled: list[str], attached: list[str]
) -> list[QuestionImpact]:
    """Re-run the questions that target the article, live against draft; changes first."""
    rows: list[QuestionImpact] = []
    seen: set[str] = set()
    for source, questions in (("labelled", labelled), ("gap", attached)):
        for question in questions:
            if question.lower() in seen:
                continue
            seen.add(question.lower())
            before = outcome(live.answer(question))
            after = outcome(draft.answer(question))
            rows.append(
                QuestionImpact(
                    question, source, article_id, before, after, verdict(article_id, before, after)
                )
            )
    return sorted(rows, key=lambda r: r.before.same_as(r.after))
