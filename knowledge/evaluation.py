"""Evaluate retrieval on the labelled questions: dense-only, BM25-only and fused, one run.

``knowledge/eval/questions.jsonl`` holds one object a line:
``{"question": str, "article_id": str | null, "split": "tune" | "heldout"}``
(``null`` = off-topic: the assistant should abstain).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from knowledge.abstention import decide
from knowledge.calibration import Calibration, Features, features, fit_text_only_gates
from knowledge.fusion import METHODS
from knowledge.knowledge_base import KnowledgeBase, QueryScores
from knowledge.self_exclusion import Isolate, no_isolation, without_examples

SPLITS = ("tune", "heldout")
TARGETS = {
    "recall_at_1": (">=", 0.90),
    "recall_at_3": (">=", 0.97),
    "offtopic_answered": ("<=", 0.05),
    "ontopic_abstained": ("<=", 0.05),
}


class QuestionSetError(ValueError):
    """The labelled question file is malformed; the message names file and line."""


@dataclass(frozen=True)
class LabelledQuestion:
    """One labelled question."""

    question: str
    article_id: str | None
    split: str
    line: int


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; :class:`QuestionSetError` naming the line."""
    path = Path(path)
    if not path.exists():
        raise QuestionSetError(f"{path}: the labelled question file does not exist")
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise QuestionSetError(f"{path}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise QuestionSetError(f"{path}:{number}: each line must be a JSON object")
        yield number, data


def load_questions(path: Path, article_ids: Mapping[str, object]) -> list[LabelledQuestion]:
    """Read and validate the labelled questions; raise :class:`QuestionSetError` naming the line."""
    out = []
    for number, data in json_lines(path):
        question, article_id, split = (
            data.get("question"),
            data.get("article_id"),
            data.get("split"),
        )
        if not isinstance(question, str) or not question.strip():
            raise QuestionSetError(f"{path}:{number}: 'question' must be non-empty text")
        if split not in SPLITS:
            raise QuestionSetError(f"{path}:{number}: 'split' must be 'tune' or 'heldout'")
        if article_id is not None and (
            not isinstance(article_id, str) or article_id not in article_ids
        ):
            raise QuestionSetError(f"{path}:{number}: unknown article_id {article_id!r}")
        out.append(LabelledQuestion(question.strip(), article_id, split, number))
    return out


def score_questions(
    kb: KnowledgeBase,
    questions: Sequence[LabelledQuestion],
    progress: Callable[[int], None] | None = None,
    isolate: Isolate = no_isolation,
) -> list[QueryScores]:
    """Embed every question once (batched) and score it against the knowledge base.

    Each question is scored inside ``isolate(question)``: for fitting and evaluation, a
    :class:`knowledge.self_exclusion.SelfExclusion` so it never matches itself.
    """
    vectors = kb.embedder.embed([q.question for q in questions])
    out = []
    for q, vector in zip(questions, vectors, strict=True):
        with isolate(q.question):
            out.append(kb.score(q.question, vector=vector))
        if progress:
            progress(1)
    return out


def metrics(
    feats: Sequence[Features], calibration: Calibration | None, method: str
) -> dict[str, Any]:
    """Ranking and abstention metrics for one method on one set of questions."""
    on = [f for f in feats if f.gold is not None]
    off = [f for f in feats if f.gold is None]
    n_on = max(1, len(on))
    result: dict[str, Any] = {
        "on_topic": len(on),
        "off_topic": len(off),
        "recall_at_1": sum(1 for f in on if f.gold_rank == 1) / n_on,
        "recall_at_3": sum(1 for f in on if f.gold_rank and f.gold_rank <= 3) / n_on,
        "mrr": sum(1.0 / f.gold_rank for f in on if f.gold_rank) / n_on,
    }
    if calibration is not None and method in calibration.gates:
        status = {
            id(f): decide(f.offtopic, f.top, f.second, calibration.gates_for(method, f.examples))
            for f in feats
        }
        answered_on = [f for f in on if status[id(f)] == "answer"]
        result.update(
            {
                "offtopic_answered": (
                    sum(1 for f in off if status[id(f)] != "abstain") / len(off) if off else 0.0
                ),
                "ontopic_abstained": sum(1 for f in on if status[id(f)] == "abstain") / n_on,
                "ontopic_clarify": sum(1 for f in on if status[id(f)] == "clarify") / n_on,
                "answer_precision": (
                    sum(1 for f in answered_on if f.gold_rank == 1) / len(answered_on)
                    if answered_on
                    else 0.0
                ),
            }
        )
    return result


def evaluate(
    scores: Sequence[QueryScores],
    questions: Sequence[LabelledQuestion],
    calibration: Calibration,
    titles: Mapping[str, str] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Metrics per split and method (``dense``, ``bm25``, ``fused``, plus ``rrf`` ranking)."""
    report: dict[str, dict[str, dict[str, Any]]] = {}
    for split in SPLITS:
        pairs = [(s, q) for s, q in zip(scores, questions, strict=True) if q.split == split]
        if not pairs:
            continue
        report[split] = {}
        for method in ("dense", "bm25", "fused", "rrf"):
            weight = calibration.fusion_weight if method == "fused" else 1.0
            text_only = calibration.text_only_weight if method == "fused" else None
            feats = [
                features(
                    s, method, weight, q.article_id, titles, calibration.signpost_margin, text_only
                )
                for s, q in pairs
            ]
            report[split][method] = metrics(feats, calibration, method)
    return report


def fit_text_only(
    kb: KnowledgeBase,
    questions: Sequence[LabelledQuestion],
    calibration: Calibration,
    titles: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, dict[str, Any]]]:
    """Fit ``calibration.text_only_fusion_weight`` and ``text_only_gates`` on ``questions``
    (tune) scored without any example question, and return their metrics there per method:
    the ``usual`` weight and gates against the ``text_only`` ones (what a corpus without
    example questions would get from each)."""
    scores = score_questions(without_examples(kb), questions, progress)
    golds = [q.article_id for q in questions]
    usual = replace(calibration, text_only_gates=None, text_only_fusion_weight=None)
    weight, gates = fit_text_only_gates(scores, golds, calibration, titles)
    calibration.text_only_fusion_weight, calibration.text_only_gates = weight, gates
    calibration.fitted["text_only_gates"] = (
        f"the same tune questions, every example question out (fusion weight {weight:.2f})"
    )
    out: dict[str, dict[str, dict[str, Any]]] = {"usual": {}, "text_only": {}}
    for name, cal in (("usual", usual), ("text_only", calibration)):
        for method in METHODS:
            w = cal.fusion_weight if method == "fused" else 1.0
            feats = [
                features(
                    s, method, w, g, titles, cal.signpost_margin,
                    cal.text_only_weight if method == "fused" else None,
                )
                for s, g in zip(scores, golds, strict=True)
            ]
            out[name][method] = metrics(feats, cal, method)
    return out


def format_text_only(rows: Mapping[str, Mapping[str, Mapping[str, Any]]]) -> str:
    """:func:`fit_text_only`'s figures, a line per gate set and method."""
    return "\n".join(
        f"  tune without example questions, {gates} gates, {method}: on-topic abstained "
        f"{m['ontopic_abstained']:.1%}, off-topic answered {m['offtopic_answered']:.1%}, "
        f"answer precision {m['answer_precision']:.1%}"
        for gates, methods in rows.items()
        for method, m in methods.items()
    )


def format_report(
    report: Mapping[str, Mapping[str, Mapping[str, Any]]], calibration: Calibration
) -> str:
    """A plain-text table of the report, with the held-out targets checked."""
    lines = [
        f"calibrated method: {calibration.method} (fusion weight w={calibration.fusion_weight:.2f}"
        " on cosine, 1-w on max-normalised BM25)",
    ]
    header = (
        f"{'split':8} {'method':7} {'n_on':>5} {'n_off':>5} {'R@1':>6} {'R@3':>6} {'MRR':>6} "
        f"{'off-ans':>8} {'on-abst':>8} {'clarify':>8} {'ans-prec':>8}"
    )
    lines += [header, "-" * len(header)]
    for split, methods in report.items():
        for method, m in methods.items():

            def pct(key: str, m: Mapping[str, Any] = m) -> str:
                return f"{100 * m[key]:7.1f}%" if key in m else f"{'-':>8}"

            lines.append(
                f"{split:8} {method:7} {m['on_topic']:5d} {m['off_topic']:5d} "
                f"{m['recall_at_1']:6.3f} {m['recall_at_3']:6.3f} {m['mrr']:6.3f} "
                f"{pct('offtopic_answered')} {pct('ontopic_abstained')} "
                f"{pct('ontopic_clarify')} {pct('answer_precision')}"
            )
    held = report.get("heldout", {}).get(calibration.method)
    if held:
        lines.append("")
        lines.append(f"held-out targets for the served method ({calibration.method}):")
        for key, (op, target) in TARGETS.items():
            value = held.get(key)
            ok = value is not None and (value >= target if op == ">=" else value <= target)
            lines.append(f"  {key:18} {value:.3f} {op} {target:.2f}  {'MET' if ok else 'NOT MET'}")
    lines.append(
        "(rrf = plain reciprocal-rank fusion, k=60, for comparison; it has no gates of its own)"
    )
    return "\n".join(lines)
