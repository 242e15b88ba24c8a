"""Group gap questions by meaning: sentence embeddings + average-linkage clustering on cosine
distance with a threshold (scikit-learn's AgglomerativeClustering)."""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from editorial.gaps import GapQuestion
from knowledge.example_questions import split_section_ref

DEFAULT_DISTANCE = 0.45
EXAMPLES_PER_GROUP = 5


class TextEmbedder(Protocol):
    """Anything with the knowledge package's ``embed`` (L2-normalised rows)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One normalised vector per text."""
        ...


@dataclass
class GapGroup:
    """Questions that mean roughly the same thing."""

    label: str
    count: int
    reasons: dict[str, int]
    newest_ts: float
    examples: list[GapQuestion]
    questions: list[str] = field(default_factory=list)
    # Parts of a guide citizens picked for these questions after "That's not what I asked",
    # the most picked first: {"article_id", "section" (its key in ``questions``, or
    # "(introduction)"), "question" (the newest question it was picked for), "count"}.
    picked: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "label": self.label,
            "count": self.count,
            "reasons": self.reasons,
            "newest_ts": self.newest_ts,
            "examples": [e.as_dict() for e in self.examples],
            "questions": self.questions,
            "picked": self.picked,
        }


class CachedEmbedder:
    """Remembers vectors of texts it has seen (gap reports re-read the same questions)."""

    def __init__(self, inner: TextEmbedder, size: int = 20_000) -> None:
        self.inner = inner
        self.size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``, embedding only the new ones."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing), strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


def cluster_labels(vectors: np.ndarray, max_distance: float = DEFAULT_DISTANCE) -> np.ndarray:
    """A group number per row; rows closer than ``max_distance`` (cosine) end up together."""
    n = len(vectors)
    if n == 0:
        return np.zeros(0, dtype=int)
    if n == 1:
        return np.zeros(1, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=max_distance, metric="cosine", linkage="average"
    )
    return np.asarray(model.fit_predict(vectors), dtype=int)


def picks(items: Sequence[GapQuestion]) -> list[dict[str, Any]]:
    """The parts citizens picked among ``items`` (newest first), the most picked first."""
    counts = Counter(g.section for g in items if g.reason == "picked" and g.section)
    out = []
    for ref, count in counts.most_common():
        newest = next(g for g in items if g.section == ref)
        article_id, key = split_section_ref(ref)
        out.append({"article_id": article_id, "section": key, "question": newest.question,
                    "count": count})
    return out


def group_gaps(
    gaps: list[GapQuestion], embedder: TextEmbedder, max_distance: float = DEFAULT_DISTANCE
) -> list[GapGroup]:
    """Cluster ``gaps`` by meaning; groups sorted newest first, then by size."""
    if not gaps:
        return []
    texts = [g.question for g in gaps]
    vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
    labels = cluster_labels(vectors, max_distance)
    groups: list[GapGroup] = []
    for label in sorted(set(labels.tolist())):
        members = [i for i, value in enumerate(labels) if value == label]
        items = sorted((gaps[i] for i in members), key=lambda g: g.ts, reverse=True)
        centre = vectors[members].mean(axis=0)
        typical = members[int(np.argmax(vectors[members] @ centre))]
        distinct = list(dict.fromkeys(g.question for g in items))
        examples, seen = [], set()
        for item in items:
            if item.question.lower() not in seen:
                seen.add(item.question.lower())
                examples.append(item)
            if len(examples) == EXAMPLES_PER_GROUP:
                break
        groups.append(
            GapGroup(
                label=gaps[typical].question,
                count=len(items),
                reasons=dict(Counter(g.reason for g in items)),
                newest_ts=items[0].ts,
                examples=examples,
                questions=distinct[:50],
                picked=picks(items),
            )
        )
    return sorted(groups, key=lambda g: (-g.newest_ts, -g.count))
