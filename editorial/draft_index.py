"""A throwaway copy of the live index with one draft article upserted, for previews.

The copy comes from the knowledge facade (``GuidanceService.with_draft``) and shares nothing
mutable with the live service; only the draft's changed chunks are embedded. Copies are cached by
(live index fingerprint, draft text), so "try a question" and "what this edit changes" on the
same draft pay for the copy once.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any

CACHE_SIZE = 4


def live_fingerprint(service: Any) -> str:
    """Changes whenever any article in the live index changes."""
    return str(service.fingerprint())


def clone_with_draft(service: Any, markdown: str) -> Any:
    """A new GuidanceService answering as if ``markdown`` were published."""
    return service.with_draft(markdown)


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
