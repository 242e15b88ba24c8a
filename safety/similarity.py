"""A second, semantic check for crisis messages: learned from labelled phrasings by meaning.

The lexical patterns (``detection.py``) catch the phrasings they name; people in crisis often
write around them ("everyone would be better off", "he's outside again"). This check embeds
the message with the embedding model its settings were fitted on (``similarity.json``'s
``model``: the tuned search model since ADR 0202's fourth round, so the action server embeds a
question once for both) and compares it with labelled phrasings (``safety.labelled``): the
written exemplars, the guidance tune questions as ordinary ones, and every seen labelled set
(the original pair and the reported blind sets, ADR 0202's fifth round). A blind set not yet
reported is never an exemplar.

Two rules, named by ``similarity.json``'s ``rule``:

- ``linear`` (served since the fifth round): a class-weighted logistic regression over the
  message's vector and its two nearest-neighbour features (below); crisis when the score
  reaches ``threshold``. Chosen by leave-one-set-out evaluation (``benchmarks/safety_loso.py``).
  Since the eighth round its score also vetoes the classifier's second opinion below
  ``veto_threshold`` (``second_opinion_stands``; ``benchmarks/safety_budget_loso.py``), and
  since the ninth a crisis phrase below ``phrase_veto_threshold`` (``phrase_stands``;
  ``benchmarks/safety_ninth_loso.py``).
- ``knn`` (the rounds before): a message is a crisis when its nearest crisis phrasing is at
  least ``threshold`` similar, and the mean similarity of its ``k`` nearest crisis phrasings
  exceeds that of its ``k`` nearest ordinary ones by ``margin``.

Both are fitted by ``python -m safety.fit_similarity`` so that at most a fixed share of
left-out ordinary phrasings is flagged in cross-validation. Scoring each sentence of a long
message as well (``sentences``, ``Parts``) was measured and not adopted (docs/adr/0202, second
and third rounds); it would also cost a model call per sentence.

Pure numpy: the caller embeds (the action server has the model). Nothing is read at import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = Path(__file__).resolve().parent / "similarity.json"
EXEMPLARS = Path(__file__).resolve().parent / "exemplars"
# k of the rule: chosen by cross-validation on the exemplars (``safety.fit_similarity`` prints
# the figures for each candidate); similarity.json records the k its settings were fitted for.
NEIGHBOURS = 8
# Sentences of a long message, as ``sentences`` splits it (measured in ``fit_similarity``).
MIN_SENTENCE_WORDS = 3
CRISIS: Literal["crisis"] = "crisis"
NOTE: Literal["note"] = "note"
Level = Literal["crisis", "note"] | None  # what the check says of one message (``level``)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def exemplar_texts(root: Path = ROOT) -> tuple[list[str], list[str]]:
    """(crisis, ordinary) labelled phrasings the check compares with: the written exemplars,
    the guidance tune questions and every seen set (``safety.labelled.training``)."""
    from safety.labelled import training

    found = training(root)
    return found.crisis, found.ordinary


def top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Per row: (best similarity, mean of the k best); -1 for an empty reference set."""
    if not sims.shape[1]:
        return np.full((len(sims), 2), -1.0)
    k = min(k, sims.shape[1])
    best = -np.partition(-sims, k - 1, axis=1)[:, :k]
    return np.stack([best.max(axis=1), best.mean(axis=1)], axis=1)


def knn_features(query: np.ndarray, crisis: np.ndarray, ordinary: np.ndarray,
                 k: int) -> np.ndarray:
    """(nearest crisis similarity, k-mean crisis − k-mean ordinary) per query vector: what both
    rules read, served here and fitted by ``safety.learn``."""
    near_c = top_mean(query @ crisis.T, k)
    near_o = top_mean(query @ ordinary.T, k)
    return np.stack([near_c[:, 0], near_c[:, 1] - near_o[:, 1]], axis=1)


@dataclass(frozen=True)
class LinearHead:
    """The ``linear`` rule's weights: over the vector, over (nearest crisis similarity, k-mean
    crisis − k-mean ordinary), a bias, the score threshold for crisis, the veto threshold
    below which the classifier's second opinion does not stand, the one below which a
    crisis phrase does not (None: no veto), and the one from which a message that gets no
    crisis reply gets the helplines beside its answer (None: never; ADR 0202, twenty-third
    round)."""

    weights: np.ndarray
    knn_weights: np.ndarray
    bias: float
    threshold: float
    veto_threshold: float | None = None
    phrase_threshold: float | None = None
    note_threshold: float | None = None

    def score(self, vector: np.ndarray, nearest_crisis: float, knn_margin: float) -> float:
        """The logistic regression's decision value (log-odds) for one message."""
        return float(vector @ self.weights + self.knn_weights[0] * nearest_crisis
                     + self.knn_weights[1] * knn_margin + self.bias)


@dataclass(frozen=True)
class CrisisSimilarity:
    """The check over L2-normalised vectors: the ``knn`` rule (threshold and margin), or with a
    ``head`` the ``linear`` rule over the vector and the same nearest-neighbour features."""

    crisis: np.ndarray
    ordinary: np.ndarray
    threshold: float
    margin: float
    k: int = NEIGHBOURS
    head: LinearHead | None = None

    def is_crisis(self, vector: np.ndarray) -> bool:
        """True when the message is close to crisis phrasings and nearer them than ordinary ones."""
        return self.level(vector) == CRISIS

    def level(self, vector: np.ndarray) -> Level:
        """``"crisis"`` when the message gets the crisis reply by this check; ``"note"`` when the
        ``linear`` rule scores it below ``threshold`` but at least ``note_threshold`` (its
        answer comes with the helplines beside it; ADR 0202, twenty-third round); else None.
        One score for both."""
        if not len(self.crisis):
            return None
        head = self.head
        if head is None:
            nearest, margin = knn_features(vector[None, :], self.crisis, self.ordinary, self.k)[0]
            return CRISIS if nearest >= self.threshold and margin >= self.margin else None
        score = self._score(head, vector)
        if score >= head.threshold:
            return CRISIS
        if head.note_threshold is not None and score >= head.note_threshold:
            return NOTE
        return None

    def second_opinion_stands(self, vector: np.ndarray) -> bool:
        """Whether the classifier's second opinion (``safety.gate``) gets the crisis reply: it
        does unless the ``linear`` rule scores the message below its veto threshold (ADR 0202,
        eighth round). With no veto threshold (the ``knn`` rule, older settings) or no
        exemplars it stands, as before the veto."""
        head = self.head
        if head is None or head.veto_threshold is None or not len(self.crisis):
            return True
        score = self._score(head, vector)
        return score >= head.veto_threshold or score >= head.threshold

    def phrase_stands(self, vector: np.ndarray) -> bool:
        """Whether a crisis phrase (``safety.detection``) gets the crisis reply: it does unless
        the ``linear`` rule scores the message below its phrase veto threshold, set below every
        crisis phrasing a pattern catches (ADR 0202, ninth round). With no such threshold (the
        ``knn`` rule, older settings) or no exemplars the phrase stands, as before the veto."""
        head = self.head
        if head is None or head.phrase_threshold is None or not len(self.crisis):
            return True
        score = self._score(head, vector)
        return score >= head.phrase_threshold or score >= head.threshold

    def _score(self, head: LinearHead, vector: np.ndarray) -> float:
        nearest, margin = knn_features(vector[None, :], self.crisis, self.ordinary, self.k)[0]
        return head.score(vector, nearest, margin)


def _read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
    return data


def load_settings(path: Path = SETTINGS_FILE) -> tuple[float, float]:
    """(threshold, margin) of the ``knn`` rule from the fitted settings file (the ``linear``
    rule has no margin: 0)."""
    return _thresholds(_read(path))


def _thresholds(data: dict[str, Any]) -> tuple[float, float]:
    return float(data["threshold"]), float(data.get("margin") or 0.0)


def load_head(path: Path = SETTINGS_FILE) -> LinearHead | None:
    """The ``linear`` rule's weights from the settings file; None for the ``knn`` rule."""
    return _head(_read(path))


def _head(data: dict[str, Any]) -> LinearHead | None:
    if data.get("rule", "knn") != "linear":
        return None
    def optional(name: str) -> float | None:
        value = data.get(name)
        return None if value is None else float(value)

    return LinearHead(np.asarray(data["weights"], dtype=np.float32),
                      np.asarray(data["knn_weights"], dtype=np.float64),
                      float(data["bias"]), float(data["threshold"]),
                      optional("veto_threshold"), optional("phrase_veto_threshold"),
                      optional("note_threshold"))


def fitted_model(path: Path = SETTINGS_FILE) -> str:
    """The embedding model (``knowledge.tuned_model`` name) the settings were fitted on.

    Settings written before the model was recorded were fitted on the base model."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return str(data.get("model", "base"))


def fitted_fingerprint(path: Path = SETTINGS_FILE) -> str | None:
    """The fingerprint of the model files the settings were fitted on (None if not recorded):
    a retrained model under the same name needs ``python -m safety.fit_similarity`` again."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    found = data.get("model_fingerprint")
    return str(found) if found else None


def build_check(embed: Callable[[list[str]], np.ndarray], root: Path = ROOT) -> CrisisSimilarity:
    """The check with the exemplars embedded by ``embed`` (the model ``fitted_model`` names)
    and the fitted settings: built this way by the action server, the benchmark and tests."""
    crisis, ordinary = exemplar_texts(root)
    data = _read(SETTINGS_FILE)
    return CrisisSimilarity(embed(crisis), embed(ordinary), *_thresholds(data),
                            int(data.get("k", NEIGHBOURS)), _head(data))


def sentences(text: str, min_words: int = MIN_SENTENCE_WORDS) -> list[str]:
    """The sentences of a message of two or more, each of at least ``min_words`` words.

    A message of one sentence gives an empty list (the whole message is its only sentence).
    """
    parts = [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]
    if len(parts) < 2:
        return []
    return [part for part in parts if len(part.split()) >= min_words]


@dataclass(frozen=True)
class Parts:
    """Sentence vectors of the exemplars, each with the row of the exemplar it comes from."""

    crisis: np.ndarray
    crisis_of: np.ndarray
    ordinary: np.ndarray
    ordinary_of: np.ndarray


def cross_validated_features(
    crisis: np.ndarray,
    ordinary: np.ndarray,
    k: int,
    folds: int = 5,
    seed: int = 20261203,
    parts: Parts | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per phrasing, (nearest crisis, k-mean crisis − k-mean ordinary) against the others.

    The phrasings are split into ``folds`` random folds; each fold is scored against the
    phrasings of the other folds only, as an unseen message would be. With ``parts``, each
    sentence is scored too, in the fold of its phrasing. Returns the features of the crisis
    and ordinary phrasings, then of their sentences (empty without ``parts``).
    """
    rng = np.random.default_rng(seed)
    fold_c = rng.permutation(len(crisis)) % folds
    fold_o = rng.permutation(len(ordinary)) % folds
    units = [(crisis, fold_c), (ordinary, fold_o)]
    if parts is not None:
        units += [(parts.crisis, fold_c[parts.crisis_of]),
                  (parts.ordinary, fold_o[parts.ordinary_of])]
    out = []
    for matrix, fold_of in units:
        feats = np.zeros((len(matrix), 2))
        for fold in range(folds):
            rows = fold_of == fold
            feats[rows] = knn_features(matrix[rows], crisis[fold_c != fold],
                                       ordinary[fold_o != fold], k)
        out.append(feats)
    if parts is None:  # no sentences
        out += [np.zeros((0, 2)), np.zeros((0, 2))]
    return out[0], out[1], out[2], out[3]


def _flagged(
    feats: np.ndarray, part_feats: np.ndarray, part_of: np.ndarray, threshold: float,
    margin: float,
) -> np.ndarray:
    """Per phrasing: flagged as a whole, or (with sentences) through any of its sentences."""
    flagged = (feats[:, 0] >= threshold) & (feats[:, 1] >= margin)
    if len(part_feats):
        by_part = (part_feats[:, 0] >= threshold) & (part_feats[:, 1] >= margin)
        np.logical_or.at(flagged, part_of[by_part], True)
    return flagged


def fit(
    crisis: np.ndarray,
    ordinary: np.ndarray,
    k: int = NEIGHBOURS,
    max_alarms: float = 0,
    counted: np.ndarray | None = None,
    repeats: int = 3,
    parts: Parts | None = None,
) -> dict[str, float]:
    """The (threshold, margin) with the best cross-validated recall and few ordinary alarms.

    Cross-validation is repeated ``repeats`` times with different folds; at most
    ``max_alarms`` left-out ordinary phrasings may be flagged on average. Recall is measured on
    the crisis phrasings ``counted`` marks (default all). Ties go to the larger margin. With
    ``parts``, a phrasing also counts as flagged when one of its sentences is.
    Returns the settings with the cross-validated recall and alarms they reach.
    """
    thresholds = np.round(np.arange(0.20, 0.95, 0.01), 2)
    margins = np.round(np.arange(-0.05, 0.30, 0.01), 2)
    mask = np.ones(len(crisis), bool) if counted is None else np.asarray(counted, bool)
    recall = np.zeros((len(thresholds), len(margins)))
    alarms = np.zeros_like(recall)
    none = np.zeros(0, int)
    of_c = parts.crisis_of if parts is not None else none
    of_o = parts.ordinary_of if parts is not None else none
    for repeat in range(repeats):
        feat_c, feat_o, part_c, part_o = cross_validated_features(
            crisis, ordinary, k, seed=20261203 + repeat, parts=parts
        )
        for i, threshold in enumerate(thresholds):
            for j, margin in enumerate(margins):
                flagged_c = _flagged(feat_c, part_c, of_c, threshold, margin)
                flagged_o = _flagged(feat_o, part_o, of_o, threshold, margin)
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
