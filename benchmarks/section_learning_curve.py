"""How the section model's accuracy grows with the number of labelled tune questions.

A diagnostic for ADR 0104 ("Later (2026-12-05, eighteenth session)"): it chooses nothing.
For each candidate of ``benchmarks/section_evidence.py`` ((a) as served; (b), (c), (d) with
the new evidence), the answerable tune questions are split into 5 folds (seed 13); each fold is
scored by a model fitted on the next 1, 2, 3 or 4 folds (57 to 228 questions), at every
strength of ``section_fit.STRENGTHS``. Prints the best right-of-285 per training size. A flat
curve means more labelled questions of the same kind would not move the section choice.

    nice -n 5 .venv/bin/python benchmarks/section_learning_curve.py
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_evidence import gather_groups  # noqa: E402
from benchmarks.section_knn import Group, fit, right  # noqa: E402
from benchmarks.section_tune import add_paths  # noqa: E402
from knowledge.section_fit import FOLDS, STRENGTHS  # noqa: E402


def curve(groups: Sequence[Group], use_extra: bool) -> list[int]:
    """Best right-out-of-fold over strengths, for 1 … FOLDS-1 training folds."""

    def xy(g: Group) -> tuple[np.ndarray, np.ndarray]:
        return (np.hstack([g.base, g.extra]) if use_extra else g.base), g.answers

    order = list(range(len(groups)))
    random.Random(13).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    out = []
    for size in range(1, FOLDS):
        best = 0
        for strength in STRENGTHS:
            hits = 0
            for n, fold in enumerate(folds):
                train = [xy(groups[i]) for j in range(1, size + 1) for i in folds[(n + j) % FOLDS]]
                w = fit(train, [1.0] * len(train), strength, len(train))
                hits += sum(right(w, *xy(groups[i])) for i in fold)
            best = max(best, hits)
        out.append(best)
    return out


def main() -> int:
    """Gather the candidates' features once and print one curve per candidate."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    args = parser.parse_args()
    groups = gather_groups(args.articles, args.index, args.questions)
    n = len(groups["(a)"])
    sizes = [round(n * k / FOLDS) for k in range(1, FOLDS)]
    print(f"\nbest right of {n} out of fold, by tune questions in training")
    print("candidate".ljust(10) + "".join(f"{s:>8}" for s in sizes))
    for key, group in groups.items():
        print(key.ljust(10) + "".join(f"{h:>8}" for h in curve(group, key != "(a)")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
