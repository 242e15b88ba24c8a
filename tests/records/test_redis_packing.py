"""The gateway's Redis connections pack commands with hiredis (records.redis_connect).

What must hold: for every kind of argument the code sends (text in any script, bytes, whole and
fractional numbers, two-word command names, values above redis-py's chunking size) the bytes are
exactly those redis-py's own asyncio packer writes; an argument redis-py refuses (a bool,
``None``, a lone surrogate) is refused with the same error; an int subclass (an enum) is packed
as redis-py packs it, not as its number; the gateway's pool uses the packing connection, for a
plain URL and through Sentinel, and not for TLS or Unix sockets (whose connection classes it
would replace); and commands and pipelines through it reach a real Redis intact.
"""

from __future__ import annotations

import enum
import secrets
from typing import Any

import pytest
import redis.asyncio
from redis.exceptions import DataError

from gateway.redis_client import connect
from gateway.settings import Settings
from records.redis_connect import (
    HiredisPackedConnection,
    HiredisPackedSentinelConnection,
    async_pool,
)


class Colour(enum.IntEnum):
    RED = 1


PLAIN = redis.asyncio.Connection(decode_responses=True)
PACKED = HiredisPackedConnection(decode_responses=True)

COMMANDS: list[tuple[Any, ...]] = [
    ("PING",),
    ("SET", "csa:conv:abc", "héllo wörld ✓ 😀"),
    ("HSET", "k", "ts", "1700000000.123", "n", 7, "neg", -3, "big", 2**70),
    ("ZADD", "q", 1.5, "a", 1 / 3, "b", 1e-7, "c", float("inf"), "d", -0.0, "e"),
    ("EVALSHA", "a" * 40, 3, "k1", "k2", "k3", "", 2592000, "role", "citizen"),
    ("XADD", "s", "MAXLEN", "~", 2000, "*", "text", "x" * 10_000),
    (b"SET", b"key", b"\x00\xff binary"),
    ("CLIENT SETNAME", "gateway"),
    (b"CONFIG GET", b"maxmemory"),
    ("SET", "k", memoryview(b"view")),
    ("SET", "k", bytearray(b"array")),
    ("SET", "k", Colour.RED),
    ("SET", "", ""),
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: str(a[0]))
def test_the_bytes_are_redis_pys_own(args: tuple[Any, ...]) -> None:
    assert b"".join(PACKED.pack_command(*args)) == b"".join(PLAIN.pack_command(*args))


@pytest.mark.parametrize("bad", [True, None, object(), "\ud800"], ids=repr)
def test_what_redis_py_refuses_is_refused_the_same_way(bad: Any) -> None:
    with pytest.raises((DataError, UnicodeEncodeError)) as plain:
        PLAIN.pack_command("SET", "k", bad)
    with pytest.raises(plain.type):
        PACKED.pack_command("SET", "k", bad)


def test_the_pools_use_the_packing_connection_where_they_can() -> None:
    def connection_class(url: str, sentinels: str = "") -> type:
        pool = async_pool(url, sentinels, "assistant", max_connections=4, timeout=1)
        return pool.connection_class

    assert connection_class("redis://127.0.0.1:6379/0") is HiredisPackedConnection
    assert (
        connection_class("redis://127.0.0.1:6379/0", "127.0.0.1:26379")
        is HiredisPackedSentinelConnection
    )
    assert connection_class("rediss://127.0.0.1:6379/0") is not HiredisPackedConnection
    assert connection_class("unix:///tmp/redis.sock") is not HiredisPackedConnection
    assert (
        connection_class("rediss://127.0.0.1:6379/0", "127.0.0.1:26379")
        is not HiredisPackedSentinelConnection
    )


async def test_commands_and_pipelines_reach_redis_intact(redis_url: str) -> None:
    client = connect(Settings(redis_url=redis_url, editor_enabled=False))
    assert isinstance(client.connection_pool, redis.asyncio.BlockingConnectionPool)
    assert client.connection_pool.connection_class is HiredisPackedConnection
    key = f"packing:{secrets.token_hex(4)}"
    text = "héllo ✓ 😀 " + "x" * 10_000
    try:
        await client.hset(key, mapping={"text": text, "n": 7, "f": 0.1})
        raw = redis.asyncio.Redis(connection_pool=client.connection_pool)  # the same pool
        pipe = raw.pipeline(transaction=False)
        pipe.hget(key, "text")
        pipe.hincrbyfloat(key, "f", 0.2)
        pipe.hget(key, "n")
        assert await pipe.execute() == [text, pytest.approx(0.3), "7"]
        assert await client.hgetall(key) == {"text": text, "n": "7", "f": "0.3"}
    finally:
        await client.delete(key)
        await client.aclose()
