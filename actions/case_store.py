"""Missed-bin cases and callback requests, kept in Redis under the shared key prefix.

- ``<prefix>case:<REF>`` hash, with an expiry: one missed-bin report. REF looks like
  ``MB-7K3Q9X``: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z,
  5/S, 8/B).
- ``<prefix>callback:<ID>`` hash, with an expiry, and the sorted set ``<prefix>callbacks``
  (score = time requested) that advisers work through.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

import redis

REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_LENGTH = 6


def new_reference(kind: str) -> str:
    """Return a random reference like ``MB-7K3Q9X`` (``kind`` is the two-letter prefix)."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"{kind}-{body}"


@dataclass
class CaseStore:
    """Writes citizen requests to Redis; each record is created once and never overwritten."""

    client: redis.Redis
    prefix: str
    case_ttl_seconds: int
    callback_ttl_seconds: int

    def _create(self, kind: str, key_name: str, fields: Mapping[str, str], ttl: int) -> str:
        for _ in range(10):
            reference = new_reference(kind)
            key = f"{self.prefix}{key_name}:{reference}"
            # HSETNX on "reference" claims the key atomically, so two cases never share one.
            if self.client.hsetnx(key, "reference", reference):
                pipe = self.client.pipeline(transaction=True)
                pipe.hset(key, mapping=dict(fields))  # type: ignore[arg-type]
                pipe.expire(key, ttl)
                pipe.execute()
                return reference
        raise RuntimeError("could not find a free reference after 10 tries")

    def create_missed_bin_case(self, fields: Mapping[str, str]) -> str:
        """Store a missed-bin report and return its case reference."""
        record = {"type": "missed_bin", "status": "open", "created": f"{time.time():.3f}"}
        record.update(fields)
        return self._create("MB", "case", record, self.case_ttl_seconds)

    def create_callback(self, fields: Mapping[str, str]) -> str:
        """Store a callback request, add it to the callbacks queue and return its id."""
        now = time.time()
        record = {"type": "callback", "status": "waiting", "created": f"{now:.3f}"}
        record.update(fields)
        reference = self._create("CB", "callback", record, self.callback_ttl_seconds)
        self.client.zadd(f"{self.prefix}callbacks", {reference: now})
        return reference
