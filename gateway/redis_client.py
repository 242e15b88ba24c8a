"""The gateway's Redis connection (strings in, strings out)."""

from __future__ import annotations

from typing import TypeAlias

from redis.asyncio import Redis

from gateway.settings import Settings
from records.client import AsyncRedis, str_replies
from records.redis_connect import async_pool

StrRedis: TypeAlias = AsyncRedis
"""The gateway's name for :class:`records.client.AsyncRedis`: the asyncio client with ``str``
replies, limited to the commands the code uses."""


def connect(settings: Settings) -> StrRedis:
    """A client on a small fixed pool (``REDIS_MAX_CONNECTIONS``): when every connection is busy
    a command waits for one (up to 10 s) instead of opening more, so sockets and bursts cannot
    exhaust Redis. ``socket_timeout`` is longer than any XREAD BLOCK the gateway issues. With
    ``REDIS_SENTINELS`` set the pool follows the master Sentinel names (``records.redis_connect``).
    """
    pool = async_pool(
        settings.redis_url, settings.redis_sentinels, settings.redis_sentinel_master,
        max_connections=settings.redis_max_connections, timeout=10, decode_responses=True,
        socket_connect_timeout=5.0, socket_timeout=15.0, health_check_interval=30)
    return str_replies(Redis.from_pool(pool))
