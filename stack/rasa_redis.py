"""Rasa's Redis stores through Sentinel: loaded by ``rasa run`` (Python 3.10 Rasa venv).

Rasa 3.6's tracker and lock stores connect to one host and port. With ``REDIS_SENTINELS`` set
(``host:port,…``, the same setting the gateway and action server read, with
``REDIS_SENTINEL_MASTER``), :func:`follow_sentinel` swaps a store's client for one that asks the
Sentinels for the current primary before each new connection, keeping the database, user name,
password and socket timeout Rasa configured. Without it the store is left as Rasa built it.
``stack.rasa_server`` calls :func:`install` so Rasa's ``redis`` lock store becomes
:class:`SentinelRedisLockStore`; the tracker store (``privacy.rasa_tracker_store``) calls
:func:`follow_sentinel` itself.
"""

from __future__ import annotations

import os
from typing import Any

import redis
import redis.sentinel
from rasa.core.lock_store import RedisLockStore

from records.redis_connect import SENTINEL_TIMEOUTS, sentinel_addresses

KEPT = ("db", "username", "password", "socket_timeout")


def follow_sentinel(client: redis.Redis) -> redis.Redis:
    """``client`` itself, or (``REDIS_SENTINELS`` set) a client of the current primary of
    ``REDIS_SENTINEL_MASTER`` with ``client``'s database, credentials and timeout."""
    addresses = sentinel_addresses(os.environ.get("REDIS_SENTINELS", ""))
    if not addresses:
        return client
    master = os.environ.get("REDIS_SENTINEL_MASTER", "assistant").strip()
    if not master:
        raise ValueError("REDIS_SENTINEL_MASTER is empty: name the master the Sentinels monitor")
    configured = client.connection_pool.connection_kwargs
    kept: dict[str, Any] = {key: configured[key] for key in KEPT if configured.get(key)}
    manager = redis.sentinel.Sentinel(addresses, sentinel_kwargs=dict(SENTINEL_TIMEOUTS))
    followed: redis.Redis = manager.master_for(master, redis_class=redis.StrictRedis, **kept)
    return followed


class SentinelRedisLockStore(RedisLockStore):
    """Rasa's ``RedisLockStore`` (same keys, same settings) that follows the Sentinel primary."""

    red: redis.Redis

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Built as Rasa builds its ``RedisLockStore`` (``lock_store`` in bot/endpoints.yml)."""
        super().__init__(*args, **kwargs)
        self.red = follow_sentinel(self.red)


def install() -> None:
    """With ``REDIS_SENTINELS`` set, make Rasa build :class:`SentinelRedisLockStore` for
    ``lock_store: type: redis`` (``bot/endpoints.yml`` stays as it is, so the model's hash and
    every other setup are unchanged); without it, do nothing."""
    if not sentinel_addresses(os.environ.get("REDIS_SENTINELS", "")):
        return
    import rasa.core.lock_store

    rasa.core.lock_store.RedisLockStore = SentinelRedisLockStore
