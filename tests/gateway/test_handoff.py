"""Handoff end to end in-process: queue, ETA, claim (atomic), reply, transfer, end, hand back."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from gateway.handoff.schedule import OpeningSchedule
from gateway.handoff.service import Adviser
from gateway.settings import WEEKDAYS
from privacy.refs import conversation_ref
from tests.gateway.conftest import (
    ScriptedRasa,
    add_user,
    adviser_online,
    login,
    new_conversation,
    run,
    runtime_of,
    stream_length,
)
from tests.gateway.test_citizen_ws import frames_until

# a resume event, then action_listen so Rasa treats the next message as a fresh turn
RESUME = [{"event": "resume"}, {"event": "action", "name": "action_listen"}]


def ask(client: TestClient, cid: str) -> dict[str, Any]:
    response = client.post(f"/api/conversations/{cid}/handoff", json={"reason": "requested"})
    assert response.status_code == 200, response.text
    return response.json()


def test_request_queues_with_position_eta_and_alternatives(client: TestClient,
                                                           rasa: ScriptedRasa) -> None:
    adviser_online(client)
    first, second = new_conversation(client), new_conversation(client)
    one = ask(client, first)
    two = ask(client, second)
    assert one["mode"] == "queued" and one["state"]["queue_position"] == 1
    assert two["state"]["queue_position"] == 2
    assert two["state"]["eta_seconds"] == 2 * one["state"]["eta_seconds"]
    text = two["messages"][0]["text"]
    assert "number 2" in text and "0300 000 1111" in text and "leave the queue" in text
    client.post(f"/api/conversations/{second}/messages", json={"text": "my email is a@b.org"})
    # the bot keeps answering while the citizen waits
    reply = client.post(f"/api/conversations/{first}/messages", json={"text": "opening hours?"})
    assert reply.json()["mode"] == "queued"
    assert reply.json()["messages"][0]["text"] == "echo: opening hours?"
    # leaving the queue moves the next one up
    left = client.post(f"/api/conversations/{first}/leave_queue").json()
    leftover = new_conversation(client)
    client.post(f"/api/conversations/{leftover}/messages", json={"text": "email me at a@b.org"})
    ask(client, leftover)
    runtime = runtime_of(client)
    gaps = run(client, lambda: runtime.redis.xrange(runtime.settings.key("analytics", "gaps")))
    handoff_gaps = [f for _, f in gaps if f["conversation_ref"] == conversation_ref(leftover)]
    assert handoff_gaps[0]["reason"] == "handoff"
    assert "a@b.org" not in handoff_gaps[0]["question"]  # redacted before it is written
    assert left["mode"] == "bot"
    assert client.get(f"/api/conversations/{second}/state").json()["queue_position"] == 1


def test_out_of_hours_offers_the_callback_form(client: TestClient, rasa: ScriptedRasa) -> None:
    """Issue 14 item 3: out of hours the citizen is told once that advisers are closed, when
    they are back (from the admin's schedule), and the phone line with the schedule's hours;
    then the bot's callback question. Nothing promises an adviser first."""
    runtime = runtime_of(client)
    today = datetime.now(ZoneInfo("Europe/London")).date()
    nine_to_five = {day: [("09:00", "17:00")] for day in WEEKDAYS}
    closed_today = OpeningSchedule(weekly=nine_to_five, bank_holidays=frozenset({today}),
                                   timezone="Europe/London")
    run(client, runtime.schedule.save, closed_today)
    adviser_online(client)
    cid = new_conversation(client)
    body = ask(client, cid)
    assert body["mode"] == "bot" and body["state"]["out_of_hours"] is True
    truth, offer = body["messages"]
    assert truth["role"] == "system" and offer["role"] == "bot"
    assert "closed" in truth["text"] and "back tomorrow at 9am" in truth["text"]
    assert "0300 000 1111 (Every day, 9am to 5pm, closed on bank holidays)" in truth["text"]
    assert "call you back" in truth["text"]
    assert offer["text"].startswith("Nobody is free now")  # the bot's own (scripted) question
    assert ("POST", f"/conversations/{cid}/trigger_intent",
            {"name": "handoff_unavailable", "entities": {}}) in rasa.calls
    info = client.get("/api/service-info").json()
    assert info["opening_hours"] == "Every day, 9am to 5pm, closed on bank holidays"
    assert info["open_now"] is False


def test_bot_handoff_out_of_hours_says_the_truth_once(client: TestClient,
                                                      rasa: ScriptedRasa) -> None:
    """Asking the bot for a person out of hours: no 'I'll find an adviser' before 'closed'."""
    closed = OpeningSchedule(weekly={}, bank_holidays=frozenset(), timezone="Europe/London")
    run(client, runtime_of(client).schedule.save, closed)
    rasa.replies = lambda text: [{"custom": {"handoff": {"reason": "requested",
                                                         "priority": False, "topic": ""}}}]
    cid = new_conversation(client)
    body = client.post(f"/api/conversations/{cid}/messages",
                       json={"text": "I want to talk to a person"}).json()
    texts = [m["text"] for m in body["messages"]]
    assert len([t for t in texts if "closed" in t]) == 1, texts
    assert not any("find an adviser" in t or "no advisers are free" in t.lower() for t in texts)


def test_no_adviser_online_offers_callback_even_when_rasa_is_down(client: TestClient) -> None:
    cid = new_conversation(client)
    body = ask(client, cid)
    assert body["mode"] == "bot"
    assert "0300 000 1111" in body["messages"][0]["text"]


def test_bot_handoff_payload_queues_with_priority(client: TestClient, rasa: ScriptedRasa) -> None:
    adviser_online(client)
    rasa.replies = lambda text: [
        {"text": "I'll get someone to help you now."},
        {"custom": {"handoff": {"reason": "safety", "priority": True, "topic": "housing"}}},
    ]
    calm = new_conversation(client)
    ask(client, calm)
    urgent = new_conversation(client)
    body = client.post(f"/api/conversations/{urgent}/messages",
                       json={"text": "I have nowhere safe to sleep"}).json()
    assert body["mode"] == "queued"
    assert [m["role"] for m in body["messages"]] == ["bot", "system"]
    runtime = runtime_of(client)
    meta = run(client, runtime.conversations.get, urgent)
    assert meta.priority and meta.queue == "safeguarding" and meta.reason == "safety"
    # Rasa had paused itself; the gateway resumed it so the citizen can keep talking while queued
    assert ("POST", f"/conversations/{urgent}/tracker/events", RESUME) in rasa.calls


def test_priority_goes_first_in_every_queue_and_its_wait_is_right(client: TestClient) -> None:
    """Issue 14 item 4: a priority (safety) chat is next for any adviser, whatever its queue,
    so its place is 1 and its wait comes from every queue's recent claims (here one place
    took 60 s in 'general'), not the 5-minute default of its empty queue. Ordinary
    conversations count the priority one ahead of them."""
    runtime = runtime_of(client)
    adviser_online(client)
    first = new_conversation(client)
    ask(client, first)
    backdated = f"{time.time() - 60:.3f}"
    run(client, lambda: runtime.conversations.set(first, queued_at=backdated))
    assert run(client, runtime.queue.claim, first, "sam", "Sam")
    calm = new_conversation(client)
    assert ask(client, calm)["state"]["queue_position"] == 1
    urgent = new_conversation(client)
    run(client, lambda: runtime.handoff.request(urgent, "safety", True, "safety"))
    state = client.get(f"/api/conversations/{urgent}/state").json()
    assert state["queue_position"] == 1
    assert 55 <= state["eta_seconds"] <= 65 and state["wait_text"] == "about 1 minute"
    calm_state = client.get(f"/api/conversations/{calm}/state").json()
    assert calm_state["queue_position"] == 2  # the safety chat is taken first
    assert calm_state["wait_text"] == "about 2 minutes"


def test_priority_goes_first_in_its_queue(client: TestClient) -> None:
    runtime = runtime_of(client)
    cids = [new_conversation(client) for _ in range(3)]
    run(client, runtime.queue.enqueue, cids[0], "general", False, "requested", "")
    run(client, runtime.queue.enqueue, cids[1], "general", False, "failed", "")
    run(client, runtime.queue.enqueue, cids[2], "general", True, "safety", "")
    positions = [run(client, runtime.queue.position, "general", c) for c in cids]
    assert positions == [2, 3, 1]


def test_two_advisers_never_claim_the_same_conversation(client: TestClient) -> None:
    runtime = runtime_of(client)
    adviser_online(client)
    cid = new_conversation(client)
    ask(client, cid)
    advisers = [Adviser(f"adv{i}", f"Adviser {i}") for i in range(20)]

    async def race() -> list[bool]:
        return list(await asyncio.gather(
            *(runtime.queue.claim(cid, a.username, a.public_name) for a in advisers)))

    results = run(client, race)
    assert results.count(True) == 1
    meta = run(client, runtime.conversations.get, cid)
    assert meta.mode == "adviser" and meta.adviser == advisers[results.index(True)].username


def test_full_adviser_flow_over_http(client: TestClient, rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser", "Sam Patel")
    adviser_online(client, "sam")
    cid = new_conversation(client)
    client.post(f"/api/conversations/{cid}/messages", json={"text": "council tax question"})
    ask(client, cid)
    csrf = login(client, "sam")
    headers = {"X-CSRF-Token": csrf}
    queue = client.get("/api/console/queue").json()
    waiting = queue["queues"][0]["waiting"]
    assert [w["conversation_id"] for w in waiting] == [cid]
    assert waiting[0]["reason"] == "requested"
    claimed = client.post(f"/api/console/conversations/{cid}/claim", headers=headers)
    assert claimed.status_code == 200
    again = client.post(f"/api/console/conversations/{cid}/claim", headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "not_waiting"
    # Rasa is told a person took over
    assert ("POST", f"/conversations/{cid}/tracker/events", [{"event": "pause"}]) in rasa.calls
    with client.websocket_connect(f"/ws/conversations/{cid}") as citizen:
        citizen.send_json({"type": "resume", "after": None})
        state = frames_until(citizen, lambda f: f["type"] == "state")[-1]
        assert state["mode"] == "adviser" and state["adviser"] == "Sam"
        sent = client.post(f"/api/console/conversations/{cid}/messages", headers=headers,
                           json={"text": "Hello, I'm Sam.", "client_id": "a1"})
        assert sent.status_code == 201
        got = frames_until(citizen, lambda f: f["type"] == "message"
                           and f["message"]["role"] == "adviser")[-1]["message"]
        assert got["text"] == "Hello, I'm Sam." and got["author"] == "Sam (adviser)"
        calls_before = len(rasa.calls)
        citizen.send_json({"type": "message", "text": "thanks Sam", "client_id": "c9"})
        frames_until(citizen, lambda f: f["type"] == "ack")
    assert len(rasa.calls) == calls_before  # adviser mode: nothing goes to the bot
    note = client.post(f"/api/console/conversations/{cid}/notes", headers=headers,
                       json={"text": "Asked about single person discount"})
    assert note.status_code == 201
    view = client.get(f"/api/console/conversations/{cid}").json()
    assert [m["role"] for m in view["messages"]][-3:] == ["system", "adviser", "citizen"]
    assert view["notes"][0]["text"] == "Asked about single person discount"
    public = client.get(f"/api/conversations/{cid}/messages").json()["messages"]
    assert all("discount" not in m["text"] for m in public)  # notes stay private
    before_end = len(rasa.calls)
    ended = client.post(f"/api/console/conversations/{cid}/end", headers=headers,
                        json={"outcome": "resolved", "hand_back": True})
    assert ended.status_code == 200 and ended.json()["conversation"]["mode"] == "bot"
    # hand back = a resume event only: no action is re-run, the tracker keeps its context
    posted = [c for c in rasa.calls[before_end:] if c[0] == "POST"]
    assert posted == [("POST", f"/conversations/{cid}/tracker/events", RESUME)]
    reply = client.post(f"/api/conversations/{cid}/messages", json={"text": "one more thing"})
    assert reply.json()["mode"] == "bot"
    assert reply.json()["messages"][0]["text"] == "echo: one more thing"


def test_transfer_and_end_without_hand_back(client: TestClient, rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser", "Sam")
    adviser_online(client, "sam")
    cid = new_conversation(client)
    ask(client, cid)
    headers = {"X-CSRF-Token": login(client, "sam")}
    client.post(f"/api/console/conversations/{cid}/claim", headers=headers)
    unknown = client.post(f"/api/console/conversations/{cid}/transfer", headers=headers,
                          json={"queue": "nowhere"})
    assert unknown.status_code == 422
    moved = client.post(f"/api/console/conversations/{cid}/transfer", headers=headers,
                        json={"queue": "housing"})
    assert moved.json()["conversation"]["mode"] == "queued"
    assert moved.json()["conversation"]["queue"] == "housing"
    client.post(f"/api/console/conversations/{cid}/claim", headers=headers)
    ended = client.post(f"/api/console/conversations/{cid}/end", headers=headers,
                        json={"outcome": "referred", "hand_back": False})
    assert ended.json()["conversation"]["mode"] == "closed"
    texts = [m["text"] for m in client.get(f"/api/conversations/{cid}/messages").json()["messages"]]
    assert any("passed to another team" in t for t in texts)
    assert texts[-1].startswith("Sam has ended the conversation")


def test_acting_on_a_conversation_you_do_not_hold_is_refused(client: TestClient,
                                                             rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser", "Sam")
    add_user(client, "kim", "adviser", "Kim")
    adviser_online(client, "sam")
    cid = new_conversation(client)
    ask(client, cid)
    sam = {"X-CSRF-Token": login(client, "sam")}
    assert client.post(f"/api/console/conversations/{cid}/claim", headers=sam).status_code == 200
    client.cookies.clear()
    kim = {"X-CSRF-Token": login(client, "kim")}
    length = stream_length(client, cid)
    for path, body in [("messages", {"text": "hijack"}), ("transfer", {"queue": "housing"}),
                       ("end", {"outcome": "resolved", "hand_back": True})]:
        response = client.post(f"/api/console/conversations/{cid}/{path}", headers=kim, json=body)
        assert response.status_code == 403, path
        assert response.json()["error"]["code"] == "not_holder"
    assert stream_length(client, cid) == length
    meta = run(client, runtime_of(client).conversations.get, cid)
    assert meta.mode == "adviser" and meta.adviser == "sam"
    audit = run(client, lambda: runtime_of(client).redis.xrange(
        runtime_of(client).settings.key("audit", "console")))
    assert any(fields.get("action") == "refused" for _, fields in audit)


def test_eta_follows_recent_claims(client: TestClient) -> None:
    """A conversation that waited 2 minutes at place 1 makes the next estimate ~2 minutes/place."""
    runtime = runtime_of(client)
    adviser_online(client)
    first = new_conversation(client)
    assert ask(client, first)["state"]["eta_seconds"] == 300  # no history: the default
    backdated = f"{time.time() - 120:.3f}"
    run(client, lambda: runtime.conversations.set(first, queued_at=backdated))
    assert run(client, runtime.queue.claim, first, "sam", "Sam")
    second, third = new_conversation(client), new_conversation(client)
    assert 115 <= ask(client, second)["state"]["eta_seconds"] <= 125
    assert 235 <= ask(client, third)["state"]["eta_seconds"] <= 250


def test_opening_hours_in_words_follow_the_schedule() -> None:
    """The hours text and 'back …' words are derived from the schedule (issue 14 item 10)."""
    from gateway.handoff.hours_text import clock_words, opening_words, weekly_words

    london = ZoneInfo("Europe/London")
    weekdays = {day: [("09:00", "17:00")] for day in WEEKDAYS[:5]}
    christmas = OpeningSchedule(weekly={**weekdays, "sat": [("10:00", "12:30")]},
                                bank_holidays=frozenset({datetime(2026, 12, 25).date(),
                                                         datetime(2026, 12, 28).date()}),
                                timezone="Europe/London")
    assert weekly_words(christmas) == ("Monday to Friday, 9am to 5pm; Saturday, 10am to "
                                       "12:30pm, closed on bank holidays")
    # Thursday 24 December, 6pm: Friday 25th and Monday 28th are holidays, Saturday is open
    assert opening_words(christmas, datetime(2026, 12, 24, 18, tzinfo=london)) == \
        "on Saturday at 10am"
    assert opening_words(christmas, datetime(2026, 12, 24, 8, tzinfo=london)) == "today at 9am"
    assert opening_words(christmas, datetime(2026, 12, 22, 18, tzinfo=london)) == \
        "tomorrow at 9am"
    never = OpeningSchedule(weekly={}, bank_holidays=frozenset(), timezone="Europe/London")
    assert opening_words(never) is None
    assert [clock_words(c) for c in ("00:00", "12:00", "13:30", "24:00")] == \
        ["midnight", "midday", "1:30pm", "midnight"]
