"""A second, semantic check for crisis messages: nearest labelled phrasings by meaning.

The lexical patterns (``detection.py``) catch the phrasings they name; people in crisis often
write around them ("everyone would be better off", "he's outside again"). This check embeds
the message with the guidance model and compares it with labelled phrasings: crisis ones from
the ``tune`` half of ``safety/eval/crisis.jsonl`` and ``safety/exemplars/crisis.jsonl``;
ordinary ones from the ``tune`` half of ``safety/eval/benign.jsonl``,
``safety/exemplars/ordinary.jsonl`` and the guidance questions of
``knowledge/eval/questions.jsonl``. No held-out or blind line is an exemplar.

The rule (k nearest neighbours with a margin): a message is a crisis when its nearest crisis
phrasing is at least ``threshold`` similar, and the mean similarity of its ``k`` nearest
crisis phrasings exceeds that of its ``k`` nearest ordinary ones by ``margin``. ``threshold``
and ``margin`` are fitted by cross-validation on the exemplars (``fit``), so that phrasings
left out of the reference set are flagged as often as possible while at most ``max_alarms``
left-out ordinary phrasings are; they are stored in ``similarity.json``.

Pure numpy: the caller embeds (the action server has the model). Nothing is read at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = Path(__file__).resolve().parent / "similarity.json"
EXEMPLARS = Path(__file__).resolve().parent / "exemplars"
# k of the rule: chosen by cross-validation on the exemplars (``safety.fit_similarity`` prints
# the figures for each candidate); similarity.json records the k its settings were fitted for.
NEIGHBOURS = 8


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def exemplar_texts(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(crisis, ordinary) labelled phrasings the check compares with (no held-out line)."""
    safety = root / "safety"
    crisis = [str(r["text"]) for r in _rows(safety / "eval/crisis.jsonl") if r["split"] == "tune"]
    crisis += [str(r["text"]) for r in _rows(safety / "exemplars/crisis.jsonl")]
    ordinary = [
        str(r["text"]) for r in _rows(safety / "eval/benign.jsonl") if r["split"] == "tune"
    ]
    ordinary += [str(r["text"]) for r in _rows(safety / "exemplars/ordinary.jsonl")]
    from safety.detection import detect_safety_concern

    ordinary += [
        str(r["question"])
        for r in _rows(root / "knowledge/eval/questions.jsonl")
        if r["split"] == "tune" and not detect_safety_concern(str(r["question"]))
    ]
    return crisis, ordinary


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Per row: (best similarity, mean of the k best)."""
    if not sims.shape[1]:
        return np.full((len(sims), 2), -1.0)
    k = min(k, sims.shape[1])
    best = -np.sort(-sims, axis=1)[:, :k]
    return np.stack([best[:, 0], best.mean(axis=1)], axis=1)


@dataclass(frozen=True)
class CrisisSimilarity:
    """k-nearest-neighbour check with a margin, over L2-normalised vectors."""

    crisis: np.ndarray
    ordinary: np.ndarray
    threshold: float
    margin: float
    k: int = NEIGHBOURS

    def is_crisis(self, vector: np.ndarray) -> bool:
        """True when the message is close to crisis phrasings and nearer them than ordinary ones."""
        if not len(self.crisis):
            return False
        near_c = _top_mean((self.crisis @ vector)[None, :], self.k)[0]
        near_o = _top_mean((self.ordinary @ vector)[None, :], self.k)[0]
        return bool(near_c[0] >= self.threshold and near_c[1] - near_o[1] >= self.margin)


def load_settings(path: Path = SETTINGS_FILE) -> tuple[float, float]:
    """(threshold, margin) from the fitted settings file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return float(data["threshold"]), float(data["margin"])


def cross_validated_features(
    crisis: np.ndarray, ordinary: np.ndarray, k: int, folds: int = 5, seed: int = 20261203
) -> tuple[np.ndarray, np.ndarray]:
    """Per phrasing, (nearest crisis, k-mean crisis − k-mean ordinary) against the others.

    The phrasings are split into ``folds`` random folds; each fold is scored against the
    phrasings of the other folds only, as an unseen message would be.
    """
    rng = np.random.default_rng(seed)
    fold_c = rng.permutation(len(crisis)) % folds
    fold_o = rng.permutation(len(ordinary)) % folds
    out = []
    for matrix, fold_of in ((crisis, fold_c), (ordinary, fold_o)):
        feats = np.zeros((len(matrix), 2))
        for fold in range(folds):
            rows = fold_of == fold
            near_c = _top_mean(matrix[rows] @ crisis[fold_c != fold].T, k)
            near_o = _top_mean(matrix[rows] @ ordinary[fold_o != fold].T, k)
            feats[rows] = np.stack([near_c[:, 0], near_c[:, 1] - near_o[:, 1]], axis=1)
        out.append(feats)
    return out[0], out[1]


def fit(
    crisis: np.ndarray,
    ordinary: np.ndarray,
    k: int = NEIGHBOURS,
    max_alarms: float = 0,
    counted: np.ndarray | None = None,
    repeats: int = 3,
) -> dict[str, float]:
    """The (threshold, margin) with the best cross-validated recall and few ordinary alarms.

    Cross-validation is repeated ``repeats`` times with different folds; at most
    ``max_alarms`` left-out ordinary phrasings may be flagged on average. Recall is measured on
    the crisis phrasings ``counted`` marks (default all). Ties go to the larger margin.
    Returns the settings with the cross-validated recall and alarms they reach.
    """
    thresholds = np.round(np.arange(0.20, 0.95, 0.01), 2)
    margins = np.round(np.arange(-0.05, 0.30, 0.01), 2)
    mask = np.ones(len(crisis), bool) if counted is None else np.asarray(counted, bool)
    recall = np.zeros((len(thresholds), len(margins)))
    alarms = np.zeros_like(recall)
    for repeat in range(repeats):
        feat_c, feat_o = cross_validated_features(crisis, ordinary, k, seed=20261203 + repeat)
        for i, threshold in enumerate(thresholds):
            for j, margin in enumerate(margins):
                flagged_c = (feat_c[:, 0] >= threshold) & (feat_c[:, 1] >= margin)
                flagged_o = (feat_o[:, 0] >= threshold) & (feat_o[:, 1] >= margin)
                alarms[i, j] += flagged_o.sum() / repeats
                recall[i, j] += (float(np.mean(flagged_c[mask])) if mask.any() else 0.0) / repeats
    best = {"threshold": 1.0, "margin": 1.0, "recall": 0.0, "alarms": 0.0, "k": float(k)}
    for i, threshold in enumerate(thresholds):
        for j, margin in enumerate(margins):
            if alarms[i, j] > max_alarms + 1e-9:
                continue
            if recall[i, j] > best["recall"] + 1e-9 or (
                abs(recall[i, j] - best["recall"]) <= 1e-9 and margin > best["margin"]
            ):
                best = {"threshold": float(threshold), "margin": float(margin),
                        "recall": float(recall[i, j]), "alarms": float(alarms[i, j]),
                        "k": float(k)}
    return best
