"""Callback requests through their one owner (records.callbacks), on a real Redis.

What must hold: the bot's writer and the console's reader agree on one record, with the
status stored exactly as shown ("open", then "done"), never translated; a bad status is
refused and changes nothing; deleting removes the hash and the index entry.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import redis
import redis.asyncio

from records.callbacks import (
    CallbackKeys,
    CallbackRequest,
    create_callback,
    delete_callback,
    list_callbacks,
    set_status,
)
from records.client import AsyncRedis, str_replies

DETAILS = {
    "name": "Jo",
    "phone": "07700 900123",
    "preferred_time": "tomorrow morning",
    "consent": "yes",
    "conversation_id": "A" * 32,
    "topic": "bins",
}


@pytest.fixture()
def keys() -> CallbackKeys:
    return CallbackKeys(f"t{uuid.uuid4().hex[:8]}:")


@pytest.fixture()
def bot_client(sync_redis: redis.Redis) -> redis.Redis:
    return sync_redis


@pytest.fixture()
async def console_client(redis_url: str) -> AsyncIterator[AsyncRedis]:
    client = str_replies(redis.asyncio.Redis.from_url(redis_url, decode_responses=True))
    yield client
    await client.aclose()


async def test_bot_writes_console_reads_the_same_record(
    keys: CallbackKeys, bot_client: redis.Redis, console_client: AsyncRedis
) -> None:
    made = create_callback(bot_client, keys, DETAILS, ttl_seconds=60)
    assert bot_client.hget(keys.record(made.id), "status") == "open"
    assert 0 < bot_client.ttl(keys.record(made.id)) <= 60
    [listed] = await list_callbacks(console_client, keys)
    assert listed == made
    assert (
        listed.as_dict()["id"] == made.reference and listed.as_dict()["phone"] == DETAILS["phone"]
    )

    done = await set_status(console_client, keys, made.id, "done", "sam")
    assert done is not None and (done.status, done.handled_by) == ("done", "sam")
    assert bot_client.hget(keys.record(made.id), "status") == "done"

    with pytest.raises(ValueError, match="status must be one of"):
        await set_status(console_client, keys, made.id, "waiting", "sam")  # type: ignore[arg-type]
    assert bot_client.hget(keys.record(made.id), "status") == "done"
    assert await set_status(console_client, keys, "CB-NOSUCH", "done", "sam") is None

    assert await delete_callback(console_client, keys, made.id) == 1
    assert await list_callbacks(console_client, keys) == []
    assert bot_client.zcard(keys.index) == 0


def test_a_record_round_trips_through_its_hash() -> None:
    record = CallbackRequest(id="CB-X", reference="CB-X", created=12.5, **DETAILS)
    assert CallbackRequest.from_hash("CB-X", record.to_hash()) == record
    assert "id" not in record.to_hash()
