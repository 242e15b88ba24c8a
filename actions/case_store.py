"""Missed-bin cases and callback requests, kept in Redis under the shared key prefix.

- a missed-bin report (``records.cases``: a hash with an expiry). REF looks like
  ``MB-7K3Q9X``: 6 characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z,
  5/S, 8/B).
- callback requests are owned by ``records.callbacks`` (``callback:<ID>`` and ``callbacks``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

import redis

from privacy.refs import conversation_ref
from records.callbacks import CallbackKeys, create_callback, new_reference
from records.cases import CaseKeys
from records.performance import PerformanceKeys, count_callback_opened_sync

log = logging.getLogger("actions.case_store")


@dataclass
class CaseStore:
    """Writes citizen requests to Redis; each record is created once and never overwritten."""

    client: redis.Redis
    prefix: str
    case_ttl_seconds: int
    callback_ttl_seconds: int

    def _create(self, kind: str, fields: Mapping[str, str], ttl: int) -> str:
        for _ in range(10):
            reference = new_reference(kind)
            key = CaseKeys(self.prefix).record(reference)
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
        return self._create("MB", record, self.case_ttl_seconds)

    def create_callback(self, fields: Mapping[str, str]) -> str:
        """Store a callback request (status ``open``), index it and return its id."""
        keys = CallbackKeys(self.prefix)
        request = create_callback(self.client, keys, fields, self.callback_ttl_seconds)
        try:  # the performance page's count (best effort: the request is already stored)
            count_callback_opened_sync(self.client, PerformanceKeys(self.prefix), request.created,
                                       conversation_ref(request.conversation_id)
                                       if request.conversation_id else None)
        except Exception as exc:
            log.warning("could not count a callback request: %s", type(exc).__name__)
        return request.reference
