"""Fitting the learned crisis check: features, the linear model, the alarm-budget threshold.

A candidate is fitted on crisis and ordinary phrasing vectors (L2-normalised, as the search
model gives them) and returns a scorer whose scores above a threshold mean crisis. The
threshold is chosen the way every candidate's is (docs/adr/0202, fifth round), fixed before
any held-out group was scored: 5-fold cross-validation on the training phrasings, repeated 3
times; the lowest threshold at which at most ``max_rate`` of the left-out ordinary phrasings
score above it on average.

Features of a message (``Features``): its vector; optionally the k-nearest-neighbour features
(``safety.similarity.knn_features``: nearest crisis similarity, mean of the k nearest crisis
minus mean of the k nearest ordinary); optionally whether the lexical patterns fire. The
served check is consulted only after the patterns did not fire, so the pattern feature is 0
when serving: it lets the model leave the phrasings the patterns already catch to them.

sklearn is imported only when fitting; the served check is a dot product (``linear.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from safety.similarity import knn_features

SEED = 20261203
FOLDS = 5
REPEATS = 3
# Regularisation strengths tried by inner cross-validation (recall at the alarm budget).
C_GRID = (1.0, 4.0, 16.0, 64.0)


@dataclass(frozen=True)
class Features:
    """Which features a linear candidate uses."""

    knn: bool = False
    patterns: bool = False
    k: int = 8


def _folds(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).permutation(n) % FOLDS


def _design(vectors: np.ndarray, knn: np.ndarray | None, hits: np.ndarray | None) -> np.ndarray:
    cols = [vectors]
    if knn is not None:
        cols.append(knn)
    if hits is not None:
        cols.append(hits[:, None].astype(float))
    return np.hstack(cols)


def _train_knn(x: np.ndarray, y: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-NN features of training rows, each against the other folds only (as if unseen)."""
    fold = _folds(len(x), seed)
    out = np.zeros((len(x), 2))
    for f in range(FOLDS):
        ref = fold != f
        out[fold == f] = knn_features(x[fold == f], x[ref & (y == 1)], x[ref & (y == 0)], k)
    return out


Scorer = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def fit_linear(x: np.ndarray, y: np.ndarray, hits: np.ndarray, feats: Features, c: float,
               seed: int = SEED) -> tuple[Scorer, np.ndarray, float]:
    """Class-weighted logistic regression on the features; returns (scorer, weights, bias).

    The scorer takes (vectors, pattern hits or None = no hit) of new messages."""
    from sklearn.linear_model import LogisticRegression

    knn = _train_knn(x, y, feats.k, seed) if feats.knn else None
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit(_design(x, knn, hits if feats.patterns else None), y)
    weights, bias = model.coef_[0].copy(), float(model.intercept_[0])
    crisis, ordinary = x[y == 1], x[y == 0]

    def score(vectors: np.ndarray, new_hits: np.ndarray | None) -> np.ndarray:
        q_knn = knn_features(vectors, crisis, ordinary, feats.k) if feats.knn else None
        q_hits = None
        if feats.patterns:
            q_hits = np.zeros(len(vectors)) if new_hits is None else new_hits
        return _design(vectors, q_knn, q_hits) @ weights + bias

    return score, weights, bias


def budget_threshold(ordinary_scores: list[np.ndarray], max_rate: float) -> float:
    """The lowest threshold at which the mean count of ordinary scores ≥ it (over repeats) is
    at most ``max_rate`` of them."""
    allowed = max_rate * len(ordinary_scores[0])
    candidates = np.unique(np.concatenate(ordinary_scores))
    counts = np.array([np.searchsorted(np.sort(s), candidates, side="left") for s in
                       ordinary_scores])
    # alarms at threshold t (score ≥ t): n − (scores below t)
    alarms = len(ordinary_scores[0]) - counts.mean(axis=0)
    ok = np.nonzero(alarms <= allowed + 1e-9)[0]
    if not len(ok):
        return float(candidates[-1]) + 1e-6
    return float(candidates[ok[0]])


def _oof_scores(x: np.ndarray, y: np.ndarray, hits: np.ndarray, feats: Features, c: float,
                seed: int) -> np.ndarray:
    fold = _folds(len(x), seed)
    out = np.zeros(len(x))
    for f in range(FOLDS):
        train, test = fold != f, fold == f
        scorer, _, _ = fit_linear(x[train], y[train], hits[train], feats, c, seed)
        out[test] = scorer(x[test], hits[test] if feats.patterns else None)
    return out


def _recall_at_budget(oof: list[np.ndarray], y: np.ndarray, max_rate: float) -> tuple[float,
                                                                                         float]:
    threshold = budget_threshold([s[y == 0] for s in oof], max_rate)
    recall = float(np.mean([np.mean(s[y == 1] >= threshold) for s in oof]))
    return recall, threshold


@dataclass(frozen=True)
class LinearFit:
    """A fitted linear candidate: scorer, weights over the design columns, bias, threshold,
    the regularisation chosen, the inner cross-validated recall, and the out-of-fold scores of
    the training rows (one array per repeat) the threshold was chosen on."""

    score: Scorer
    weights: np.ndarray
    bias: float
    threshold: float
    c: float
    cv_recall: float
    oof: tuple[np.ndarray, ...] = ()


def fit_with_budget(x: np.ndarray, y: np.ndarray, hits: np.ndarray, feats: Features,
                    max_rate: float, c_grid: tuple[float, ...] = C_GRID) -> LinearFit:
    """Choose C (one cross-validation), then the threshold (``REPEATS`` of them) at the alarm
    budget, then fit on all rows."""
    best_c, best_recall = c_grid[0], -1.0
    for c in c_grid:
        recall, _ = _recall_at_budget([_oof_scores(x, y, hits, feats, c, SEED)], y, max_rate)
        if recall > best_recall + 1e-9:
            best_c, best_recall = c, recall
    oof = [_oof_scores(x, y, hits, feats, best_c, SEED + r) for r in range(REPEATS)]
    cv_recall, threshold = _recall_at_budget(oof, y, max_rate)
    scorer, weights, bias = fit_linear(x, y, hits, feats, best_c)
    return LinearFit(scorer, weights, bias, threshold, best_c, cv_recall, tuple(oof))


def veto_threshold(oof: tuple[np.ndarray, ...], rows: np.ndarray, allowed: float) -> float:
    """The veto threshold ``t_low`` (ADR 0202, seventh and eighth rounds): the highest score t
    at which on average over the out-of-fold repeats ``oof`` at most ``allowed`` of the training
    rows ``rows`` score below t (−inf when ``rows`` is empty)."""
    if not len(rows):
        return -np.inf
    values = np.unique(np.concatenate([s[rows] for s in oof]))
    best = -np.inf
    for t in values:  # ascending; lines strictly below t are lost
        if np.mean([np.sum(s[rows] < t) for s in oof]) <= allowed + 1e-9:
            best = float(t)
        else:
            break
    return best
