"""Fit the fusion weight and the abstention gates on the labelled ``tune`` split.

* Fusion weight: the ``w`` in 0, 0.05, …, 1 with the best recall@1 + MRR on tune. Fusion is
  kept only if it beats dense-only on tune; otherwise the calibrated method is ``dense``.
* Gates (per method): a grid search over thresholds taken from the score quantiles, minimising
  max(off-topic answered, on-topic abstained) + 0.25 x (their sum)
  + 0.5 x on-topic wrong answers + 0.2 x on-topic "did you mean" (both targets are 5 %, so the
  two error rates are balanced first). Among equally good thresholds the middle one is kept.

* Text-only fusion weight and gates (per method): the same weight rule and gate fit on the
  same tune questions scored with every example question taken out
  (``self_exclusion.without_examples``), the signpost margin kept. They apply where the top
  article's evidence carries no example questions (``fusion.rank_by_evidence``,
  ``abstention.pick``): a new section, or another organisation's corpus.

The result is saved as JSON (``knowledge/calibration.json``, committed).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.abstention import Gates, pick
from knowledge.fusion import METHODS, ArticleHit, offtopic_score, rank_by_evidence, top_two
from knowledge.knowledge_base import QueryScores
from knowledge.section_ranking import SectionModel

WEIGHTS = tuple(round(x * 0.05, 2) for x in range(21))
SIGNPOST_MARGINS = tuple(round(x * 0.01, 2) for x in range(1, 11))
CLARIFY_COST = 0.2
WRONG_COST = 0.5
BALANCE_COST = 0.25


class CalibrationError(RuntimeError):
    """The calibration file is missing or unusable."""


@dataclass(frozen=True)
class Features:
    """What the gates and metrics need from one question's ranking."""

    offtopic: float
    top: float | None
    second: float | None
    ranked_ids: tuple[str, ...]
    gold: str | None
    examples: bool = True  # the top article's evidence carries example questions

    @property
    def gold_rank(self) -> int | None:
        """1-based rank of the labelled article, or None if not retrieved."""
        if self.gold is None or self.gold not in self.ranked_ids:
            return None
        return self.ranked_ids.index(self.gold) + 1


def features(
    scores: QueryScores,
    method: str,
    weight: float,
    gold: str | None,
    titles: Mapping[str, str] | None = None,
    signpost_margin: float = 0.0,
    text_only_weight: float | None = None,
) -> Features:
    """Rank one question's articles with ``method`` and keep the gate inputs (the fused
    ranking with ``text_only_weight`` where the evidence carries no example questions)."""
    margin = signpost_margin if method != "bm25" else 0.0
    hits, examples = rank_by_evidence(scores, method, weight, text_only_weight, titles, margin)
    top, second = top_two(hits)
    return Features(
        offtopic=offtopic_score(scores, method),
        top=top,
        second=second,
        ranked_ids=tuple(h.article_id for h in hits[:10]),
        gold=gold,
        examples=examples,
    )


@dataclass
class Calibration:
    """The calibrated retrieval method, fusion weight and gates for every method."""

    method: str
    fusion_weight: float
    gates: dict[str, Gates]
    signpost_margin: float = 0.0
    fitted: dict[str, Any] = field(default_factory=dict)
    section_model: SectionModel | None = None
    text_only_gates: dict[str, Gates] | None = None
    text_only_fusion_weight: float | None = None
    # Added to the score of the article a conversation last quoted, and the spread under which
    # a question names no topic (``knowledge.follow_up``); fitted on labelled follow-ups by
    # ``benchmarks/follow_ups.py``, 0 (off) where none were fitted.
    follow_up_bonus: float = 0.0
    follow_up_spread: float = 0.0

    @property
    def text_only_weight(self) -> float | None:
        """The fusion weight for evidence without example questions (None: not fitted, or
        fitted before it existed; the usual weight then applies everywhere)."""
        return self.text_only_fusion_weight if self.text_only_gates else None

    def gates_for(self, method: str | None = None, examples: bool = True) -> Gates:
        """Gates of ``method`` (default: the calibrated method); the text-only ones, when
        fitted, for evidence without example questions (``examples`` False)."""
        method = method or self.method
        text_only = (self.text_only_gates or {}).get(method)
        return pick(self.gates[method], text_only, examples)

    def rank(
        self,
        scores: QueryScores,
        titles: Mapping[str, str] | None = None,
        method: str | None = None,
    ) -> tuple[list[ArticleHit], Gates]:
        """One question's article ranking and gates, chosen once from its evidence: the
        text-only weight and gates when the section that earned the top article score carries
        no example questions, else the usual ones."""
        method = method or self.method
        margin = self.signpost_margin if method != "bm25" else 0.0
        hits, examples = rank_by_evidence(
            scores, method, self.fusion_weight, self.text_only_weight, titles, margin
        )
        return hits, self.gates_for(method, examples)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "method": self.method,
            "fusion_weight": self.fusion_weight,
            "gates": {m: g.to_dict() for m, g in self.gates.items()},
            "text_only_gates": (
                {m: g.to_dict() for m, g in self.text_only_gates.items()}
                if self.text_only_gates
                else None
            ),
            "text_only_fusion_weight": self.text_only_fusion_weight,
            "signpost_margin": self.signpost_margin,
            "follow_up_bonus": self.follow_up_bonus,
            "follow_up_spread": self.follow_up_spread,
            "fitted": self.fitted,
            "section_model": self.section_model.to_dict() if self.section_model else None,
        }

    def save(self, path: Path) -> None:
        """Write the calibration as JSON."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        """Read a calibration written by :meth:`save`."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(
                method=str(data["method"]),
                fusion_weight=float(data["fusion_weight"]),
                gates={m: Gates(**g) for m, g in data["gates"].items()},
                signpost_margin=float(data.get("signpost_margin", 0.0)),
                follow_up_bonus=float(data.get("follow_up_bonus", 0.0)),
                follow_up_spread=float(data.get("follow_up_spread", 0.0)),
                fitted=dict(data.get("fitted", {})),
                section_model=(
                    SectionModel.from_dict(data["section_model"])
                    if data.get("section_model")
                    else None
                ),
                text_only_gates=(
                    {m: Gates(**g) for m, g in data["text_only_gates"].items()}
                    if data.get("text_only_gates")
                    else None
                ),
                text_only_fusion_weight=(
                    float(data["text_only_fusion_weight"])
                    if data.get("text_only_fusion_weight") is not None
                    else None
                ),
            )
        except FileNotFoundError:
            raise CalibrationError(
                f"{path} does not exist: run `.venv/bin/python -m knowledge eval --calibrate`"
            ) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"{path} is not a valid calibration file: {exc}") from None


def _ranking_quality(feats: Sequence[Features]) -> tuple[float, float]:
    on = [f for f in feats if f.gold is not None]
    if not on:
        return 0.0, 0.0
    r1 = sum(1 for f in on if f.gold_rank == 1) / len(on)
    mrr = sum(1.0 / f.gold_rank for f in on if f.gold_rank) / len(on)
    return r1, mrr


def fit_weight(
    scores: Sequence[QueryScores], golds: Sequence[str | None]
) -> tuple[float, list[dict[str, float]]]:
    """The fusion weight with the best recall@1 + MRR on these questions, and the sweep."""
    sweep = []
    for w in WEIGHTS:
        feats = [features(s, "fused", w, g) for s, g in zip(scores, golds, strict=True) if g]
        r1, mrr = _ranking_quality(feats)
        sweep.append({"weight": w, "recall_at_1": r1, "mrr": mrr})
    best = max(sweep, key=lambda row: (round(row["recall_at_1"] + row["mrr"], 9), row["weight"]))
    return best["weight"], sweep


def _grid(values: np.ndarray, points: int) -> np.ndarray:
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return np.array([-np.inf])
    qs = np.unique(np.quantile(finite, np.linspace(0, 1, points)))
    mids = (qs[:-1] + qs[1:]) / 2 if len(qs) > 1 else qs
    return np.concatenate([[-np.inf], mids, [qs[-1] + 1e-6]])


def _middle(mask: np.ndarray) -> int:
    idx = np.flatnonzero(mask)
    return int(idx[len(idx) // 2])


def fit_gates(feats: Sequence[Features]) -> Gates:
    """Grid-search the two gate thresholds and the clarify margin on labelled questions."""
    off = np.array([f.offtopic for f in feats])
    top = np.array([f.top if f.top is not None else -np.inf for f in feats])
    second = np.array([f.second if f.second is not None else -np.inf for f in feats])
    is_on = np.array([f.gold is not None for f in feats])
    right1 = np.array([f.gold_rank == 1 for f in feats])
    right2 = np.array([f.gold_rank is not None and f.gold_rank <= 2 for f in feats])
    n_on, n_off = max(1, int(is_on.sum())), int((~is_on).sum())
    a_grid, b_grid = _grid(off, 60), _grid(top, 60)
    finite2 = np.isfinite(second)
    gaps = (top - np.where(finite2, second, 0.0))[is_on & finite2]
    c_grid = np.array([0.0])  # no two-candidate question: no clarify margin to fit
    if len(gaps):
        c_grid = np.unique(np.concatenate([c_grid, np.quantile(gaps, np.linspace(0, 0.3, 16))]))
    passes = (off[None, None, :] >= a_grid[:, None, None]) & (
        top[None, None, :] >= b_grid[None, :, None]
    )  # A x B x n
    gap_all = np.where(finite2 & np.isfinite(top), top - np.where(finite2, second, 0.0), np.inf)
    close = gap_all[None, :] < c_grid[:, None]  # C x n
    second_ok = second[None, None, :] >= b_grid[None, :, None]  # 1 x B x n
    clarify = passes[:, :, None, :] & close[None, None, :, :] & second_ok[:, :, None, :]
    answer = passes[:, :, None, :] & ~clarify
    abstained = (~passes[:, :, None, :] & is_on).sum(-1) / n_on  # on-topic abstained
    answered_off = (passes[:, :, None, :] & ~is_on).sum(-1) / max(1, n_off)
    # Both error rates have the same target: balance them (minimax), then prefer fewer overall.
    cost = np.maximum(abstained, answered_off) + BALANCE_COST * (abstained + answered_off)
    wrong = (answer & is_on & ~right1) | (clarify & is_on & ~right2)
    cost = (
        cost + WRONG_COST * wrong.sum(-1) / n_on + CLARIFY_COST * (clarify & is_on).sum(-1) / n_on
    )
    best = cost.min()
    ties = np.isclose(cost, best)
    first = np.unravel_index(np.argmax(ties), cost.shape)
    ic = int(first[2])
    ia = _middle(ties[:, int(first[1]), ic])
    ib = _middle(ties[ia, :, ic])
    return Gates(
        offtopic_threshold=float(a_grid[ia]) if np.isfinite(a_grid[ia]) else -1e9,
        confidence_threshold=float(b_grid[ib]) if np.isfinite(b_grid[ib]) else -1e9,
        clarify_margin=float(c_grid[ic]),
    )


OFFTOPIC_TARGET = 0.05


def fit_suggest(feats: Sequence[Features], gates: Gates) -> float | None:
    """The lowest near-miss threshold that keeps off-topic questions out of "did you mean".

    Among questions that pass the off-topic gate but not the confidence gate, offering the
    top articles helps an on-topic one whose article is in the top three. The threshold is
    the lowest that keeps the share of off-topic questions not abstained (answered or offered
    choices) within ``OFFTOPIC_TARGET`` (or today's share, if that is already higher), and is
    None when no on-topic question would be helped.
    """
    off_q = [f for f in feats if f.gold is None]
    if not off_q:
        return None
    passing = [
        f
        for f in feats
        if f.top is not None
        and f.offtopic >= gates.offtopic_threshold
        and f.top < gates.confidence_threshold
    ]
    answered_off = sum(
        1
        for f in off_q
        if f.top is not None
        and f.offtopic >= gates.offtopic_threshold
        and f.top >= gates.confidence_threshold
    )
    allowed = max(OFFTOPIC_TARGET * len(off_q), answered_off)
    for t in sorted({f.top for f in passing if f.top is not None}):
        offered_off = sum(1 for f in passing if f.gold is None and f.top is not None and f.top >= t)
        helped = sum(
            1
            for f in passing
            if f.gold is not None and f.top is not None and f.top >= t and (f.gold_rank or 99) <= 3
        )
        if answered_off + offered_off <= allowed:
            return float(t) if helped else None
    return None


def fit_signpost_margin(
    scores: Sequence[QueryScores],
    golds: Sequence[str | None],
    weight: float,
    titles: Mapping[str, str],
) -> float:
    """The largest signpost margin that does not lower fused recall@1 + MRR on these questions."""

    def quality(margin: float) -> float:
        feats = [
            features(s, "fused", weight, g, titles, margin)
            for s, g in zip(scores, golds, strict=True)
            if g
        ]
        return sum(_ranking_quality(feats))

    baseline = quality(0.0)
    chosen = 0.0
    for margin in SIGNPOST_MARGINS:
        if quality(margin) >= baseline - 1e-9:
            chosen = margin
        else:
            break
    return chosen


def _fit_every_method(
    scores: Sequence[QueryScores],
    golds: Sequence[str | None],
    weight: float,
    titles: Mapping[str, str] | None,
    margin: float,
) -> tuple[dict[str, Gates], dict[str, tuple[float, float]]]:
    """Gates (with the near-miss band) and ranking quality of every method."""
    gates = {}
    quality = {}
    for method in METHODS:
        w = weight if method == "fused" else 1.0
        feats = [
            features(s, method, w, g, titles, margin) for s, g in zip(scores, golds, strict=True)
        ]
        fitted_gates = fit_gates(feats)
        gates[method] = replace(fitted_gates, suggest_threshold=fit_suggest(feats, fitted_gates))
        quality[method] = _ranking_quality(feats)
    return gates, quality


def fit_text_only_gates(
    scores: Sequence[QueryScores],
    golds: Sequence[str | None],
    calibration: Calibration,
    titles: Mapping[str, str] | None = None,
) -> tuple[float, dict[str, Gates]]:
    """The fusion weight and every method's gates fitted on questions scored without any
    example question.

    ``scores`` come from the same (tune) questions as ``calibration`` but against a knowledge
    base with every example question taken out. The weight follows :func:`fit_weight`'s rule
    there (on such evidence BM25 sees the section text only, and the best mix differs); the
    gates are fitted with it, and with ``calibration``'s signpost margin.
    """
    weight, _ = fit_weight(scores, golds)
    gates, _ = _fit_every_method(scores, golds, weight, titles, calibration.signpost_margin)
    return weight, gates


def calibrate(
    scores: Sequence[QueryScores],
    golds: Sequence[str | None],
    build: dict[str, Any],
    titles: Mapping[str, str] | None = None,
) -> Calibration:
    """Fit weight, signpost margin, method and gates on (tune-split) questions."""
    weight, sweep = fit_weight(scores, golds)
    margin = fit_signpost_margin(scores, golds, weight, titles) if titles else 0.0
    gates, quality = _fit_every_method(scores, golds, weight, titles, margin)
    fused_wins = sum(quality["fused"]) > sum(quality["dense"]) + 1e-9
    return Calibration(
        method="fused" if fused_wins else "dense",
        fusion_weight=weight,
        gates=gates,
        signpost_margin=margin,
        fitted={
            "split": "tune",
            "questions": len(golds),
            "off_topic": sum(1 for g in golds if g is None),
            "fused_beats_dense_on_tune": fused_wins,
            "weight_sweep": sweep,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            **build,
        },
    )
