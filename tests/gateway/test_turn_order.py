"""Two messages of one conversation on two gateway instances reach Rasa one at a time and in the
order they were stored (issue 12: Rasa's Redis lock store races across Rasa instances, so the
gateway must never send it two turns of one conversation at once)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import redis
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.rasa_transport import HttpxTransport
from gateway.settings import Settings
from gateway.turn_order import Receiver
from privacy.refs import conversation_ref
from records.analytics import AnalyticsKeys
from tests.gateway.conftest import gateway_settings, new_conversation, run, runtime_of


class SlowRasa:
    """A scripted Rasa shared by both instances: records when each turn starts and ends."""

    def __init__(self, slow_text: str, seconds: float) -> None:
        self.slow_text = slow_text
        self.seconds = seconds
        self.spans: list[tuple[str, float, float]] = []
        self.lock = threading.Lock()
        # With ``hold``, the slow text is answered only once it is set (``arrived`` says the
        # slow call has come): a test then orders events without guessing at timings.
        self.hold: threading.Event | None = None
        self.arrived = threading.Event()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer a webhook call after a pause, recording its span."""
        if request.url.path != "/webhooks/rest/webhook":
            return httpx.Response(200, json={})
        text = json.loads(request.content)["message"]
        start = time.monotonic()
        if text == self.slow_text and self.hold is not None:
            self.arrived.set()
            while not self.hold.is_set():
                await asyncio.sleep(0.01)
        else:
            await asyncio.sleep(self.seconds if text == self.slow_text else 0.01)
        with self.lock:
            self.spans.append((text, start, time.monotonic()))
        return httpx.Response(200, json=[{"text": f"echo: {text}"}])


@pytest.fixture
def shared(redis_url: str) -> Settings:
    return gateway_settings(redis_url, rasa_timeout_seconds=3.0)


@pytest.fixture
def two(shared: Settings) -> Iterator[tuple[TestClient, TestClient, SlowRasa]]:
    rasa = SlowRasa("first", 0.6)
    with TestClient(create_app(shared)) as one, TestClient(create_app(shared)) as other:
        for client in (one, other):
            runtime_of(client).rasa.transport = HttpxTransport.mocked(rasa.handler)
        yield one, other, rasa


def assert_in_order_without_overlap(rasa: SlowRasa, texts: list[str]) -> None:
    assert [text for text, _, _ in rasa.spans] == texts
    for (_, _, end), (_, start, _) in zip(rasa.spans, rasa.spans[1:], strict=False):
        assert start >= end, rasa.spans


def test_messages_sent_to_two_instances_are_answered_one_at_a_time_in_order(
        two: tuple[TestClient, TestClient, SlowRasa]) -> None:
    """'first' (a slow turn) on instance one, 'second' on instance two 100 ms later: Rasa sees
    'second' only after 'first' has finished, and both replies are stored."""
    one, other, rasa = two
    cid = new_conversation(one)
    results: dict[str, int] = {}

    def send(client: TestClient, text: str) -> None:
        response = client.post(f"/api/conversations/{cid}/messages", json={"text": text})
        results[text] = response.status_code

    first = threading.Thread(target=send, args=(one, "first"))
    first.start()
    time.sleep(0.1)
    send(other, "second")
    first.join()
    assert results == {"first": 200, "second": 200}
    assert_in_order_without_overlap(rasa, ["first", "second"])
    texts = [m["text"] for m in one.get(f"/api/conversations/{cid}/messages").json()["messages"]]
    assert texts == ["first", "second", "echo: first", "echo: second"]


def test_a_later_message_whose_turn_starts_first_waits_for_the_earlier_one(
        two: tuple[TestClient, TestClient, SlowRasa]) -> None:
    """Both messages stored; the later one's turn starts first on instance two, the earlier
    one's 200 ms later on instance one: Rasa still sees them in stored order."""
    one, other, rasa = two
    rasa.slow_text = "none"
    cid = new_conversation(one)
    turns_one, turns_two = runtime_of(one).turns, runtime_of(other).turns
    early = run(one, lambda: turns_one.accept(cid, "earlier", None))
    late = run(other, lambda: turns_two.accept(cid, "later", None))

    def respond_late() -> None:
        run(other, lambda: turns_two.respond(late))

    waiting = threading.Thread(target=respond_late)
    waiting.start()
    time.sleep(0.2)
    run(one, lambda: turns_one.respond(early))
    waiting.join()
    assert_in_order_without_overlap(rasa, ["earlier", "later"])


def test_a_turn_reads_the_conversation_once_it_holds_the_turn(
        two: tuple[TestClient, TestClient, SlowRasa]) -> None:
    """The conversation's state that decides a turn is read when the turn is taken, not when
    the message was stored: an adviser who takes the conversation while a later message waits
    behind a slow earlier one gets that message; it never reaches the bot."""
    one, other, rasa = two
    rasa.slow_text = "earlier"
    rasa.hold = threading.Event()  # the earlier turn stays with Rasa until the adviser has it
    cid = new_conversation(one)
    turns_one, turns_two = runtime_of(one).turns, runtime_of(other).turns
    early = run(one, lambda: turns_one.accept(cid, "earlier", None))
    late = run(other, lambda: turns_two.accept(cid, "later", None))
    assert late.meta.mode == "bot"

    def respond_early() -> None:
        run(one, lambda: turns_one.respond(early))

    slow = threading.Thread(target=respond_early)
    slow.start()
    assert rasa.arrived.wait(10)  # the earlier turn is with Rasa
    late_replies: list[object] = []

    def respond_late() -> None:
        late_replies.extend(run(other, lambda: turns_two.respond(late)))

    waiting = threading.Thread(target=respond_late)
    waiting.start()
    time.sleep(0.1)  # usually waiting behind it by now; if not, it reads the mode later anyway
    run(one, lambda: runtime_of(one).conversations.set(cid, mode="adviser", adviser="sam"))
    rasa.hold.set()
    slow.join()
    waiting.join()
    assert [text for text, _, _ in rasa.spans] == ["earlier"]
    assert late_replies == []


def test_a_turn_is_answered_after_redis_forgot_its_scripts(
        two: tuple[TestClient, TestClient, SlowRasa], sync_redis: redis.Redis) -> None:
    """After Redis loses its script cache (a restart, or a failover to a replica), the next
    turn still takes its turn, reads the conversation and is answered, and so is the one after."""
    one, _other, rasa = two
    rasa.slow_text = "none"
    cid = new_conversation(one)
    assert one.post(f"/api/conversations/{cid}/messages", json={"text": "a"}).status_code == 200
    sync_redis.script_flush()
    for text in ("b", "c"):
        response = one.post(f"/api/conversations/{cid}/messages", json={"text": text})
        assert response.status_code == 200, response.text
        assert [m["text"] for m in response.json()["messages"]] == [f"echo: {text}"]
    assert [text for text, _, _ in rasa.spans] == ["a", "b", "c"]


def test_writes_sent_with_the_first_attempt_go_once_even_when_the_turn_waits(
        two: tuple[TestClient, TestClient, SlowRasa], sync_redis: redis.Redis) -> None:
    """What a turn sends with its first attempt (``first``: the message's analytics entry) is
    written once, at once, even when the turn then waits for an earlier one and tries again,
    and its replies reach the receiver."""
    one, other, rasa = two
    rasa.slow_text = "earlier"
    cid = new_conversation(one)
    turns_one, turns_two = runtime_of(one).turns, runtime_of(other).turns
    early = run(one, lambda: turns_one.accept(cid, "earlier", None))
    late = run(other, lambda: turns_two.accept(cid, "later", None))
    key = f"{runtime_of(other).settings.redis_key_prefix}first-writes:{cid}"
    received: list[object] = []

    def first(pipe: Any) -> Receiver:
        pipe.hincrby(key, "n", 1)
        return received.append

    async def late_turn() -> None:
        async with turns_two.order.turn(cid, late.message.id, first=first):
            received.append(sync_redis.hget(key, "n"))

    slow = threading.Thread(target=lambda: run(one, lambda: turns_one.respond(early)))
    slow.start()
    time.sleep(0.2)  # the earlier turn is with Rasa: the later one waits, trying again
    assert sync_redis.hget(key, "n") is None
    run(other, late_turn)
    slow.join()
    assert received == [[1], "1"]
    sync_redis.delete(key)


def test_each_new_message_gets_one_analytics_entry(
        two: tuple[TestClient, TestClient, SlowRasa], sync_redis: redis.Redis) -> None:
    """A message's analytics entry travels with its turn's first round trip: each message a
    citizen sends is recorded once, also when it arrives while the turn before is still with
    the bot (written at once, not after that turn), and a resent one (same ``client_id``)
    not again."""
    one, _other, rasa = two
    rasa.slow_text = "first"
    cid = new_conversation(one)
    runtime = runtime_of(one)
    with one.websocket_connect(f"/ws/conversations/{cid}") as ws:
        ws.send_json({"type": "resume", "after": None})
        ws.send_json({"type": "message", "text": "first", "client_id": "m1"})
        ws.send_json({"type": "message", "text": "second", "client_id": "m2"})
        ws.send_json({"type": "message", "text": "second", "client_id": "m2"})
        acks = 0
        while acks < 3:
            acks += ws.receive_json()["type"] == "ack"
        time.sleep(0.2)  # "first" is with the bot; "second" waits for its turn
        assert recorded(sync_redis, runtime.settings.redis_key_prefix, cid) == ["first", "second"]
        bot = 0
        while bot < 2:
            frame = ws.receive_json()
            bot += frame["type"] == "message" and frame["message"]["role"] == "bot"
    assert recorded(sync_redis, runtime.settings.redis_key_prefix, cid) == ["first", "second"]


def recorded(sync_redis: redis.Redis, prefix: str, cid: str) -> list[str]:
    """The texts of a conversation's ``citizen_message`` analytics entries, in order."""
    entries: list[tuple[str, dict[str, str]]] = sync_redis.xrange(  # type: ignore[assignment]
        AnalyticsKeys(prefix).events)
    return [fields["text"] for _, fields in entries if fields["kind"] == "citizen_message"
            and fields["conversation_ref"] == conversation_ref(cid)]
