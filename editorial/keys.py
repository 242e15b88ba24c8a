"""Names of the Redis keys the editor reads and writes (see docs/contracts.md)."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.live import TOMBSTONE, LiveKeys
from records.gaps import GapKeys


@dataclass(frozen=True)
class EditorKeys:
    """Every key the editor touches, under one shared prefix (``REDIS_KEY_PREFIX``)."""

    prefix: str = "csa:"

    @property
    def articles(self) -> str:
        """Set of every article id the editor knows."""
        return f"{self.prefix}editor:articles"

    def meta(self, article_id: str) -> str:
        """Hash with the article's current state (head version, status, owner...)."""
        return f"{self.prefix}editor:article:{article_id}"

    def versions(self, article_id: str) -> str:
        """Hash: version number -> JSON of that version."""
        return f"{self.prefix}editor:article:{article_id}:versions"

    def audit(self, article_id: str) -> str:
        """Stream: who changed what and when."""
        return f"{self.prefix}editor:article:{article_id}:audit"

    @property
    def live(self) -> LiveKeys:
        """The live-update keys (owned by ``knowledge.live``) under the same prefix."""
        return LiveKeys(self.prefix)

    @property
    def published(self) -> str:
        """Hash read by every GuidanceService: article id -> Markdown or the tombstone."""
        return self.live.published

    @property
    def events(self) -> str:
        """Pub/sub channel announcing each publish or retire."""
        return self.live.events

    @property
    def gap_stream(self) -> GapKeys:
        """The gap stream's keys (owned by ``records.gaps``) under the same prefix."""
        return GapKeys(self.prefix)

    @property
    def gaps(self) -> str:
        """Stream of questions the bot could not answer well (written by the gateway)."""
        return self.gap_stream.stream

    @property
    def gaps_resolved(self) -> str:
        """Hash: a gap question (case-folded) -> JSON of the section it was attached to."""
        return f"{self.prefix}editor:gaps:resolved"


RETIRED_TOMBSTONE = TOMBSTONE
