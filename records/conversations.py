"""Keys of one conversation: ``conv:{id}`` and the structures hanging off it.

- ``conv:{id}`` hash — meta (created, page_url, mode, adviser, queue, priority, reason, ...);
- ``conv:{id}:messages`` stream — the transcript;
- ``conv:{id}:client_ids`` hash — ``{role}:{client_id}`` -> stream id (dedupe);
- ``conv:{id}:notes`` list — advisers' private notes (JSON).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConversationKeys:
    """Key builders for one conversation's structures under ``REDIS_KEY_PREFIX``."""

    prefix: str = "csa:"

    def meta(self, conversation_id: str) -> str:
        """The conversation's meta hash."""
        return f"{self.prefix}conv:{conversation_id}"

    def messages(self, conversation_id: str) -> str:
        """The transcript stream."""
        return f"{self.meta(conversation_id)}:messages"

    def client_ids(self, conversation_id: str) -> str:
        """Hash deduplicating messages by the client's own id."""
        return f"{self.meta(conversation_id)}:client_ids"

    def notes(self, conversation_id: str) -> str:
        """List of advisers' notes."""
        return f"{self.meta(conversation_id)}:notes"

    def owned(self, conversation_id: str) -> tuple[str, ...]:
        """Every key that belongs to the conversation alone (what erasure deletes)."""
        return (
            self.meta(conversation_id),
            self.messages(conversation_id),
            self.client_ids(conversation_id),
            self.notes(conversation_id),
        )

    @property
    def messages_pattern(self) -> str:
        """SCAN pattern matching every transcript stream."""
        return self.messages("*")
