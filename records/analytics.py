"""The append-only streams analytics and audit write, and privacy trims and erases from.

- ``analytics:events`` stream — redacted analytics events (``MAXLEN ~ 100000``);
- ``audit:console`` stream — console actions and refusals, never message text;
- ``analytics:gaps`` — owned by :mod:`records.gaps` (listed here for the jobs that walk every
  stream).
"""

from __future__ import annotations

from dataclasses import dataclass

from records.gaps import GapKeys

EVENTS_MAXLEN = 100_000
AUDIT_MAXLEN = 100_000


@dataclass(frozen=True)
class AnalyticsKeys:
    """Key builders for the analytics and audit streams under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    @property
    def events(self) -> str:
        """Analytics events (redacted)."""
        return f"{self.prefix}analytics:events"

    @property
    def audit(self) -> str:
        """Console audit entries."""
        return f"{self.prefix}audit:console"

    @property
    def gaps(self) -> str:
        """Content gaps (see :mod:`records.gaps`)."""
        return GapKeys(self.prefix).stream

    def streams(self) -> dict[str, str]:
        """Every stream as ``{name without the prefix: key}`` (for retention and erasure)."""
        return {key.removeprefix(self.prefix): key for key in (self.events, self.gaps, self.audit)}
