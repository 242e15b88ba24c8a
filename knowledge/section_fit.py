"""Fit the section model (``section_ranking.py``) on labelled ``tune`` questions.

Each tune question with at least one strictly answering section gives one row per candidate
section of its top articles, marked when the section answers it strictly. A conditional logit
(a softmax over each question's candidates) is fitted; its regularisation is chosen by 5-fold
cross-validation over questions on the tune split alone, scoring how often the chosen section
answers strictly.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from knowledge.answering import GuidanceService
from knowledge.section_eval import SectionLabel
from knowledge.section_ranking import FEATURES, SectionModel, feature_rows
from knowledge.self_exclusion import Isolate, no_isolation

STRENGTHS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
ARTICLES = 3
FOLDS = 5


@dataclass(frozen=True)
class Example:
    """One labelled question with its candidate sections and which of them answer it."""

    question: str
    rows: list[list[float]]
    answers: list[bool]


def gather(
    service: GuidanceService, labels: Sequence[SectionLabel], isolate: Isolate = no_isolation
) -> list[Example]:
    """Candidate sections and their features for every answerable labelled question.

    Each question is looked at inside ``isolate(question)`` (leave-one-out: see
    :mod:`knowledge.self_exclusion`).
    """
    usable = [lab for lab in labels if lab.article_id and lab.sections]
    vectors = service.kb.embedder.embed([lab.question for lab in usable])
    out = []
    for label, vector in zip(usable, vectors, strict=True):
        with isolate(label.question):
            evidence = service.section_candidates(label.question, vector, ARTICLES)
        refs = [e.ref for e in evidence]
        out.append(
            Example(
                label.question,
                feature_rows(label.question, evidence),
                [r in label.sections for r in refs],
            )
        )
    return out


def _fit(examples: Sequence[Example], strength: float) -> SectionModel:
    """Conditional logit: per question, a softmax over its candidate sections.

    Maximises the log of the probability mass on the sections that answer, with an L2
    penalty ``1 / strength`` on the (standardised) weights.
    """
    from scipy.optimize import minimize

    all_rows = np.array([r for e in examples for r in e.rows], dtype=np.float64)
    mean, std = all_rows.mean(0), all_rows.std(0)
    std[std == 0] = 1.0
    groups = [
        ((np.array(e.rows, dtype=np.float64) - mean) / std, np.array(e.answers, dtype=bool))
        for e in examples
        if e.rows and any(e.answers)
    ]
    penalty = 1.0 / strength

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = penalty * float(w @ w) / 2, penalty * w
        for x, y in groups:
            s = x @ w
            s -= s.max()
            p_all = np.exp(s) / np.exp(s).sum()
            p_pos = np.exp(s[y]) / np.exp(s[y]).sum()
            total -= float(np.log(np.exp(s[y]).sum() / np.exp(s).sum()))
            grad = grad - (p_pos @ x[y] - p_all @ x)
        return total / len(groups), grad / len(groups)

    found = minimize(loss, np.zeros(all_rows.shape[1]), jac=True, method="L-BFGS-B")
    weights = found.x / std
    return SectionModel(
        weights=tuple(float(w) for w in weights),
        intercept=float(-(found.x * mean / std).sum()),
        articles=ARTICLES,
    )


def accuracy(model: SectionModel, examples: Sequence[Example]) -> float:
    """Share of questions whose chosen section answers them strictly."""
    if not examples:
        return 0.0
    right = 0
    for e in examples:
        if not e.rows:
            continue
        scores = [
            model.intercept + sum(w * v for w, v in zip(model.weights, row, strict=True))
            for row in e.rows
        ]
        right += e.answers[int(np.argmax(scores))]
    return right / len(examples)


def fit_section_model(examples: Sequence[Example], seed: int = 13) -> SectionModel:
    """Choose the regularisation by cross-validation on ``examples``, then fit on them all."""
    usable = [e for e in examples if any(e.answers)]
    if len(usable) < 2 * FOLDS:
        raise ValueError(
            f"too few labelled questions with an answering candidate section to fit the section "
            f"model ({len(usable)}; at least {2 * FOLDS})"
        )
    order = list(range(len(usable)))
    random.Random(seed).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)]
    cv: dict[float, float] = {}
    for strength in STRENGTHS:
        scores = []
        for fold in folds:
            held = set(fold)
            train = [usable[i] for i in order if i not in held]
            scores.append(accuracy(_fit(train, strength), [usable[i] for i in fold]))
        cv[strength] = float(np.mean(scores))
    best = max(STRENGTHS, key=lambda s: (round(cv[s], 6), -s))
    model = _fit(usable, best)
    return SectionModel(
        weights=model.weights,
        intercept=model.intercept,
        articles=ARTICLES,
        fitted={
            "split": "tune",
            "questions": len(usable),
            "strength": best,
            "cv_accuracy": {str(k): round(v, 4) for k, v in cv.items()},
            "train_accuracy": round(accuracy(model, usable), 4),
            "features": len(FEATURES),
        },
    )
