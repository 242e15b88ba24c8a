"""Personal data through the real stack (Redis, Rasa with its tracker store, action server,
gateway): the slot-event test and the erasure scan of issue 11.

What must hold:
- a card or NI number typed as the answer to a form question never reaches Rasa's stored
  tracker, not even in a slot event, while the form is still running; after both forms are
  done, the tracker holds none of the personal values the citizen gave (the callback request
  and the case keep what the service needs);
- after the citizen erases the conversation, no Redis key name or value anywhere holds the
  conversation id or any personal value given in it (transcript, queue, callback, case,
  analytics and gap entries, tracker, lock); the audit entry says what was erased, with counts;
- no process's log (gateway, Rasa, action server) prints the full conversation id.
"""

from __future__ import annotations

import asyncio
import json
import re
import uuid

import httpx
import pytest
import redis
import websockets

from privacy.refs import conversation_ref
from stack.live import LiveStack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# Values no other test uses, so a find in the shared Redis can only come from this one.
NI = "QQ 41 73 29 C"
CARD = "4000 0566 5566 5556"
NAME = "Marisol Quennell"
PHONE = "07700 900417"
EMAIL = "marisol.q417@example.com"
POSTCODE = "MB9 4ZT"
ADDRESS = "41 Larkspur Crescent"
DOB = "17/08/1983"
PERSONAL = (NI, "417329", CARD, "4000056655665556", NAME, "Quennell", PHONE, "07700900417",
            EMAIL, POSTCODE, ADDRESS, DOB)


def start(base: str) -> str:
    response = httpx.post(f"{base}/api/conversations", json={}, timeout=10)
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def say(base: str, cid: str, text: str) -> str:
    """Send a message; return the bot's replies as one text."""
    response = httpx.post(f"{base}/api/conversations/{cid}/messages", json={"text": text},
                          timeout=60)
    assert response.status_code == 200, response.text
    return " ".join(m["text"] for m in response.json()["messages"])


async def say_over_socket(base: str, cid: str, text: str) -> None:
    url = base.replace("http://", "ws://") + f"/ws/conversations/{cid}"
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps({"type": "resume", "after": None}))
        await ws.send(json.dumps({"type": "message", "text": text,
                                  "client_id": uuid.uuid4().hex}))
        async with asyncio.timeout(60):
            while json.loads(await ws.recv())["type"] != "ack":
                pass


def everything_in(client: redis.Redis) -> dict[str, str]:
    """Every key with its whole value as text (strings, hashes, lists, sets, zsets, streams)."""
    dump: dict[str, str] = {}
    for key in client.scan_iter(count=1000):
        kind = client.type(key)
        if kind == "string":
            value: object = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        elif kind == "stream":
            value = client.xrange(key)
        else:
            value = kind
        dump[str(key)] = json.dumps(value, default=str)
    return dump


def holds(text: str, needle: str) -> bool:
    """Whether ``text`` holds ``needle``. A needle that starts and ends with a digit counts only
    where no other digit or decimal point is next to it: a stored timestamp whose fraction
    happens to hold the same digits ("1796400858.417329") is not personal data."""
    if needle[:1].isdigit() and needle[-1:].isdigit():
        return re.search(rf"(?<![\d.]){re.escape(needle)}(?!\d)", text) is not None
    return needle in text


def found(dump: dict[str, str], needle: str) -> list[str]:
    return [key for key, value in dump.items() if holds(key, needle) or holds(value, needle)]


def tracker(client: redis.Redis, cid: str) -> str:
    return str(client.get(f"csa:tracker:{cid}") or "")


def test_personal_data_leaves_no_trace_after_erasure(live_stack: LiveStack) -> None:
    base = live_stack.url
    client = redis.Redis.from_url(live_stack.layout.redis_url, decode_responses=True)
    cid = start(base)
    say(base, cid, f"my name is {NAME}, I live at {ADDRESS}, born {DOB}, NI {NI}")
    # the missed-bin form, with an NI number typed where the postcode was asked for
    assert "postcode" in say(base, cid, "my bin wasn't collected").lower()
    say(base, cid, NI)
    stored = tracker(client, cid)
    assert stored, "Rasa stored no tracker"
    assert "missed_bin_form" in stored  # the form is still running...
    assert not holds(stored, NI) and not holds(stored, "417329")  # ...and the NI number is nowhere
    for answer in (POSTCODE, "recycling", "today", "email", EMAIL, "yes"):
        last = say(base, cid, answer)
    assert "reference" in last.lower(), last
    # the callback form, with a card number typed where the phone number was asked for
    say(base, cid, "can someone call me back")
    for answer in (NAME, CARD, PHONE, "morning", "yes"):
        last = say(base, cid, answer)
    assert "callback reference" in last.lower(), last
    asyncio.run(say_over_socket(base, cid, "thanks, that is all"))

    stored = tracker(client, cid)
    leaks = [value for value in PERSONAL if holds(stored, value)]
    assert not leaks, f"Rasa's stored tracker holds {leaks}"
    dump = everything_in(client)
    assert found(dump, "callback:"), "the callback request was not stored"
    assert found(dump, "case:"), "the missed-bin case was not stored"

    erase = httpx.delete(f"{base}/api/conversations/{cid}", timeout=10)
    assert erase.status_code == 204, erase.text
    dump = everything_in(client)
    for needle in (cid, *PERSONAL):
        assert not found(dump, needle), f"{needle!r} survives in {found(dump, needle)}"
    entries: list[tuple[str, dict[str, str]]] = client.xrange("csa:audit:console")  # type: ignore[assignment]
    audits = [fields for _, fields in entries
              if fields.get("action") == "erase"
              and fields.get("conversation_ref") == conversation_ref(cid)]
    assert audits and audits[-1]["callbacks"] == "1" and audits[-1]["cases"] == "1"
    assert audits[-1]["rasa_tracker"] == "deleted"
    assert httpx.get(f"{base}/api/conversations/{cid}/messages", timeout=10).status_code == 404
    leaked_in = [name for name in ("gateway", "rasa", "actions")
                 if cid in live_stack.log_tail(name, 100_000)]
    assert not leaked_in, f"the full conversation id is in the {leaked_in} log"
