"""Where Redis connections come from: ``REDIS_URL`` directly, or its master through Sentinel.

With ``REDIS_SENTINELS`` empty (the default) every client connects to ``REDIS_URL``. With
``REDIS_SENTINELS=host:port,host:port,…`` the clients ask those Sentinels for the current master
of ``REDIS_SENTINEL_MASTER`` before each new connection, and drop connections to a master that
failed over; ``REDIS_URL`` then supplies only the database number, user name and password.

The gateway's asyncio pool stays a fixed, blocking pool either way (ADR 0305); the action
server and the editor get redis-py's blocking client. Nothing here connects until a command runs.

The asyncio connections pack each command with hiredis (C), as redis-py's blocking client
already does, instead of redis-py's asyncio packer (Python, about 0.5 µs per argument): the
same bytes on the wire, and any argument hiredis would encode differently (a subclass, a bool,
``None``) goes through redis-py's own packer, so its errors are unchanged (ADR 0306).

They also bound each write with ``asyncio.timeout`` where redis-py uses ``asyncio.wait_for``,
which on Python 3.11 wraps every command's write in a task of its own, run one event-loop turn
later (:class:`TimedWrites`; same limit, same errors; ADR 0306, fifteenth session).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

import redis
import redis.asyncio
import redis.asyncio.sentinel
import redis.sentinel
from redis.asyncio import BlockingConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.connection import parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

try:
    from hiredis import pack_command as hiredis_pack
except ImportError:  # Rasa's environment imports this module for its Sentinel helpers only
    hiredis_pack: Callable[[tuple[Any, ...]], bytes] | None = None  # type: ignore[no-redef]

SENTINEL_TIMEOUTS = {"socket_connect_timeout": 2.0, "socket_timeout": 2.0}
# Argument types hiredis packs exactly as redis-py's encoder does (UTF-8 text, bytes as they
# are, numbers as ``repr``); exact types only: an int subclass is an enum or a bool to redis-py.
PACKED_BY_HIREDIS = frozenset({str, bytes, int, float})


def pack_command(connection: AbstractConnection, *args: Any) -> list[bytes]:
    """One command in the Redis protocol, packed by hiredis when every argument is of a type it
    packs exactly as ``connection`` would (UTF-8, strict); otherwise by redis-py's packer."""
    encoder = connection.encoder
    if (hiredis_pack is not None and args and encoder.encoding.lower() in ("utf-8", "utf8")
            and encoder.encoding_errors == "strict"):
        first = args[0]
        if isinstance(first, str):  # a command name of two words ("CLIENT SETNAME") is split
            words: tuple[Any, ...] = tuple(first.encode().split()) + args[1:]
        elif isinstance(first, bytes):
            words = tuple(first.split()) + args[1:] if b" " in first else args
        else:
            words = ()
        if words and all(type(arg) in PACKED_BY_HIREDIS for arg in words):
            try:
                return [hiredis_pack(words)]
            except (TypeError, ValueError, UnicodeError):
                pass  # redis-py's packer raises its own error for the same argument
    return AbstractConnection.pack_command(connection, *args)


class TimedWrites(AbstractConnection):
    """redis-py's ``send_packed_command`` with the write bounded by ``asyncio.timeout``.

    redis-py sends each command through ``asyncio.wait_for`` when ``socket_timeout`` is set
    (the gateway sets 15 s). On Python 3.11 that makes a new task for every write, which runs
    one event-loop turn later: about a tenth of the gateway's CPU per turn went to tasks,
    timeouts and loop turns around its Redis writes (ADR 0306). ``asyncio.timeout`` bounds the
    same write in the calling task. Everything else is redis-py's: connecting and the health
    check first, the same errors ("Timeout writing to socket", "Error … while writing to
    socket"), and the connection dropped after any failure, a cancellation included. A
    cancellation is also never lost in the way ``wait_for`` loses one on 3.11 (gh-86296).
    """

    async def send_packed_command(self, command: bytes | str | Iterable[bytes],
                                  check_health: bool = True) -> None:
        """Write one packed command (or pipeline) within ``socket_timeout``."""
        if not self.socket_timeout:
            await super().send_packed_command(command, check_health)
            return
        if not self.is_connected:
            await self.connect_check_health(check_health=False)
        if check_health:
            await self.check_health()
        if isinstance(command, str):
            command = command.encode()
        if isinstance(command, bytes):
            command = [command]
        try:
            async with asyncio.timeout(self.socket_timeout):
                self._writer.writelines(command)  # type: ignore[union-attr]
                await self._writer.drain()  # type: ignore[union-attr]
        except TimeoutError:
            await self.disconnect(nowait=True)
            raise RedisTimeoutError("Timeout writing to socket") from None
        except OSError as error:
            await self.disconnect(nowait=True)
            if len(error.args) == 1:
                number, words = "UNKNOWN", error.args[0]
            else:
                number, words = error.args[0], error.args[1]
            raise RedisConnectionError(
                f"Error {number} while writing to socket. {words}.") from error
        except BaseException:
            await self.disconnect(nowait=True)
            raise


class HiredisPackedConnection(TimedWrites, redis.asyncio.Connection):
    """redis-py's asyncio TCP connection, packing commands with hiredis (:func:`pack_command`)
    and bounding writes without a task each (:class:`TimedWrites`)."""

    def pack_command(self, *args: Any) -> list[bytes]:
        """See :func:`pack_command`."""
        return pack_command(self, *args)


class HiredisPackedSentinelConnection(TimedWrites,
                                      redis.asyncio.sentinel.SentinelManagedConnection):
    """redis-py's Sentinel-managed asyncio connection, packing commands with hiredis and
    bounding writes without a task each."""

    def pack_command(self, *args: Any) -> list[bytes]:
        """See :func:`pack_command`."""
        return pack_command(self, *args)


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
        if "connection_class" not in parse_url(url):  # plain TCP (not TLS, not a Unix socket)
            connection = {"connection_class": HiredisPackedConnection, **connection}
        return BlockingConnectionPool.from_url(url, max_connections=max_connections,
                                               timeout=timeout, **connection)
    manager = redis.asyncio.sentinel.Sentinel(addresses, sentinel_kwargs=dict(SENTINEL_TIMEOUTS))
    options = master_options(url)
    if not options.get("ssl"):
        connection = {"connection_class": HiredisPackedSentinelConnection, **connection}
    return BlockingSentinelPool(_checked_master(master), manager,
                                max_connections=max_connections, timeout=timeout,
                                **options, **connection)


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
