"""Keyword scoring: an incremental BM25 (Okapi, k1=1.2, b=0.75) over chunk texts.

Written here rather than taken from ``bm25s`` because chunks are added and removed one
article at a time: postings live in per-term dicts, and each term's numpy arrays are rebuilt
lazily only when that term changed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

_TOKEN = re.compile(r"[a-z0-9\u00c0-\u024f\u2019']+")
STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "might",
        "more",
        "most",
        "must",
        "my",
        "no",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "please",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "i'm",
        "i've",
        "im",
        "ive",
        "dont",
        "don't",
        "can't",
        "cant",
        "wont",
        "won't",
        "isn't",
        "didn't",
        "wasn't",
    ]
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Porter stem of one lower-case word (cached: the vocabulary is small)."""
    return _porter().stem(word)


@lru_cache(maxsize=1)
def _porter() -> Any:
    from nltk.stem.porter import PorterStemmer

    return PorterStemmer()


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens, stop words removed, lightly stemmed."""
    words = _TOKEN.findall(text.lower().replace("\u2019", "'"))
    out = []
    for word in words:
        word = word.strip("'")
        if word and word not in STOP_WORDS:
            out.append(stem(word.removesuffix("'s")))
    return out


class BM25Index:
    """Incremental BM25 over documents keyed by int ids."""

    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1 = k1
        self.b = b
        self._slot_of: dict[int, int] = {}
        self._ids: list[int] = []
        self._free: list[int] = []
        self._lengths = np.zeros(0, dtype=np.float32)
        self._terms_of: dict[int, Counter[str]] = {}
        self._postings: dict[str, dict[int, int]] = {}
        self._arrays: dict[str, tuple[np.ndarray, np.ndarray, float]] = {}
        self._total_length = 0.0
        self._dirty: set[str] = set()

    def __len__(self) -> int:
        return len(self._slot_of)

    def _slot(self) -> int:
        if self._free:
            return self._free.pop()
        slot = len(self._ids)
        self._ids.append(-1)
        if slot >= len(self._lengths):
            grown = np.zeros(max(64, 2 * len(self._lengths)), dtype=np.float32)
            grown[: len(self._lengths)] = self._lengths
            self._lengths = grown
        return slot

    def add(self, doc_id: int, text: str) -> None:
        """Add or replace one document."""
        if doc_id in self._slot_of:
            self.remove([doc_id])
        tokens = tokenize(text)
        counts = Counter(tokens)
        slot = self._slot()
        self._ids[slot] = doc_id
        self._slot_of[doc_id] = slot
        self._lengths[slot] = len(tokens)
        self._total_length += len(tokens)
        self._terms_of[doc_id] = counts
        for term, tf in counts.items():
            self._postings.setdefault(term, {})[slot] = tf
            self._arrays.pop(term, None)
            self._dirty.add(term)

    def add_many(self, docs: Iterable[tuple[int, str]]) -> None:
        """Add several documents."""
        for doc_id, text in docs:
            self.add(doc_id, text)

    def remove(self, doc_ids: Iterable[int]) -> None:
        """Remove documents (unknown ids are ignored)."""
        for doc_id in doc_ids:
            slot = self._slot_of.pop(doc_id, None)
            if slot is None:
                continue
            for term in self._terms_of.pop(doc_id):
                postings = self._postings[term]
                postings.pop(slot, None)
                if not postings:
                    del self._postings[term]
                self._arrays.pop(term, None)
                self._dirty.add(term)
            self._total_length -= float(self._lengths[slot])
            self._lengths[slot] = 0
            self._ids[slot] = -1
            self._free.append(slot)

    def prepare(self) -> None:
        """Rebuild the arrays of every term changed since the last call, so queries need not."""
        for term in self._dirty:
            self._term_arrays(term)
        self._dirty.clear()

    def _term_arrays(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        postings = self._postings.get(term)
        if not postings:
            return None
        cached = self._arrays.get(term)
        avg = self._average_length()
        if cached is None or abs(cached[2] - avg) > 0.01 * avg:
            slots = np.fromiter(postings.keys(), dtype=np.int64, count=len(postings))
            tfs = np.fromiter(postings.values(), dtype=np.float32, count=len(postings))
            norm = self.k1 * (1 - self.b + self.b * self._lengths[slots] / avg)
            cached = (slots, tfs * (self.k1 + 1) / (tfs + norm), avg)
            self._arrays[term] = cached
        return cached[0], cached[1]

    def _average_length(self) -> float:
        n = len(self._slot_of)
        return self._total_length / n if n else 1.0

    def _idf(self, df: int) -> float:
        n = len(self._slot_of)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for a query; documents with no query term are left out."""
        terms = set(tokenize(query))
        n = len(self._slot_of)
        if not terms or n == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores = np.zeros(len(self._ids), dtype=np.float32)
        for term in terms:
            arrays = self._term_arrays(term)
            if arrays is None:
                continue
            slots, impact = arrays  # term-frequency part, cached per term (ADR 0103)
            scores[slots] += self._idf(len(slots)) * impact
        hit = np.flatnonzero(scores > 0)
        if len(hit) == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        if len(hit) > k:
            hit = hit[np.argpartition(-scores[hit], k - 1)[:k]]
        hit = hit[np.argsort(-scores[hit], kind="stable")]
        ids = np.array([self._ids[s] for s in hit], dtype=np.int64)
        return scores[hit], ids

    def score(self, query: str, doc_ids: Iterable[int]) -> dict[int, float]:
        """Exact BM25 scores of the query for the given documents."""
        n = len(self._slot_of)
        avg = self._total_length / n if n else 1.0
        idf = {
            t: self._idf(len(self._postings[t]))
            for t in set(tokenize(query))
            if t in self._postings
        }
        k1, b = self.k1, self.b
        out: dict[int, float] = {}
        for doc_id in doc_ids:
            counts = self._terms_of.get(doc_id)
            if counts is None:
                continue
            norm = k1 * (1 - b + b * float(self._lengths[self._slot_of[doc_id]]) / avg)
            out[doc_id] = sum(
                weight * tf * (k1 + 1) / (tf + norm)
                for term, weight in idf.items()
                if (tf := counts.get(term, 0))
            )
        return out
