"""Rasa's own Redis keys: the tracker and the lock of each conversation.

Rasa writes them (its Redis tracker store and lock store, ``bot/endpoints.yml`` with
``key_prefix: csa``, which Rasa 3.6 turns into ``csa:tracker:{id}`` and ``csa:lock:{id}``).
Our processes only delete them (``privacy.erasure``, ``gateway.erasure``) and scan the
trackers (``privacy.retention``), all through :class:`RasaKeys`.
"""

from __future__ import annotations

from dataclasses import dataclass

RASA_KEY_PREFIX = "csa:"  # Rasa 3.6 accepts only an alphanumeric prefix (bot/endpoints.yml)


@dataclass(frozen=True)
class RasaKeys:
    """Key builders for Rasa's keys (the prefix is Rasa's, not ``REDIS_KEY_PREFIX``)."""

    prefix: str = RASA_KEY_PREFIX

    def tracker(self, conversation_id: str) -> str:
        """The conversation's tracker (Rasa's Redis tracker store)."""
        return f"{self.prefix}tracker:{conversation_id}"

    def lock(self, conversation_id: str) -> str:
        """The conversation's lock (Rasa's Redis lock store)."""
        return f"{self.prefix}lock:{conversation_id}"

    @property
    def trackers(self) -> str:
        """SCAN pattern matching every tracker."""
        return f"{self.prefix}tracker:*"
