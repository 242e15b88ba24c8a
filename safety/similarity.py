"""A second, semantic check for crisis messages: nearest labelled phrasings by meaning.

The lexical patterns (``detection.py``) catch the phrasings they name; people in crisis often
write around them ("everyone would be better off", "he's outside again"). This check embeds
the message with the guidance model and compares it with labelled phrasings from the ``tune``
halves of ``safety/eval/crisis.jsonl`` (crisis) and ``safety/eval/benign.jsonl`` plus the
guidance questions of ``knowledge/eval/questions.jsonl`` (not crisis). A message is a crisis
when its nearest crisis phrasing is close (``threshold``) and closer than its nearest
ordinary question by ``margin``. Both figures are fitted by leave-one-out on those tune
phrasings with no ordinary question flagged (``fit``), and stored in ``similarity.json``.

Pure numpy: the caller embeds (the action server has the model). Nothing is read at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = Path(__file__).resolve().parent / "similarity.json"


def exemplar_texts(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(crisis, ordinary) phrasings of the tune splits the check compares with."""

    def rows(path: Path) -> list[dict[str, object]]:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]

    crisis = [
        str(r["text"]) for r in rows(root / "safety/eval/crisis.jsonl") if r["split"] == "tune"
    ]
    ordinary = [
        str(r["text"]) for r in rows(root / "safety/eval/benign.jsonl") if r["split"] == "tune"
    ]
    from safety.detection import detect_safety_concern

    ordinary += [
        str(r["question"])
        for r in rows(root / "knowledge/eval/questions.jsonl")
        if r["split"] == "tune" and not detect_safety_concern(str(r["question"]))
    ]
    return crisis, ordinary


@dataclass(frozen=True)
class CrisisSimilarity:
    """Nearest-phrasing check over L2-normalised vectors."""

    crisis: np.ndarray
    ordinary: np.ndarray
    threshold: float
    margin: float

    def is_crisis(self, vector: np.ndarray) -> bool:
        """True when the message's nearest crisis phrasing is close and nearer than any other."""
        if not len(self.crisis):
            return False
        nearest_crisis = float(np.max(self.crisis @ vector))
        nearest_ordinary = float(np.max(self.ordinary @ vector)) if len(self.ordinary) else -1.0
        return nearest_crisis >= self.threshold and nearest_crisis - nearest_ordinary >= self.margin


def load_settings(path: Path = SETTINGS_FILE) -> tuple[float, float]:
    """(threshold, margin) from the fitted settings file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return float(data["threshold"]), float(data["margin"])


def _nearest(matrix: np.ndarray, others: np.ndarray, same: bool) -> np.ndarray:
    sims = matrix @ others.T
    if same:
        np.fill_diagonal(sims, -1.0)  # leave each phrasing out of its own neighbours
    return sims.max(axis=1) if sims.shape[1] else np.full(len(matrix), -1.0)


def fit(crisis: np.ndarray, ordinary: np.ndarray) -> dict[str, float]:
    """The (threshold, margin) that flag the most crisis phrasings and no ordinary one.

    Leave-one-out: each phrasing is compared with all the others. Returns the settings and
    the leave-one-out recall they reach on the crisis phrasings.
    """
    c_to_c, c_to_o = _nearest(crisis, crisis, True), _nearest(crisis, ordinary, False)
    o_to_c, o_to_o = _nearest(ordinary, crisis, False), _nearest(ordinary, ordinary, True)
    best = {"threshold": 1.0, "margin": 1.0, "recall": 0.0}
    for threshold in np.arange(0.20, 0.95, 0.01):
        for margin in np.arange(0.0, 0.30, 0.01):
            if ((o_to_c >= threshold) & (o_to_c - o_to_o >= margin)).any():
                continue
            recall = float(np.mean((c_to_c >= threshold) & (c_to_c - c_to_o >= margin)))
            if recall > best["recall"] + 1e-9:
                best = {"threshold": float(threshold), "margin": float(margin), "recall": recall}
    return best
