"""Ways to name a conversation without giving out the id that opens its transcript.

A conversation id (32 random characters) is a bearer key: whoever has it can read the
transcript through the citizen API. Analytics, gap and audit records therefore carry
``conversation_ref`` (a one-way digest, enough to group one conversation's entries and to
find them again for erasure), and log lines carry ``short_id`` (the first 8 characters).
"""

from __future__ import annotations

import hashlib
import re

REF_LENGTH = 16
# Conversation ids and session tokens (``secrets.token_urlsafe`` of 24 or more bytes).
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]{8})[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_-])")


def conversation_ref(conversation_id: str) -> str:
    """A stable 16-hex-digit digest of the id; it cannot be turned back into the id."""
    digest = hashlib.sha256(f"csa-conversation:{conversation_id}".encode()).hexdigest()
    return digest[:REF_LENGTH]


def short_id(conversation_id: str) -> str:
    """The first 8 characters, for log lines."""
    return conversation_id[:8] + "…" if len(conversation_id) > 8 else conversation_id


def shorten_tokens(text: str) -> str:
    """``text`` with every id- or token-like run of 32+ URL-safe characters cut to 8 + "…"."""
    return _TOKEN.sub(lambda match: match.group(1) + "…", text)
