"""Fixtures for the editorial tests: a real Redis (shared server, private key prefix)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from editorial.keys import EditorKeys
from editorial.store import ArticleStore

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ROOT / "knowledge" / "articles"


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    """A client of the session's private redis-server."""
    conn = redis.Redis.from_url(redis_url, decode_responses=True)
    yield conn
    conn.close()


@pytest.fixture
def keys(client: redis.Redis) -> Iterator[EditorKeys]:
    """A key prefix nobody else uses; its keys are deleted afterwards."""
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    yield EditorKeys(prefix)
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.fixture
def store(client: redis.Redis, keys: EditorKeys) -> ArticleStore:
    """An empty article store."""
    return ArticleStore(client, keys)


@pytest.fixture
def missed_bin() -> str:
    """A real article's Markdown."""
    return (ARTICLES / "missed-bin.md").read_text(encoding="utf-8")
