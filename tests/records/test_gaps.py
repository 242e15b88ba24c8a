"""The gap stream through its one owner (records.gaps), on a real Redis.

What must hold: the gateway's writer (asyncio) and the editor's writer (blocking) store the
same fields, capped at the same length, and the one reader reads both back as equal records;
an unknown reason is refused before anything is written; an old entry holding a conversation
id is read with a digest of it, never the id itself.
"""

from __future__ import annotations

import uuid

import pytest
import redis
import redis.asyncio

from records.client import str_replies
from records.gaps import (
    MAX_QUESTION_CHARS,
    GapEntry,
    GapKeys,
    append_gap,
    append_gap_async,
    read_gap_entries,
)


async def test_both_writers_store_what_the_reader_reads(redis_url: str) -> None:
    keys = GapKeys(f"t{uuid.uuid4().hex[:8]}:")
    sync_client = redis.Redis.from_url(redis_url, decode_responses=True)
    async_client = str_replies(redis.asyncio.Redis.from_url(redis_url, decode_responses=True))
    try:
        long_question = "where do I take " + "old paint " * 200
        from_gateway = GapEntry.new(long_question, "abstained", "ref-1")
        from_editor = GapEntry.new(
            "  can I burn garden waste  ", "not_helpful", "ref-2", "bonfires"
        )
        first = await append_gap_async(async_client, keys, from_gateway)
        second = append_gap(sync_client, keys, from_editor)
        newest, oldest = read_gap_entries(sync_client, keys)
        assert (newest.id, oldest.id) == (second, first)
        assert len(oldest.question) == MAX_QUESTION_CHARS
        assert oldest == GapEntry(**{**from_gateway.as_dict(), "id": first})
        assert newest.question == "can I burn garden waste" and newest.article_id == "bonfires"
        assert sync_client.xinfo_stream(keys.stream)["length"] == 2
    finally:
        sync_client.delete(keys.stream)
        sync_client.close()
        await async_client.aclose()


def test_bad_reason_is_refused_and_old_entries_hide_the_conversation_id() -> None:
    with pytest.raises(ValueError, match="reason must be one of"):
        GapEntry.new("anything", "bored", "ref")
    old = {"question": "bins", "reason": "abstained", "conversation_id": "A" * 32, "ts": "1.5"}
    entry = GapEntry.from_fields("1-0", old, digest=lambda cid: f"digest-of-{len(cid)}")
    assert entry is not None and entry.conversation_ref == "digest-of-32"
    assert "A" * 32 not in str(entry.as_dict())
    assert GapEntry.from_fields("2-0", {**old, "reason": "bored"}) is None


async def test_a_picked_entry_keeps_the_part_the_citizen_chose(redis_url: str) -> None:
    """What must hold: a "picked" entry names the section the citizen chose and reads back
    with it; a "picked" entry without one, or a section on any other reason, is refused
    before anything is written."""
    keys = GapKeys(f"t{uuid.uuid4().hex[:8]}:")
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        entry = GapEntry.new("how do I apply for a blue badge", "picked", "ref-1", "blue-badge",
                             "blue-badge#(introduction)")
        append_gap(client, keys, entry)
        [read] = read_gap_entries(client, keys)
        assert (read.reason, read.section, read.article_id) == (
            "picked", "blue-badge#(introduction)", "blue-badge")
        with pytest.raises(ValueError, match="names the section"):
            GapEntry.new("q", "picked", "ref-1")
        with pytest.raises(ValueError, match="names the section"):
            GapEntry.new("q", "abstained", "ref-1", section="blue-badge#(introduction)")
        assert client.xlen(keys.stream) == 1
    finally:
        client.delete(keys.stream)
        client.close()
