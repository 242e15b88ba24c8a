"""Nearest example questions as section evidence, and example questions as training rows.

ADR 0104, "Later (2026-12-04)": the rule was written there before this script first ran.
Prints, for the answerable tune questions, the 5-fold cross-validated section accuracy of

- (a) the section model as served (27 features, fitted on tune questions);
- (b) (a) plus three nearest-example-question features (``knn_share``, ``knn_soft``,
  ``question_cos_mean3``);
- (c) (b)'s features fitted on the tune rows plus one row group per example question of the
  articles (scored with itself masked, labelled with its own section; all example questions
  together weigh as much as the tune questions);

at every strength of ``section_fit.STRENGTHS`` (folds as ``fit_section_model``: seed 13), and
applies the rule. Only tune questions are scored; nothing is written.

    nice -n 19 .venv/bin/python benchmarks/section_knn.py
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_tune import add_paths, open_tune, print_table  # noqa: E402
from knowledge.example_questions import section_ref  # noqa: E402
from knowledge.section_fit import FOLDS, STRENGTHS  # noqa: E402
from knowledge.section_ranking import SectionEvidence, feature_rows  # noqa: E402

K = 10
TEMPERATURE = 0.05
MARGIN_QUESTIONS = 6  # the rule: at least 6 of 285 over (a)


@dataclass(frozen=True)
class Group:
    """One question's candidate sections: features (base and extra) and which answer."""

    base: np.ndarray
    extra: np.ndarray
    answers: np.ndarray


def add_four(
    groups: dict[str, list[Group]],
    base: np.ndarray,
    answers: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
) -> None:
    """One question's rows for the four candidates of a two-feature round: (a) as served,
    (b) with ``first``, (c) with ``second``, (d) with both."""
    for name, extra in (
        ("(a)", first[:, :0]),
        ("(b)", first),
        ("(c)", second),
        ("(d)", np.hstack([first, second])),
    ):
        groups[name].append(Group(base=base, extra=extra, answers=answers))


def knn_features(evidence: Sequence[SectionEvidence]) -> list[list[float]]:
    """``knn_share``, ``knn_soft`` and ``question_cos_mean3`` for each candidate section."""
    pooled = [(c, i) for i, e in enumerate(evidence) for c in e.question_cos]
    pooled.sort(key=lambda t: -t[0])
    nearest = pooled[:K]
    share = [0.0] * len(evidence)
    for _, i in nearest:
        share[i] += 1.0 / len(nearest)
    soft = [0.0] * len(evidence)
    if pooled:
        top = pooled[0][0]
        weights = [(math.exp((c - top) / TEMPERATURE), i) for c, i in pooled]
        total = sum(w for w, _ in weights)
        for w, i in weights:
            soft[i] += w / total
    rows = []
    for i, e in enumerate(evidence):
        best = e.question_cos[:3]
        mean3 = sum(best) / len(best) if best else e.text_cos
        rows.append([share[i], soft[i], mean3])
    return rows


def group(question: str, evidence: Sequence[SectionEvidence], good: set[str]) -> Group:
    """Feature arrays of one question's candidates."""
    return Group(
        base=np.array(feature_rows(question, evidence), dtype=np.float64),
        extra=np.array(knn_features(evidence), dtype=np.float64),
        answers=np.array([e.ref in good for e in evidence], dtype=bool),
    )


def fit(
    groups: Sequence[tuple[np.ndarray, np.ndarray]],
    weights: Sequence[float],
    strength: float,
    questions: int,
) -> np.ndarray:
    """Conditional logit (as ``section_fit._fit``) with a weight per question.

    The loss is the weighted mean negative log-likelihood plus the L2 penalty
    ``1 / strength`` divided by ``questions`` (the tune questions in training), so that with
    unit weights and no extra rows it is exactly ``section_fit._fit``'s objective.
    """
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    rows = np.vstack([x for x, _ in groups])
    mean, std = rows.mean(0), rows.std(0)
    std[std == 0] = 1.0
    data = [((x - mean) / std, y, wt) for (x, y), wt in zip(groups, weights, strict=True)]
    total_weight = float(sum(weights))
    penalty = 1.0 / strength

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 0.0, np.zeros_like(w)
        for x, y, wt in data:
            s = x @ w
            all_, pos = logsumexp(s), logsumexp(s[y])
            p_all, p_pos = np.exp(s - all_), np.exp(s[y] - pos)
            total -= wt * float(pos - all_)
            grad -= wt * (p_pos @ x[y] - p_all @ x)
        reg = penalty / questions
        total = total / total_weight + reg * float(w @ w) / 2
        return total, grad / total_weight + reg * w

    found = minimize(loss, np.zeros(rows.shape[1]), jac=True, method="L-BFGS-B")
    return found.x / std


def right(w: np.ndarray, x: np.ndarray, y: np.ndarray) -> bool:
    """Whether the best-scored candidate answers."""
    return bool(y[int(np.argmax(x @ w))])


def cross_validate(
    tune: Sequence[Group], examples: Sequence[Group], use_extra: bool
) -> dict[float, int]:
    """Questions right out of fold, per strength (examples always in training)."""

    def xy(g: Group) -> tuple[np.ndarray, np.ndarray]:
        return (np.hstack([g.base, g.extra]) if use_extra else g.base), g.answers

    order = list(range(len(tune)))
    random.Random(13).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    example_weight = len(tune) * (FOLDS - 1) / FOLDS / len(examples) if examples else 0.0
    out = {}
    for strength in STRENGTHS:
        hits = 0
        for fold in folds:
            held = set(fold)
            train = [xy(tune[i]) for i in order if i not in held]
            weights = [1.0] * len(train) + [example_weight] * len(examples)
            w = fit(train + [xy(g) for g in examples], weights, strength, len(train))
            hits += sum(right(w, *xy(tune[i])) for i in fold)
        out[strength] = hits
    return out


def judge(
    groups: Mapping[str, Sequence[Group]],
    names: Mapping[str, str],
    preference: Sequence[str],
    width: int,
) -> None:
    """The rule of the eighteenth session's rounds (ADR 0104): cross-validate each candidate
    (``groups`` by key; ``"(a)"`` is the served model, its extra features unused), print the
    table with ``names``, and pick the first of ``preference`` within one question of the best;
    it goes on only if it beats (a) by ``MARGIN_QUESTIONS``."""
    runs = {
        name: cross_validate(groups[key], [], use_extra=key != "(a)")
        for key, name in names.items()
    }
    printed = print_table(runs, len(groups["(a)"]), width)
    best = {key: printed[name] for key, name in names.items()}
    top = max(best[k] for k in preference)
    winner = next(k for k in preference if best[k] >= top - 1)
    gain = best[winner] - best["(a)"]
    verdict = "check the served figures next" if gain >= MARGIN_QUESTIONS else "nothing changes"
    print(f"\nrule: {winner} − (a) = {gain:+d} questions (at least {MARGIN_QUESTIONS}); {verdict}")


def main() -> int:
    """Gather the evidence, cross-validate the three candidates, apply the rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    args = parser.parse_args()
    tune_set = open_tune(args.articles, args.index, args.questions)
    articles, service, exclusion = tune_set.articles, tune_set.service, tune_set.exclusion
    started = time.perf_counter()
    tune = []
    for lab in tune_set.labels:
        with exclusion.without(lab.question):
            evidence = service.section_candidates(lab.question)
        g = group(lab.question, evidence, set(lab.sections))
        if g.answers.any():  # as section_fit: a question no candidate answers is not fitted
            tune.append(g)
    asked = [
        (q, section_ref(a.id, None))
        for a in articles.values()
        if a.searchable
        for q in a.intro_questions
    ] + [
        (q, section_ref(a.id, s.heading))
        for a in articles.values()
        if a.searchable
        for s in a.sections
        for q in s.questions
    ]
    examples = []
    for n, (question, ref) in enumerate(asked, 1):
        with exclusion.without(question):
            evidence = service.section_candidates(question)
        g = group(question, evidence, {ref})
        if g.answers.any():
            examples.append(g)
        if n % 500 == 0:
            print(f"example questions: {n}/{len(asked)}", file=sys.stderr)
    print(
        f"{len(tune)} answerable tune questions, {len(examples)} of {len(asked)} example "
        f"questions with their section among the candidates "
        f"({time.perf_counter() - started:.0f} s)",
        file=sys.stderr,
    )
    runs = {
        "(a) as served": cross_validate(tune, [], use_extra=False),
        "(b) + nearest example questions": cross_validate(tune, [], use_extra=True),
        "(c) (b) + example questions as rows": cross_validate(tune, examples, use_extra=True),
    }
    best = print_table(runs, len(tune), 40)
    a, b, c = best.values()
    winner = "(c)" if c > b + 1 else "(b)"
    top = max(b, c) if winner == "(c)" else b
    if top - a >= MARGIN_QUESTIONS:
        print(f"\nrule: {winner} beats (a) by {top - a} questions; check the served figures next")
    else:
        print(f"\nrule: no candidate beats (a) by {MARGIN_QUESTIONS} questions; nothing changes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
