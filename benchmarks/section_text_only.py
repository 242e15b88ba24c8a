"""A section model of its own for evidence without example questions.

ADR 0104, "Later (2026-12-05, eighteenth session)": the rule was written there before this
script first ran. For the answerable tune questions, prints the 5-fold cross-validated strict
and lenient section accuracy, scored on candidates with every example question masked, of

- (a) the section model fitted on the unmasked tune features (as served today);
- (b) the same model fitted on the masked tune features (a text-only section model);

at every strength of ``section_fit.STRENGTHS`` (folds as ``fit_section_model``: seed 13), and
applies the rule. Only tune questions are scored; nothing is written.

    nice -n 5 .venv/bin/python benchmarks/section_text_only.py
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_tune import add_paths, open_tune  # noqa: E402
from knowledge.answering import GuidanceService  # noqa: E402
from knowledge.section_eval import SectionLabel  # noqa: E402
from knowledge.section_fit import ARTICLES, FOLDS, STRENGTHS, Example, _fit  # noqa: E402
from knowledge.section_ranking import SectionModel, feature_rows  # noqa: E402
from knowledge.self_exclusion import Isolate, no_isolation, without_examples  # noqa: E402

MARGIN = 3  # the rule: at least 3 questions over (a) on strict or lenient
SLACK = 1  # and at most 1 below on the other


@dataclass(frozen=True)
class Candidates:
    """One question's candidate sections: features, strict and lenient answers."""

    example: Example
    lenient: list[bool]


def candidates(
    service: GuidanceService, labels: Sequence[SectionLabel], isolate: Isolate
) -> list[Candidates]:
    """Features of every answerable label's candidate sections (as ``section_fit.gather``)."""
    vectors = service.kb.embedder.embed([lab.question for lab in labels])
    out = []
    for label, vector in zip(labels, vectors, strict=True):
        with isolate(label.question):
            evidence = service.section_candidates(label.question, vector, ARTICLES)
        refs = [e.ref for e in evidence]
        good = set(label.sections)
        part = good | set(label.partial)
        out.append(
            Candidates(
                Example(label.question, feature_rows(label.question, evidence),
                        [r in good for r in refs]),
                [r in part for r in refs],
            )
        )
    return out


def chosen(model: SectionModel, c: Candidates) -> int | None:
    """Index of the candidate the model prefers (None when there is none)."""
    if not c.example.rows:
        return None
    x = np.array(c.example.rows, dtype=np.float64)
    return int(np.argmax(x @ np.array(model.weights)))


def cross_validate(
    train_on: Sequence[Candidates], score_on: Sequence[Candidates]
) -> dict[float, tuple[int, int]]:
    """(strict, lenient) right out of fold per strength: fitted on ``train_on`` of four folds
    (questions with a strictly answering candidate only, as ``section_fit``), scored on
    ``score_on`` of the fifth (every answerable question)."""
    order = list(range(len(score_on)))
    random.Random(13).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    out = {}
    for strength in STRENGTHS:
        strict = lenient = 0
        for fold in folds:
            held = set(fold)
            train = [train_on[i].example for i in order if i not in held]
            model = _fit([e for e in train if any(e.answers)], strength)
            for i in fold:
                pick = chosen(model, score_on[i])
                if pick is not None:
                    strict += score_on[i].example.answers[pick]
                    lenient += score_on[i].lenient[pick]
        out[strength] = (strict, lenient)
    return out


def main() -> int:
    """Gather both feature sets, cross-validate the two candidates, apply the rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    args = parser.parse_args()
    tune = open_tune(args.articles, args.index, args.questions)
    labels = tune.labels
    started = time.perf_counter()
    unmasked = candidates(tune.service, labels, tune.exclusion.without)
    bare = GuidanceService(without_examples(tune.kb), tune.calibration, args.index)
    masked = candidates(bare, labels, no_isolation)
    print(
        f"{len(labels)} answerable tune questions; a strictly answering candidate: "
        f"{sum(any(c.example.answers) for c in unmasked)} unmasked, "
        f"{sum(any(c.example.answers) for c in masked)} masked "
        f"({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    runs = {
        "(a) fitted unmasked (as served)": cross_validate(unmasked, masked),
        "(b) fitted masked (text-only model)": cross_validate(masked, masked),
    }
    n = len(labels)
    print(f"\n5-fold CV on masked candidates, {n} answerable tune questions: strict / lenient")
    print("candidate".ljust(38) + "".join(f"{s:>11}" for s in STRENGTHS) + "      best strict")
    best = {}
    for name, hits in runs.items():
        top = max(STRENGTHS, key=lambda s: (hits[s][0], hits[s][1], -s))
        best[name] = hits[top]
        cells = "".join(f"{f'{h[0]}/{h[1]}':>11}" for h in (hits[s] for s in STRENGTHS))
        print(f"{name:<38}{cells}   {hits[top][0]}/{hits[top][1]} at {top}")
    (a_s, a_l), (b_s, b_l) = best.values()
    gains = (b_s - a_s, b_l - a_l)
    passes = (gains[0] >= MARGIN and gains[1] >= -SLACK) or (
        gains[1] >= MARGIN and gains[0] >= -SLACK
    )
    verdict = "passes: fit and check the served figures next" if passes else "nothing changes"
    print(f"\nrule: (b) − (a) = {gains[0]:+d} strict, {gains[1]:+d} lenient; {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
