"""The typed Redis client (records.client) against redis-py's real client and a real Redis.

What must hold: every member the protocols declare exists on the client the gateway's own
factory (``gateway.redis_client.connect``) returns, with parameters the real method accepts in
the same places; every declared command, run on a real redis-server, replies with a value of
the declared type (``str``, never ``bytes``); a pipeline's replies have the types the same
commands have on the client; and a client that would return ``bytes`` is refused.
"""

from __future__ import annotations

import inspect
import secrets
import types
import typing
from collections.abc import AsyncIterator
from typing import Any

import pytest
import redis.asyncio

from gateway.redis_client import connect
from gateway.settings import Settings
from records.client import (
    AsyncRedis,
    PubSubMessage,
    StrPipeline,
    StrPubSub,
    StrScript,
    str_replies,
)


def declared(protocol: type) -> set[str]:
    """The members a protocol declares (methods, ``__call__`` and attributes)."""
    names = {name for name in vars(protocol) if not name.startswith("_") or name == "__call__"}
    return names | set(getattr(protocol, "__annotations__", {}))


def conforms(value: object, hint: object) -> bool:
    """Whether ``value`` is of the annotated type (the types the protocols use)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return True
    if hint is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(conforms(value, arg) for arg in args)
    if hint in (str, bytes, float, bool):
        return type(value) is hint
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is list:
        return isinstance(value, list) and all(conforms(item, args[0]) for item in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items())
    if origin is tuple:  # a pair may arrive as a two-item list (XREAD's stream batches)
        return (isinstance(value, tuple | list) and len(value) == len(args)
                and all(conforms(item, arg) for item, arg in zip(value, args, strict=True)))
    if typing.is_typeddict(hint):
        fields = typing.get_type_hints(hint)
        return (isinstance(value, dict) and set(value) == set(fields)
                and all(conforms(value[k], fields[k]) for k in fields))
    raise TypeError(f"the test cannot check {hint!r}")


def returns(protocol: type, name: str) -> object:
    """The declared return type of a protocol method."""
    return typing.get_type_hints(getattr(protocol, name))["return"]


def signature_problems(protocol: type, real: object) -> list[str]:
    """Where a protocol's members and the real object's disagree (empty when they agree)."""
    problems = []
    for name in sorted(declared(protocol)):
        if not hasattr(real, name):
            problems.append(f"{protocol.__name__}.{name}: redis-py's {type(real).__name__} "
                            "has no such member")
            continue
        wanted = getattr(protocol, name, None)
        if not callable(wanted):
            continue
        mine = list(inspect.signature(wanted).parameters.values())[1:]  # without self
        theirs = list(inspect.signature(getattr(real, name)).parameters.values())
        by_name = {p.name: p for p in theirs}
        positional = [p for p in theirs if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        has_var_kw = any(p.kind is p.VAR_KEYWORD for p in theirs)
        has_var_pos = any(p.kind is p.VAR_POSITIONAL for p in theirs)
        for index, param in enumerate(mine):
            where = f"{protocol.__name__}.{name}({param.name})"
            if param.kind is param.POSITIONAL_OR_KEYWORD:
                if index >= len(positional) or positional[index].name != param.name:
                    problems.append(f"{where}: redis-py has another parameter in place {index}")
            elif param.kind is param.VAR_POSITIONAL:
                if not has_var_pos:
                    problems.append(f"{where}: redis-py takes no *args")
            elif param.kind is param.KEYWORD_ONLY:
                other = by_name.get(param.name)
                if other is None and not has_var_kw:
                    problems.append(f"{where}: redis-py has no such keyword")
                elif other is not None and other.kind in (other.POSITIONAL_ONLY,
                                                          other.VAR_POSITIONAL):
                    problems.append(f"{where}: redis-py does not take it by keyword")
        names = {p.name for p in mine}
        for other in theirs:
            required = other.default is other.empty and other.kind in (
                other.POSITIONAL_ONLY, other.POSITIONAL_OR_KEYWORD, other.KEYWORD_ONLY)
            if required and other.name not in names:
                problems.append(f"{protocol.__name__}.{name}: redis-py requires {other.name}")
    return problems


@pytest.fixture()
async def client(redis_url: str) -> AsyncIterator[AsyncRedis]:
    """The gateway's client, made by the gateway's own factory."""
    made = connect(Settings(redis_url=redis_url, editor_enabled=False))
    yield made
    await made.aclose()


async def test_every_declared_member_exists_on_the_real_client(client: AsyncRedis) -> None:
    assert isinstance(client, redis.asyncio.Redis)
    assert isinstance(client.connection_pool, redis.asyncio.ConnectionPool)
    pipe, pubsub = client.pipeline(transaction=False), client.pubsub()
    script = client.register_script("return 1")
    problems = (signature_problems(AsyncRedis, client) + signature_problems(StrPipeline, pipe)
                + signature_problems(StrPubSub, pubsub) + signature_problems(StrScript, script))
    await pubsub.aclose()
    assert problems == []


def test_the_signature_check_catches_a_member_redis_py_lacks() -> None:
    class Wrong(typing.Protocol):
        async def hget(self, key: str, name: str) -> str | None: ...

        async def hgetx(self, name: str) -> str: ...

    real = redis.asyncio.Redis()
    assert signature_problems(Wrong, real) == [
        "Wrong.hget(key): redis-py has another parameter in place 0",
        "Wrong.hget(name): redis-py has another parameter in place 1",
        "Wrong.hgetx: redis-py's Redis has no such member",
    ]


async def test_every_command_replies_with_its_declared_type(client: AsyncRedis) -> None:
    p = f"tc{secrets.token_hex(4)}:"
    text, hsh, lst, zset, stream = (p + name for name in ("s", "h", "l", "z", "x"))
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = [
        ("ping", (), {}),
        ("set", (text, "v"), {}),
        ("set", (text, "w"), {"nx": True}),
        ("set", (p + "lock", "t"), {"nx": True, "px": 60_000}),
        ("get", (text,), {}),
        ("get", (p + "missing",), {}),
        ("type", (text,), {}),
        ("ttl", (text,), {}),
        ("expire", (text, 60), {}),
        ("exists", (text, p + "missing"), {}),
        ("hset", (hsh,), {"mapping": {"a": "1", "n": 2, "f": 0.5}}),
        ("hset", (hsh, "b", "x"), {}),
        ("hsetnx", (hsh, "c", "y"), {}),
        ("hget", (hsh, "n"), {}),
        ("hget", (hsh, "nope"), {}),
        ("hgetall", (hsh,), {}),
        ("hexists", (hsh, "a"), {}),
        ("hdel", (hsh, "b", "c"), {}),
        ("rpush", (lst, "a", 2), {}),
        ("lrange", (lst, 0, -1), {}),
        ("zadd", (zset, {"m": 1.5, "n": 3}), {}),
        ("zscore", (zset, "m"), {}),
        ("zscore", (zset, "nope"), {}),
        ("zrangebyscore", (zset, "-inf", "+inf"), {}),
        ("zrevrange", (zset, 0, -1), {}),
        ("zremrangebyscore", (zset, "-inf", 2), {}),
        ("zrem", (zset, "n"), {}),
        ("xadd", (stream, {"f": "v", "n": 1}), {}),
        ("xadd", (stream, {"f": "w"}), {"maxlen": 10, "approximate": False}),
        ("xrange", (stream,), {}),
        ("xrange", (stream, "-", "+"), {"count": 1}),
        ("xrevrange", (stream,), {"count": 1}),
        ("xread", ({stream: "0-0"},), {"count": 10}),
        ("xread", ({stream: "$"},), {"block": 10}),
        ("xdel", (stream, "1-1"), {}),
        ("xtrim", (stream,), {"minid": "0-1", "approximate": False}),
        ("publish", (p + "channel", "hello"), {}),
        ("delete", (text, hsh, lst, zset, stream, p + "lock"), {}),
    ]
    special = {"aclose", "pipeline", "pubsub", "register_script", "scan_iter", "connection_pool"}
    assert {name for name, _, _ in calls} | special == declared(AsyncRedis), \
        "every command of the protocol needs a round trip here"
    await client.xadd(stream, {"seed": "1"})
    wrong = []
    for name, args, kwargs in calls:
        reply = await getattr(client, name)(*args, **kwargs)
        if not conforms(reply, returns(AsyncRedis, name)):
            wrong.append(f"{name}{args}: {reply!r} is not {returns(AsyncRedis, name)}")
    assert wrong == []


async def test_pipeline_script_scan_and_pubsub_reply_as_declared(client: AsyncRedis) -> None:
    p = f"tc{secrets.token_hex(4)}:"
    await client.hset(p + "h", mapping={"a": "1"})
    await client.rpush(p + "l", "x")
    await client.zadd(p + "z", {"m": 1})
    loaded = client.register_script("return {KEYS[1], tonumber(ARGV[1]) + 1}")
    assert await loaded(keys=[p + "k"], args=[41]) == [p + "k", 42]  # now Redis holds it
    pipe = client.pipeline(transaction=False)
    queued = [
        ("evalsha", (loaded.sha, 1, p + "k", 41)),
        ("expire", (p + "h", 60)), ("hgetall", (p + "h",)), ("hincrby", (p + "h", "n", 2)),
        ("hmget", (p + "h", ["a", "n"], "nope")), ("hset", (p + "h", "b", "2")),
        ("lrange", (p + "l", 0, -1)), ("publish", (p + "c", "x")),
        ("xadd", (p + "x", {"f": "v"})), ("zcard", (p + "z",)),
        ("zcount", (p + "z", "-inf", "(2")), ("zrange", (p + "z", 0, -1)),
    ]
    assert {name for name, _ in queued} | {"execute"} == declared(StrPipeline)
    for name, args in queued:
        assert getattr(pipe, name)(*args) is pipe  # queued, not sent
    replies = await pipe.execute()
    assert replies[0] == [p + "k", 42]  # a script's reply is its own shape
    # commands the client itself does not declare
    typed_here = {"evalsha": list[str | int], "hincrby": int, "hmget": list[str | None],
                  "zcard": int, "zcount": int, "zrange": list[str]}
    for (name, args), reply in zip(queued, replies, strict=True):
        hint = typed_here.get(name) or returns(AsyncRedis, name)
        assert conforms(reply, hint), f"{name}{args}: {reply!r} is not {hint}"

    script = client.register_script("return {KEYS[1], tonumber(ARGV[1]) + 1}")
    assert await script(keys=[p + "k"], args=[41]) == [p + "k", 42]

    keys = [key async for key in client.scan_iter(match=p + "*", count=100)]
    assert sorted(keys) == sorted(p + name for name in ("h", "l", "z", "x"))
    assert [key async for key in client.scan_iter(match=p + "*", _type="list")] == [p + "l"]

    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.psubscribe(p + "events:*")
    await client.publish(p + "events:one", "payload")
    message: PubSubMessage | None = None
    for _ in range(20):
        message = await pubsub.get_message(timeout=0.5)
        if message is not None:
            break
    await pubsub.aclose()
    assert message is not None and conforms(message, PubSubMessage)
    assert (message["channel"], message["data"]) == (p + "events:one", "payload")
    await client.delete(*keys)


async def test_a_client_returning_bytes_is_refused(redis_url: str) -> None:
    raw = redis.asyncio.Redis.from_url(redis_url)
    with pytest.raises(ValueError, match="decode_responses=True"):
        str_replies(raw)
    await raw.aclose()
