"""Where Redis connections come from: ``REDIS_URL`` directly, or its master through Sentinel.

With ``REDIS_SENTINELS`` empty (the default) every client connects to ``REDIS_URL``. With
``REDIS_SENTINELS=host:port,host:port,…`` the clients ask those Sentinels for the current master
of ``REDIS_SENTINEL_MASTER`` before each new connection, and drop connections to a master that
failed over; ``REDIS_URL`` then supplies only the database number, user name and password.

The gateway's asyncio pool stays a fixed, blocking pool either way (ADR 0305); the action
server and the editor get redis-py's blocking client. Nothing here connects until a command runs.
"""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel
from redis.asyncio import BlockingConnectionPool
from redis.connection import parse_url

SENTINEL_TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 2.0}


class BlockingSentinelPool(redis.asyncio.sentinel.SentinelConnectionPool,
                           BlockingConnectionPool):
    """A Sentinel-managed pool that waits for a free connection (``timeout`` seconds) instead
    of opening more than ``max_connections``, like the gateway's ``BlockingConnectionPool``."""


def sentinel_addresses(text: str) -> list[tuple[str, int]]:
    """``"h1:26379, h2:26379"`` as ``[("h1", 26379), ("h2", 26379)]``; ``""`` as ``[]``.

    Raises ``ValueError`` naming ``REDIS_SENTINELS`` and the bad entry."""
    addresses: list[tuple[str, int]] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        host, _, port = entry.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"REDIS_SENTINELS: {entry!r} is not host:port (give a "
                             "comma-separated list such as sentinel-1:26379,sentinel-2:26379)")
        addresses.append((host.strip("[]"), int(port)))
    return addresses


def master_options(url: str) -> dict[str, Any]:
    """What ``url`` says besides where Redis is: database, user name, password, TLS."""
    options = parse_url(url)
    kept = {key: options[key] for key in ("db", "username", "password") if options.get(key)}
    if url.startswith("rediss://"):
        kept["ssl"] = True
    return kept


def _checked_master(master: str) -> str:
    if not master.strip():
        raise ValueError("REDIS_SENTINEL_MASTER is empty: name the master the Sentinels "
                         "monitor (the name in their 'sentinel monitor' line)")
    return master.strip()


def async_pool(url: str, sentinels: str, master: str, *, max_connections: int, timeout: float,
               **connection: Any) -> BlockingConnectionPool:
    """A fixed pool of ``max_connections`` asyncio connections to Redis (or, with
    ``sentinels``, to the current master of ``master``); ``connection`` holds socket options."""
    addresses = sentinel_addresses(sentinels)
    if not addresses:
        return BlockingConnectionPool.from_url(url, max_connections=max_connections,
                                               timeout=timeout, **connection)
    manager = redis.asyncio.sentinel.Sentinel(addresses, sentinel_kwargs=dict(SENTINEL_TIMEOUTS))
    return BlockingSentinelPool(_checked_master(master), manager,
                                max_connections=max_connections, timeout=timeout,
                                **master_options(url), **connection)


def sync_client(url: str, sentinels: str = "", master: str = "", **connection: Any,
                ) -> redis.Redis:
    """A blocking client with ``str`` replies, to ``url`` or (with ``sentinels``) to the
    current master of ``master``."""
    addresses = sentinel_addresses(sentinels)
    if not addresses:
        return redis.Redis.from_url(url, decode_responses=True, **connection)
    manager = redis.sentinel.Sentinel(addresses, sentinel_kwargs=dict(SENTINEL_TIMEOUTS))
    client: redis.Redis = manager.master_for(_checked_master(master), redis_class=redis.Redis,
                                             decode_responses=True, **master_options(url),
                                             **connection)
    return client
