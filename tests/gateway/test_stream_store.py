"""The stream store on the real Redis: dedupe, holder checks, expiry, and a tail that outlives
Redis socket timeouts (a citizen may sit idle for minutes)."""

from __future__ import annotations

import asyncio
import secrets

from redis.asyncio import Redis

from gateway.messages import ConversationMissing, MessageStore, NotHolder
from gateway.settings import Settings
from records.client import AsyncRedis, str_replies


def store_for(redis_url: str,
              socket_timeout: float | None = None) -> tuple[MessageStore, AsyncRedis]:
    settings = Settings(redis_url=redis_url, redis_key_prefix=f"s{secrets.token_hex(4)}:",
                        editor_enabled=False, transcript_retention_days=1)
    redis = str_replies(Redis.from_url(redis_url, decode_responses=True,
                                        socket_timeout=socket_timeout))
    return MessageStore(redis, settings), redis


async def make_conversation(store: MessageStore, cid: str, **fields: str) -> None:
    await store.redis.hset(store.settings.key("conv", cid), mapping={"mode": "bot", **fields})


async def test_append_dedupes_per_role_and_client_id(redis_url: str) -> None:
    store, redis = store_for(redis_url)
    cid = "C" * 32
    await make_conversation(store, cid)
    first = await store.append(cid, "citizen", "hello", client_id="k")
    again = await store.append(cid, "citizen", "hello", client_id="k")
    other_role = await store.append(cid, "adviser", "hello", client_id="k", author="Sam (adviser)")
    assert again.duplicate and again.message.id == first.message.id
    assert not other_role.duplicate
    assert [m.id for m in await store.history(cid)] == [first.message.id, other_role.message.id]
    ttl = await redis.ttl(store.stream_key(cid))
    assert 86000 < ttl <= 86400
    await redis.aclose()


async def test_append_refuses_missing_conversation_and_non_holder(redis_url: str) -> None:
    store, redis = store_for(redis_url)
    try:
        await store.append("D" * 32, "citizen", "hi")
        raise AssertionError("stored into a conversation that does not exist")
    except ConversationMissing:
        pass
    cid = "E" * 32
    await make_conversation(store, cid, mode="adviser", adviser="sam")
    try:
        await store.append(cid, "adviser", "hi", holder="kim")
        raise AssertionError("stored for an adviser who does not hold the conversation")
    except NotHolder:
        pass
    assert (await store.append(cid, "adviser", "hi", holder="sam")).duplicate is False
    assert len(await store.history(cid)) == 1
    assert not await redis.exists(store.stream_key("D" * 32))
    await redis.aclose()


async def test_tail_survives_idle_longer_than_the_socket_timeout(redis_url: str) -> None:
    store, redis = store_for(redis_url, socket_timeout=0.5)
    cid = "F" * 32
    await make_conversation(store, cid)
    first = await store.append(cid, "citizen", "one")
    received: list[str] = []

    async def follow() -> None:
        async for message in store.tail(cid, None, block_ms=2000):
            received.append(message.text)
            if len(received) == 2:
                return

    task = asyncio.create_task(follow())
    await asyncio.sleep(2.5)  # several socket timeouts pass while the reader waits
    await store.append(cid, "adviser", "two")
    await asyncio.wait_for(task, 10)
    assert received == ["one", "two"]
    assert first.message.text == "one"
    await redis.aclose()
