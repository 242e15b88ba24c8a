"""Missed-bin cases: ``case:{reference}`` hashes, with an expiry.

Written by the action server (``actions.case_store``); deleted by privacy's erasure and
retention jobs. A reference looks like ``MB-7K3Q9X`` (``records.callbacks.new_reference``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CaseKeys:
    """Key builders for missed-bin cases under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    def record(self, reference: str) -> str:
        """One case's hash."""
        return f"{self.prefix}case:{reference}"

    @property
    def pattern(self) -> str:
        """SCAN pattern matching every case hash."""
        return self.record("*")
