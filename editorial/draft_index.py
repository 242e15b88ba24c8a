"""A throwaway copy of the live index with one draft article upserted, for previews.

The copy shares nothing mutable with the live service: vectors are copied into a new flat
FAISS index, the BM25 index is deep-copied, and only the draft's changed chunks are embedded
(chunks whose text did not change reuse their vectors by content hash). Copies are cached by
(live index fingerprint, draft text), so "try a question" and "what this edit changes" on the
same draft pay for the copy once.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

CACHE_SIZE = 4


def live_fingerprint(service: Any) -> str:
    """Changes whenever any article in the live index changes."""
    digest = hashlib.sha256()
    for article_id, article in sorted(service.kb.articles.items()):
        digest.update(f"{article_id}:{article.content_hash};".encode())
    return digest.hexdigest()


def clone_with_draft(service: Any, markdown: str) -> Any:
    """A new GuidanceService answering as if ``markdown`` were published."""
    from knowledge.answering import GuidanceService
    from knowledge.articles import parse_article
    from knowledge.index import VectorIndex
    from knowledge.knowledge_base import KnowledgeBase

    draft = parse_article(markdown, "draft")
    draft = dataclasses.replace(draft, status="published")
    live = service.kb
    lock = getattr(service, "_lock", None) or contextlib.nullcontext()
    with lock:
        ids = np.array(sorted(live.chunks), dtype=np.int64)
        vectors = VectorIndex(live.vectors.dim)
        vectors.add(ids, live.vectors.reconstruct_many(ids))
        kb = KnowledgeBase(live.embedder, vectors)
        kb.keywords = copy.deepcopy(live.keywords)
        kb.articles = dict(live.articles)
        kb.chunks = dict(live.chunks)
        kb.by_article = {k: list(v) for k, v in live.by_article.items()}
        kb.stored_hashes = {i: h for i, h in live.stored_hashes.items() if i in live.chunks}
    kb.upsert(draft)
    return GuidanceService(kb, service.calibration, service.index_dir)


class DraftPreviews:
    """Cached draft copies of one live service."""

    def __init__(self, service: Any, size: int = CACHE_SIZE) -> None:
        self.service = service
        self.size = size
        self._cache: OrderedDict[tuple[str, str], Any] = OrderedDict()
        self._lock = threading.Lock()

    def for_draft(self, markdown: str) -> Any:
        """The preview service for ``markdown`` (built once per live state and draft)."""
        key = (live_fingerprint(self.service), hashlib.sha256(markdown.encode()).hexdigest())
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        built = clone_with_draft(self.service, markdown)
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return built
