"""Choose the section to quote: a small learned reranker over the top articles' sections.

The article ranking (``fusion.py``) finds the right article far more often than its best
chunk is the section that answers. This stage looks at every section of the top articles and
scores each with a logistic model over a few features:

* how close the question is to the section's text and to the questions the section answers
  (its example questions; question-to-question matching);
* keyword overlap, relative to the other candidate sections;
* the article's own ranking score and whether it is the top article;
* whether the kind of question matches the kind of section: "how do I" with a "How to…"
  heading, "how much" with costs, "how long / when" with times and deadlines, "what if" with
  "If…" sections, "who can" with eligibility, "what do I need" with documents;
* whether the section is the introduction (short keyword questions rarely want it).

The weights are fitted on the labelled ``tune`` split (``section_fit.py``) and stored in the
calibration file; with no fitted model the best chunk's section is kept.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from knowledge.example_questions import section_ref

KINDS: dict[str, tuple[str, str]] = {
    # kind: (question pattern, heading pattern)
    "howto": (
        r"\bhow (?:do|can|to|would|should|does)\b|\bwhere (?:do|can) i\b|\b(?:apply|register|"
        r"claim|report|book|renew|sign up|set up|order|request|challenge|appeal|cancel)\b",
        r"^how (?:to|do|you)\b|\b(?:apply|applying|register|claim|report|book|renew|order|"
        r"request|challenge|appeal)\b",
    ),
    "cost": (
        r"\bhow much\b|\b(?:cost|costs|fee|fees|price|charge|charges|pay|paid|free|refund)\b",
        r"\b(?:cost|costs|fee|fees|price|charges?|pay|paid|payments?|much|free)\b",
    ),
    "time": (
        r"\bhow long\b|\bwhen\b|\b(?:deadline|date|dates|days?|weeks?|months?|time|closing)\b",
        r"\b(?:how long|when|deadlines?|dates?|times?|days?|hours)\b",
    ),
    "problem": (
        r"\bwhat happens\b|\bif\b|\b(?:rejected|refused|lost|late|wrong|missed|not|didn'?t|"
        r"hasn'?t|haven'?t|can'?t|cannot|problem|stolen|damaged)\b",
        r"^if\b|\b(?:problems?|not|cannot|late|wrong|rejected|refused|lost|stolen)\b",
    ),
    "who": (
        r"\bwho\b|\b(?:eligible|eligibility|qualify|entitled|am i|can i get|do i get)\b",
        r"^who\b|\b(?:eligible|eligibility|qualify|can get|can apply|can make)\b",
    ),
    "need": (
        r"\bwhat (?:do i need|documents?|information|to bring|proof)\b|\b(?:documents?|bring|"
        r"proof|evidence)\b",
        r"\b(?:what you need|documents?|bring|information you need|proof|evidence)\b",
    ),
}
_COMPILED = {kind: (re.compile(q, re.I), re.compile(h, re.I)) for kind, (q, h) in KINDS.items()}
FEATURES: tuple[str, ...] = (
    "text_cos",
    "text_cos_rel",
    "question_cos",
    "question_cos_rel",
    "question_cos_2",
    "heading_cos",
    "heading_cos_rel",
    "has_questions",
    "bm25_rel",
    "article_score",
    "article_gap",
    "top_article",
    "intro",
    "short_x_intro",
    "short_x_howto",
    *(f"match_{kind}" for kind in KINDS),
    *(f"heading_{kind}" for kind in KINDS),
)


@dataclass(frozen=True)
class SectionEvidence:
    """What the knowledge base knows about one candidate section for one question."""

    article_id: str
    anchor: str
    heading: str
    text_cos: float
    question_cos: tuple[float, ...]
    bm25: float
    article_score: float
    article_rank: int
    heading_cos: float = 0.0

    @property
    def ref(self) -> str:
        """The section as ``article-id#Heading`` (``#(introduction)`` for the introduction)."""
        return section_ref(self.article_id, self.heading if self.anchor else None)


def question_kinds(question: str) -> dict[str, bool]:
    """Which kinds of question this is (several may hold)."""
    return {kind: bool(q.search(question)) for kind, (q, _) in _COMPILED.items()}


def heading_kinds(heading: str) -> dict[str, bool]:
    """Which kinds of answer a section heading promises."""
    return {kind: bool(h.search(heading)) for kind, (_, h) in _COMPILED.items()}


def feature_rows(question: str, evidence: Sequence[SectionEvidence]) -> list[list[float]]:
    """One feature row per candidate section, in :data:`FEATURES` order."""
    asked = question_kinds(question)
    short = len(question.split()) <= 3
    top_bm25 = max((e.bm25 for e in evidence), default=0.0)
    top_article = max((e.article_score for e in evidence), default=0.0)
    top_text = max((e.text_cos for e in evidence), default=0.0)
    firsts = [e.question_cos[0] if e.question_cos else e.text_cos for e in evidence]
    top_question = max(firsts, default=0.0)
    top_heading = max((e.heading_cos for e in evidence if e.anchor), default=0.0)
    rows = []
    for e, q1 in zip(evidence, firsts, strict=True):
        promised = heading_kinds(e.heading) if e.anchor else dict.fromkeys(KINDS, False)
        q2 = e.question_cos[1] if len(e.question_cos) > 1 else q1
        intro = not e.anchor
        heading = e.heading_cos
        row = [
            e.text_cos,
            e.text_cos - top_text,
            q1,
            q1 - top_question,
            q2,
            heading,
            heading - top_heading,
            float(bool(e.question_cos)),
            e.bm25 / top_bm25 if top_bm25 > 0 else 0.0,
            e.article_score,
            e.article_score - top_article,
            float(e.article_rank == 0),
            float(intro),
            float(short and intro),
            float(short and promised["howto"]),
            *(float(asked[k] and promised[k]) for k in KINDS),
            *(float(promised[k]) for k in KINDS),
        ]
        rows.append(row)
    return rows


@dataclass(frozen=True)
class SectionModel:
    """A fitted logistic model over :data:`FEATURES` (weights in that order)."""

    weights: tuple[float, ...]
    intercept: float
    articles: int = 3
    fitted: Mapping[str, Any] = field(default_factory=dict)

    def scores(self, question: str, evidence: Sequence[SectionEvidence]) -> list[float]:
        """Probability-like score of each candidate section answering the question."""
        out = []
        for row in feature_rows(question, evidence):
            z = self.intercept + sum(w * x for w, x in zip(self.weights, row, strict=True))
            out.append(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))))
        return out

    def ranked(self, question: str, evidence: Sequence[SectionEvidence]) -> list[int]:
        """Indices of the candidate sections, best first (ties: the earlier candidate)."""
        scores = self.scores(question, evidence)
        return sorted(range(len(scores)), key=lambda i: (-scores[i], i))

    def choose(self, question: str, evidence: Sequence[SectionEvidence]) -> int | None:
        """Index of the best candidate section, or None when there are none."""
        return next(iter(self.ranked(question, evidence)), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (feature names kept, so a changed feature list is detected)."""
        return {
            "features": list(FEATURES),
            "weights": list(self.weights),
            "intercept": self.intercept,
            "articles": self.articles,
            "fitted": dict(self.fitted),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SectionModel:
        """Read :meth:`to_dict`'s form; raise ``ValueError`` when the features differ."""
        if list(data.get("features", [])) != list(FEATURES):
            raise ValueError(
                "the section model was fitted with other features: refit it with "
                "`.venv/bin/python -m knowledge eval --calibrate`"
            )
        return cls(
            weights=tuple(float(w) for w in data["weights"]),
            intercept=float(data["intercept"]),
            articles=int(data.get("articles", 3)),
            fitted=dict(data.get("fitted", {})),
        )
