"""Opaque conversation ids and the other id formats the gateway accepts."""

from __future__ import annotations

import re
import secrets
from typing import TypeGuard

CONVERSATION_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def new_conversation_id() -> str:
    """A random, unguessable conversation id (192 bits, URL-safe, 32 characters)."""
    return secrets.token_urlsafe(24)


def is_conversation_id(value: object) -> TypeGuard[str]:
    """True when ``value`` has the shape of a conversation id."""
    return isinstance(value, str) and bool(CONVERSATION_ID.match(value))


def is_stream_id(value: object) -> TypeGuard[str]:
    """True when ``value`` looks like a Redis stream id (``ms-seq``)."""
    return isinstance(value, str) and bool(STREAM_ID.match(value))


def is_client_id(value: object) -> TypeGuard[str]:
    """True when ``value`` is an acceptable client-chosen idempotency key."""
    return isinstance(value, str) and bool(CLIENT_ID.match(value))
