"""The Redis client types the record modules take (instead of ``Any``)."""

from __future__ import annotations

from typing import TypeAlias

import redis
import redis.asyncio

SyncRedis: TypeAlias = redis.Redis
"""A blocking client created with ``decode_responses=True`` (action server, editor)."""

AsyncRedis: TypeAlias = redis.asyncio.Redis
"""An asyncio client created with ``decode_responses=True`` (gateway, privacy jobs)."""
