"""Evaluate answers at the grain the citizen sees: the section quoted.

Labelled lines (``knowledge/eval/questions.jsonl`` and other corpora) carry, besides the
article, every section that answers the question strictly and the ones that answer it in
part (``article-id#Heading``; the introduction is ``article-id#(introduction)``). A question
is scored through :meth:`GuidanceService.answer` — the served pipeline, with its gates — so
"did you mean" and abstention count as no section quoted.

* strict: the quoted section is one that answers the question;
* lenient: strict, or a section that answers it in part;
* article: the quoted section is in the right article.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.answering import GuidanceResult, GuidanceService
from knowledge.articles import Article
from knowledge.evaluation import QuestionSetError, json_lines
from knowledge.example_questions import INTRO_KEY
from knowledge.self_exclusion import Isolate, no_isolation

SPLITS = ("tune", "heldout")


class LabelError(QuestionSetError):
    """A labelled question file is malformed; the message names file and line."""


@dataclass(frozen=True)
class SectionLabel:
    """One question with the sections that answer it."""

    question: str
    article_id: str | None
    sections: tuple[str, ...]
    partial: tuple[str, ...]
    split: str
    line: int

    @property
    def articles(self) -> set[str]:
        """Articles whose quoting counts as the right article."""
        found = {ref.split("#", 1)[0] for ref in self.sections}
        return found | ({self.article_id} if self.article_id else set())


def section_refs(article: Article) -> set[str]:
    """Every section reference of one article, introduction included."""
    refs = {f"{article.id}#{s.heading}" for s in article.sections}
    return refs | {f"{article.id}#{INTRO_KEY}"}


def load_labels(path: Path, articles: Mapping[str, Article]) -> list[SectionLabel]:
    """Read and check a labelled file; raise :class:`LabelError` naming the line."""
    known = set().union(*(section_refs(a) for a in articles.values())) if articles else set()
    out: list[SectionLabel] = []
    for number, data in json_lines(path):
        question, article_id = data.get("question"), data.get("article_id")
        split = data.get("split")
        if not isinstance(question, str) or not question.strip():
            raise LabelError(f"{path}:{number}: 'question' must be non-empty text")
        if split not in SPLITS:
            raise LabelError(f"{path}:{number}: 'split' must be 'tune' or 'heldout'")
        if article_id is not None and article_id not in articles:
            raise LabelError(f"{path}:{number}: unknown article_id {article_id!r}")
        lists = []
        for key in ("sections", "partial"):
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(r, str) for r in value):
                raise LabelError(f"{path}:{number}: '{key}' must be a list of section references")
            unknown = [r for r in value if r not in known]
            if unknown:
                raise LabelError(f"{path}:{number}: unknown section {unknown[0]!r}")
            lists.append(tuple(value))
        if article_id is None and (lists[0] or lists[1]):
            raise LabelError(f"{path}:{number}: an off-topic question (no article) has sections")
        out.append(SectionLabel(question.strip(), article_id, lists[0], lists[1], split, number))
    return out


@dataclass(frozen=True)
class Judged:
    """What the served pipeline did with one labelled question."""

    label: SectionLabel
    status: str
    quoted: str | None

    @property
    def strict(self) -> bool:
        """The quoted section answers the question."""
        return self.quoted is not None and self.quoted in self.label.sections

    @property
    def lenient(self) -> bool:
        """The quoted section answers the question fully or in part."""
        return self.strict or (self.quoted is not None and self.quoted in self.label.partial)

    @property
    def article(self) -> bool:
        """The quoted section is in the right article."""
        return self.quoted is not None and self.quoted.split("#", 1)[0] in self.label.articles


def judge(label: SectionLabel, result: GuidanceResult) -> Judged:
    """Compare one answer with its label."""
    quoted = result.answer.section if result.status == "answer" and result.answer else None
    return Judged(label, result.status, quoted)


def run(
    service: GuidanceService, labels: Sequence[SectionLabel], isolate: Isolate = no_isolation
) -> list[Judged]:
    """Ask the service every labelled question, each inside ``isolate(question)``."""
    out = []
    for label in labels:
        with isolate(label.question):
            out.append(judge(label, service.answer(label.question)))
    return out


def summarise(judged: Sequence[Judged]) -> dict[str, Any]:
    """Section-, article- and gate-level rates for one set of judged questions."""
    on = [j for j in judged if j.label.article_id is not None]
    off = [j for j in judged if j.label.article_id is None]
    n = max(1, len(on))
    return {
        "on_topic": len(on),
        "off_topic": len(off),
        "strict": sum(j.strict for j in on) / n,
        "lenient": sum(j.lenient for j in on) / n,
        "article": sum(j.article for j in on) / n,
        "clarify": sum(j.status == "clarify" for j in on) / n,
        "abstained": sum(j.status == "abstain" for j in on) / n,
        "offtopic_answered": (sum(j.status != "abstain" for j in off) / len(off)) if off else 0.0,
        "unanswerable": sum(not j.label.sections for j in on),
    }


def format_table(rows: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """One table: split x method, section-level first."""
    header = (
        f"{'split':8} {'method':14} {'n_on':>5} {'n_off':>5} {'strict':>7} {'lenient':>8} "
        f"{'article':>8} {'clarify':>8} {'abstain':>8} {'off-ans':>8}"
    )
    lines = [header, "-" * len(header)]
    for split, methods in rows.items():
        for method, m in methods.items():
            lines.append(
                f"{split:8} {method:14} {m['on_topic']:5d} {m['off_topic']:5d} "
                f"{m['strict']:7.3f} {m['lenient']:8.3f} {m['article']:8.3f} "
                f"{100 * m['clarify']:7.1f}% {100 * m['abstained']:7.1f}% "
                f"{100 * m['offtopic_answered']:7.1f}%"
            )
    return "\n".join(lines)


def compare_methods(
    service: GuidanceService,
    labels: Sequence[SectionLabel],
    splits: Sequence[str],
    isolate: Isolate = no_isolation,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Section-level figures per split for the served pipeline and each single method.

    ``served`` is the calibrated method with the section model; ``dense``, ``bm25`` and
    ``fused`` quote their best chunk's section (no section model), each with its own gates.
    Every question is asked inside ``isolate(question)`` (leave-one-out).
    """
    calibration = service.calibration
    variants = {"served": service}
    for method in ("dense", "bm25", "fused"):
        variants[method] = service.with_calibration(
            replace(calibration, method=method, section_model=None)
        )
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for split in splits:
        chosen = [lab for lab in labels if lab.split == split]
        if chosen:
            rows[split] = {name: summarise(run(v, chosen, isolate)) for name, v in variants.items()}
    return rows
