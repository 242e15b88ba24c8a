"""Keys of the advisers' queues.

- ``handoff:queue:{queue}`` sorted set — waiting conversations (score: enqueue ms, minus
  10^13 for priority ones);
- ``handoff:claims:{queue}`` list — recent claims ``"{claimed_ms}:{waited_ms}:{position}"``;
- ``handoff:held`` hash — conversation id -> adviser username.

Lua scripts that find the queue name inside Redis get :attr:`HandoffKeys.queue_prefix` /
:attr:`HandoffKeys.claims_prefix` from here and append the name, so they build nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandoffKeys:
    """Key builders for the handoff structures under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    def queue(self, name: str) -> str:
        """One queue's sorted set."""
        return f"{self.queue_prefix}{name}"

    def claims(self, name: str) -> str:
        """One queue's recent claims (for the wait estimate)."""
        return f"{self.claims_prefix}{name}"

    @property
    def held(self) -> str:
        """conversation id -> adviser, for conversations being handled."""
        return f"{self.prefix}handoff:held"

    @property
    def queue_prefix(self) -> str:
        """``queue(name)`` is this plus the name (for Lua scripts)."""
        return f"{self.prefix}handoff:queue:"

    @property
    def claims_prefix(self) -> str:
        """``claims(name)`` is this plus the name (for Lua scripts)."""
        return f"{self.prefix}handoff:claims:"
