"""Fixtures for action tests: a fake guidance service and fakeredis, reset per test."""

from __future__ import annotations

from collections.abc import Iterator

import fakeredis
import pytest

from actions import resources
from tests.actions.fakes import FakeGuidance, standard_guidance


@pytest.fixture
def guidance() -> Iterator[FakeGuidance]:
    """Install the standard fake guidance service for the duration of a test."""
    fake = standard_guidance()
    resources.set_guidance(fake)
    yield fake
    resources.set_guidance(None)


@pytest.fixture
def fake_redis() -> Iterator[fakeredis.FakeRedis]:
    """Install fakeredis as the action server's Redis client."""
    client = fakeredis.FakeRedis(decode_responses=True)
    resources.set_redis(client)
    yield client
    resources.set_redis(None)
