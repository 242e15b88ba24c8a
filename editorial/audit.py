"""The audit log: who changed what and when, one Redis stream per article (kept, never trimmed)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import redis
import redis.client
from redis.typing import EncodableT, FieldT

from editorial.keys import EditorKeys
from records.client import SyncRedis, decoded


@dataclass(frozen=True)
class AuditEntry:
    """One thing that happened to an article."""

    id: str
    article_id: str
    ts: float
    user: str
    action: str
    version: int
    summary: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


class AuditLog:
    """Append to and read the per-article audit streams."""

    def __init__(self, client: SyncRedis, keys: EditorKeys) -> None:
        self.redis = client
        self.keys = keys

    @staticmethod
    def _fields(user: str, action: str, version: int, summary: str,
                ts: float) -> dict[FieldT, EncodableT]:
        return {
            "ts": f"{ts:.3f}",
            "user": user,
            "action": action,
            "version": str(version),
            "summary": summary[:500],
        }

    def record_in(
        self,
        pipe: redis.client.Pipeline,
        article_id: str,
        user: str,
        action: str,
        version: int,
        summary: str,
        ts: float,
    ) -> None:
        """Queue an entry inside a caller's MULTI so it commits with the change itself."""
        pipe.xadd(self.keys.audit(article_id), self._fields(user, action, version, summary, ts))

    def record(
        self,
        article_id: str,
        user: str,
        action: str,
        version: int,
        summary: str,
        ts: float | None = None,
    ) -> None:
        """Append an entry on its own."""
        import time

        when = time.time() if ts is None else ts
        self.redis.xadd(
            self.keys.audit(article_id), self._fields(user, action, version, summary, when)
        )

    def entries(self, article_id: str, limit: int = 200) -> list[AuditEntry]:
        """Newest first."""
        rows = self.redis.xrevrange(self.keys.audit(article_id), count=limit) or []
        entries = []
        for entry_id, raw in rows:
            f = decoded(raw or {})
            entries.append(AuditEntry(
                id=str(entry_id),
                article_id=article_id,
                ts=float(f["ts"]),
                user=f["user"],
                action=f["action"],
                version=int(f["version"]),
                summary=f["summary"],
            ))
        return entries
