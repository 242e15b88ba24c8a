"""The gateway's Redis connections bound each write without a task of its own (TimedWrites).

What must hold: a command and a pipeline through the gateway's pool reach a real Redis with
``asyncio.wait_for`` never called (on Python 3.11 it makes a task per write); a write that
cannot finish within ``socket_timeout`` fails with redis-py's own error and message and drops
the connection, as redis-py's does; a socket error while writing becomes the same
``ConnectionError`` (same message) as redis-py's; a cancelled write drops the connection; and
without ``socket_timeout`` redis-py's own path runs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import redis.asyncio
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gateway.redis_client import connect
from gateway.settings import Settings
from records.redis_connect import (
    HiredisPackedConnection,
    HiredisPackedSentinelConnection,
    TimedWrites,
)


class StalledWriter:
    """A stream writer whose ``drain`` waits forever, or raises ``error``."""

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.written: list[bytes] = []

    def writelines(self, data: Any) -> None:
        self.written.extend(data)

    async def drain(self) -> None:
        if self.error is not None:
            raise self.error
        await asyncio.Event().wait()

    def close(self) -> None:
        return None

    async def wait_closed(self) -> None:
        return None


def connected(cls: type[redis.asyncio.Connection], writer: StalledWriter,
              socket_timeout: float | None = 0.05) -> redis.asyncio.Connection:
    """A connection of ``cls`` that believes it is connected, writing into ``writer``."""
    connection = cls(socket_timeout=socket_timeout)
    connection._writer = writer  # type: ignore[assignment]
    connection._reader = object()  # type: ignore[assignment]
    return connection


async def failure(cls: type[redis.asyncio.Connection],
                  error: BaseException | None) -> tuple[BaseException, bool]:
    """The exception a write raises and whether the connection was dropped."""
    connection = connected(cls, StalledWriter(error))
    with pytest.raises(Exception) as raised:
        await connection.send_packed_command([b"PING\r\n"], check_health=False)
    return raised.value, connection.is_connected


async def test_commands_and_pipelines_never_use_wait_for(
    redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_wait_for(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("asyncio.wait_for was called")

    client = connect(Settings(redis_url=redis_url, editor_enabled=False))
    monkeypatch.setattr(asyncio, "wait_for", no_wait_for)
    try:
        await client.set("timed-writes", "x")
        raw = redis.asyncio.Redis(connection_pool=client.connection_pool)
        pipe = raw.pipeline(transaction=False)
        pipe.get("timed-writes")
        pipe.delete("timed-writes")
        assert await pipe.execute() == ["x", 1]
    finally:
        await client.aclose()


def test_both_of_the_gateways_connection_classes_write_this_way() -> None:
    assert (HiredisPackedSentinelConnection.send_packed_command
            is HiredisPackedConnection.send_packed_command
            is TimedWrites.send_packed_command)


async def test_a_stalled_write_times_out_as_redis_pys_does() -> None:
    theirs, theirs_connected = await failure(redis.asyncio.Connection, None)
    mine, mine_connected = await failure(HiredisPackedConnection, None)
    assert type(mine) is type(theirs) is RedisTimeoutError
    assert str(mine) == str(theirs) == "Timeout writing to socket"
    assert not mine_connected and not theirs_connected


@pytest.mark.parametrize("error", [OSError("gone"), ConnectionResetError(104, "reset")],
                         ids=["one argument", "errno"])
async def test_a_socket_error_is_redis_pys_connection_error(error: OSError) -> None:
    theirs, _ = await failure(redis.asyncio.Connection, error)
    mine, mine_connected = await failure(HiredisPackedConnection, error)
    assert type(mine) is type(theirs) is RedisConnectionError
    assert str(mine) == str(theirs)
    assert not mine_connected


async def test_a_cancelled_write_drops_the_connection() -> None:
    connection = connected(HiredisPackedConnection, StalledWriter(), socket_timeout=30)
    task = asyncio.create_task(connection.send_packed_command([b"PING\r\n"],
                                                              check_health=False))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not connection.is_connected


async def test_without_a_socket_timeout_redis_pys_own_write_runs() -> None:
    writer = StalledWriter(OSError("gone"))
    connection = connected(HiredisPackedConnection, writer, socket_timeout=None)
    with pytest.raises(RedisConnectionError, match="Error UNKNOWN while writing to socket"):
        await connection.send_packed_command(b"PING\r\n", check_health=False)
    assert writer.written == [b"PING\r\n"]
