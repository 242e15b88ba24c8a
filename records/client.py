"""The Redis client types the record modules, the gateway and the privacy jobs take.

redis-py annotates every reply as ``bytes | str`` (and every asyncio command as ``Awaitable``
of that) whatever ``decode_responses`` says, so its own class cannot tell the checker that our
clients return ``str``. :class:`AsyncRedis` is the asyncio client as we use it: only the commands
the code calls, with ``str`` replies in the shapes RESP2 gives them. A real
``redis.asyncio.Redis`` becomes one only through :func:`str_replies`, which checks that it
decodes replies (the one place that casts). ``tests/records/test_client.py`` checks every member
here against redis-py's real client and a real server.

The blocking side (action server, editor) keeps redis-py's own :data:`SyncRedis` (its callers
in ``knowledge`` and ``actions`` take that class); where it reads a reply whose ``bytes | str``
annotation matters it converts with :func:`decoded_text` or :func:`decoded`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Protocol, TypeAlias, TypedDict, cast

import redis
import redis.asyncio

SyncRedis: TypeAlias = redis.Redis
"""A blocking client created with ``decode_responses=True`` (action server, editor)."""

Value: TypeAlias = str | int | float
"""What a command may write: Redis stores it as its decimal or text form."""

Score: TypeAlias = float | str
"""A sorted-set or stream bound: a number, or ``"-inf"``, ``"+inf"``, ``"(5"`` and the like."""

StreamEntry: TypeAlias = tuple[str, dict[str, str]]
"""One stream entry as XRANGE/XREVRANGE/XREAD give it: its id and its fields."""

StreamBatch: TypeAlias = tuple[str, list[StreamEntry]]
"""One stream's entries in an XREAD reply: the stream's key and its new entries (a two-item
list at run time)."""


class PubSubMessage(TypedDict):
    """A published message as ``get_message`` returns it when subscribe confirmations are
    ignored (``type`` is ``message`` or ``pmessage``)."""

    type: str
    pattern: str | None
    channel: str
    data: str


class StrPubSub(Protocol):
    """The subscription object of :meth:`AsyncRedis.pubsub`."""

    async def psubscribe(self, *args: str) -> None:
        """Subscribe to channel patterns."""

    async def get_message(self, ignore_subscribe_messages: bool = False,
                          timeout: float | None = 0.0) -> PubSubMessage | None:
        """The next message, or ``None`` when none came within ``timeout`` seconds."""

    async def aclose(self) -> None:
        """Unsubscribe and give the connection back."""


class StrScript(Protocol):
    """A Lua script registered with :meth:`AsyncRedis.register_script` (EVALSHA, loaded on
    first use)."""

    sha: str
    """The script's SHA1 (for :meth:`StrPipeline.evalsha`, to run it inside a pipeline)."""

    async def __call__(self, keys: Sequence[str] | None = None,
                       args: Sequence[Value] | None = None) -> Any:
        """Run the script. The reply's shape is the script's own (Lua integers become ``int``,
        strings ``str``, tables lists), so the caller that wrote the script reads it."""


class StrPipeline(Protocol):
    """An asyncio pipeline: each command is queued (and returns the pipeline) until
    :meth:`execute` sends them in one round trip."""

    def __len__(self) -> int:
        """How many commands are queued."""

    def evalsha(self, sha: str, numkeys: int, *keys_and_args: Value) -> StrPipeline:
        """Queue EVALSHA of a registered script (:attr:`StrScript.sha`). Unlike calling the
        script with ``client=pipe``, this sends no SCRIPT EXISTS first; a script Redis does not
        hold replies ``NoScriptError``, which the caller handles."""

    def expire(self, name: str, time: int) -> StrPipeline:
        """Queue EXPIRE."""

    def hgetall(self, name: str) -> StrPipeline:
        """Queue HGETALL."""

    def hincrby(self, name: str, key: str, amount: int = 1) -> StrPipeline:
        """Queue HINCRBY."""

    def hmget(self, name: str, keys: Sequence[str], *args: str) -> StrPipeline:
        """Queue HMGET."""

    def hset(self, name: str, key: str | None = None, value: Value | None = None,
             mapping: Mapping[str, Value] | None = None) -> StrPipeline:
        """Queue HSET."""

    def lrange(self, name: str, start: int, end: int) -> StrPipeline:
        """Queue LRANGE."""

    def publish(self, channel: str, message: str) -> StrPipeline:
        """Queue PUBLISH."""

    def xadd(self, name: str, fields: Mapping[str, Value], id: str = "*",
             maxlen: int | None = None, approximate: bool = True) -> StrPipeline:
        """Queue XADD."""

    def zcard(self, name: str) -> StrPipeline:
        """Queue ZCARD."""

    def zcount(self, name: str, min: Score, max: Score) -> StrPipeline:
        """Queue ZCOUNT."""

    def zrange(self, name: str, start: int, end: int) -> StrPipeline:
        """Queue ZRANGE."""

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        """Send the queued commands; their replies in order. Each reply has the type the same
        command has on :class:`AsyncRedis`; a list cannot say which is where, so the caller
        that queued them reads them."""


class AsyncRedis(Protocol):
    """An asyncio client created with ``decode_responses=True`` (gateway, privacy jobs), as
    the code uses it. Obtain one with :func:`str_replies`."""

    connection_pool: redis.asyncio.ConnectionPool

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        """Close the client (and its pool, by default when the client created it)."""

    async def ping(self) -> bool:
        """PING: ``True`` when the server answers."""

    def pipeline(self, transaction: bool = True) -> StrPipeline:
        """A pipeline (MULTI/EXEC around it when ``transaction``)."""

    def pubsub(self, *, ignore_subscribe_messages: bool = False) -> StrPubSub:
        """A subscription object on its own connection."""

    def register_script(self, script: str) -> StrScript:
        """A callable Lua script."""

    def scan_iter(self, match: str | None = None, count: int | None = None,
                  _type: str | None = None) -> AsyncIterator[str]:
        """The keys matching ``match`` (SCAN, ``count`` per round trip), optionally of one
        type only."""

    # Keys
    async def delete(self, *names: str) -> int:
        """DEL: how many of the keys existed."""

    async def exists(self, *names: str) -> int:
        """EXISTS: how many of the keys exist."""

    async def expire(self, name: str, time: int) -> bool:
        """EXPIRE in seconds: ``False`` when the key does not exist."""

    async def ttl(self, name: str) -> int:
        """TTL in seconds; -1 without expiry, -2 when the key does not exist."""

    async def type(self, name: str) -> str:
        """TYPE: ``string``, ``hash``, ``stream``… or ``none``."""

    # Strings
    async def get(self, name: str) -> str | None:
        """GET."""

    async def set(self, name: str, value: Value, *, px: int | None = None,
                  nx: bool = False) -> bool | None:
        """SET: ``True``, or ``None`` when ``nx`` and the key exists."""

    # Hashes
    async def hdel(self, name: str, *keys: str) -> int:
        """HDEL: how many fields were removed."""

    async def hexists(self, name: str, key: str) -> bool:
        """HEXISTS."""

    async def hget(self, name: str, key: str) -> str | None:
        """HGET."""

    async def hgetall(self, name: str) -> dict[str, str]:
        """HGETALL (empty when the key does not exist)."""

    async def hset(self, name: str, key: str | None = None, value: Value | None = None,
                   mapping: Mapping[str, Value] | None = None) -> int:
        """HSET one field and/or a mapping: how many fields are new."""

    async def hsetnx(self, name: str, key: str, value: Value) -> int:
        """HSETNX: 1 when the field was set, 0 when it existed."""

    # Lists
    async def lrange(self, name: str, start: int, end: int) -> list[str]:
        """LRANGE (``end`` inclusive, -1 for the last)."""

    async def rpush(self, name: str, *values: Value) -> int:
        """RPUSH: the list's new length."""

    # Sorted sets
    async def zadd(self, name: str, mapping: Mapping[str, float]) -> int:
        """ZADD members with their scores: how many are new."""

    async def zrangebyscore(self, name: str, min: Score, max: Score) -> list[str]:
        """ZRANGEBYSCORE: members, lowest score first."""

    async def zrem(self, name: str, *values: str) -> int:
        """ZREM: how many members were removed."""

    async def zremrangebyscore(self, name: str, min: Score, max: Score) -> int:
        """ZREMRANGEBYSCORE: how many members were removed."""

    async def zrevrange(self, name: str, start: int, end: int) -> list[str]:
        """ZREVRANGE: members, highest score first."""

    async def zscore(self, name: str, value: str) -> float | None:
        """ZSCORE (``None`` when not a member)."""

    # Streams
    async def xadd(self, name: str, fields: Mapping[str, Value], id: str = "*",
                   maxlen: int | None = None, approximate: bool = True) -> str:
        """XADD: the new entry's id."""

    async def xdel(self, name: str, *ids: str) -> int:
        """XDEL: how many entries were removed."""

    async def xrange(self, name: str, min: str = "-", max: str = "+",
                     count: int | None = None) -> list[StreamEntry]:
        """XRANGE: entries, oldest first."""

    async def xread(self, streams: Mapping[str, str], count: int | None = None,
                    block: int | None = None) -> list[StreamBatch]:
        """XREAD after the given ids: empty when ``block`` ms passed with nothing new."""

    async def xrevrange(self, name: str, max: str = "+", min: str = "-",
                        count: int | None = None) -> list[StreamEntry]:
        """XREVRANGE: entries, newest first."""

    async def xtrim(self, name: str, maxlen: int | None = None, approximate: bool = True,
                    minid: str | None = None) -> int:
        """XTRIM by length or by oldest id kept: how many entries were removed."""

    # Pub/sub
    async def publish(self, channel: str, message: str) -> int:
        """PUBLISH: how many subscribers received it."""


def decoded_text(reply: bytes | str) -> str:
    """A blocking client's reply as ``str`` (it already is one when the client decodes)."""
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply


def decoded(reply: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    """A blocking client's hash or stream-entry reply with ``str`` keys and values."""
    return {decoded_text(key): decoded_text(value) for key, value in reply.items()}


def str_replies(client: redis.asyncio.Redis) -> AsyncRedis:
    """``client`` as an :class:`AsyncRedis`, after checking it decodes replies to ``str``.

    This is the one place that casts: redis-py's annotations cannot express what
    ``decode_responses=True`` does, and the test of this module checks the protocol against
    the real client instead. Raises ``ValueError`` for a client that returns ``bytes``."""
    if not client.get_encoder().decode_responses:
        raise ValueError("the Redis client must be created with decode_responses=True")
    return cast(AsyncRedis, client)
