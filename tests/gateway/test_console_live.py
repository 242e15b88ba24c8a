"""The console's live side: queue pushed over the socket, watch and reply, replays, erasure."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import (
    ScriptedRasa,
    add_user,
    login,
    new_conversation,
    prefix_keys,
    run,
    runtime_of,
    stream_length,
)
from tests.gateway.test_citizen_ws import frames_until

ORIGIN = {"origin": "http://testserver"}


def test_queue_is_pushed_and_adviser_chats_in_real_time(client: TestClient,
                                                        rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser", "Sam")
    headers = {"X-CSRF-Token": login(client, "sam")}
    cid = new_conversation(client)
    with client.websocket_connect("/ws/console", headers=ORIGIN) as console:
        first = console.receive_json()
        assert first["type"] == "queue" and first["advisers_online"] == 1
        # the citizen asks over their socket; the console hears it without asking
        with client.websocket_connect(f"/ws/conversations/{cid}") as citizen:
            citizen.send_json({"type": "resume", "after": None})
            frames_until(citizen, lambda f: f["type"] == "state")
            citizen.send_json({"type": "handoff", "reason": "requested"})
            pushed = frames_until(console, lambda f: f["type"] == "queue" and any(
                q["waiting"] for q in f["queues"]))[-1]
            item = pushed["queues"][0]["waiting"][0]
            assert item["conversation_id"] == cid and item["reason"] == "requested"
            queued = frames_until(citizen, lambda f: f["type"] == "state"
                                  and f["mode"] == "queued")[-1]
            assert queued["queue_position"] == 1 and queued["eta_seconds"] is not None
            assert client.post(f"/api/console/conversations/{cid}/claim",
                               headers=headers).status_code == 200
            console.send_json({"type": "watch", "conversation_id": cid, "after": None})
            console.send_json({"type": "reply", "conversation_id": cid, "text": "Hi, Sam here.",
                               "client_id": "r1"})
            ack = frames_until(console, lambda f: f["type"] == "ack")[-1]
            got = frames_until(citizen, lambda f: f["type"] == "message"
                               and f["message"]["role"] == "adviser")[-1]["message"]
            assert got["id"] == ack["id"] and got["text"] == "Hi, Sam here."
            # a replayed reply frame: acked with the same id, stored nowhere
            length = stream_length(client, cid)
            console.send_json({"type": "reply", "conversation_id": cid, "text": "Hi, Sam here.",
                               "client_id": "r1"})
            again = frames_until(console, lambda f: f["type"] == "ack")[-1]
            assert again["id"] == ack["id"] and stream_length(client, cid) == length
            citizen.send_json({"type": "message", "text": "Thank you", "client_id": "c1"})
            heard = frames_until(console, lambda f: f["type"] == "message"
                                 and f["message"]["role"] == "citizen"
                                 and f["message"]["text"] == "Thank you")[-1]
            assert heard["conversation_id"] == cid
            citizen.send_json({"type": "typing"})
            frames_until(console, lambda f: f["type"] == "typing" and f["role"] == "citizen")
            console.send_json({"type": "typing", "conversation_id": cid})
            frames_until(citizen, lambda f: f["type"] == "typing" and f["role"] == "adviser")


def test_reply_frame_for_a_conversation_not_held_is_refused(client: TestClient,
                                                            rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser", "Sam")
    login(client, "sam")
    cid = new_conversation(client)
    with client.websocket_connect("/ws/console", headers=ORIGIN) as console:
        console.receive_json()
        console.send_json({"type": "reply", "conversation_id": cid, "text": "sneaky",
                           "client_id": "x1"})
        error = frames_until(console, lambda f: f["type"] == "error")[-1]
        assert error["code"] == "not_holder" and error["client_id"] == "x1"
    assert stream_length(client, cid) == 0


def test_context_from_the_tracker(client: TestClient, rasa: ScriptedRasa) -> None:
    add_user(client, "sam", "adviser")
    login(client, "sam")
    cid = new_conversation(client)
    rasa.tracker = {
        "slots": {"bin_postcode": "AB1 2CD", "requested_slot": "bin_type", "bin_type": None,
                  "failed_attempts": 1.0, "last_article_id": "missed-bin", "offer": "adviser",
                  "other_sections": [{"anchor": "", "label": "Missed bins"}],
                  "last_question": "bin missed"},
        "active_loop": {"name": "missed_bin_form"},
        "events": [
            {"event": "user", "text": "bin missed",
             "parse_data": {"intent": {"name": "report_missed_bin", "confidence": 0.97}},
             "metadata": {"page_url": "https://council.example/bins"}},
            {"event": "user", "text": "EXTERNAL: handoff_unavailable",
             "parse_data": {"intent": {"name": "handoff_unavailable", "confidence": 1.0}}},
            {"event": "bot", "text": "...", "data": {"custom": {"sources": [
                {"title": "Missed bins", "url": "https://c.example/bins#r", "heading": "Report",
                 "score": 0.82}]}}},
        ],
    }
    view = client.get(f"/api/console/conversations/{cid}").json()
    context = view["context"]
    assert context["intents"] == [{"text": "bin missed", "intent": "report_missed_bin",
                                   "confidence": 0.97}]
    assert context["articles"][0]["score"] == 0.82
    # the bot's bookkeeping and the gateway's own triggers are not shown (issue 14 item 8)
    assert context["slots"] == {"bin_postcode": "AB1 2CD"}
    assert context["pages"] == ["https://council.example/bins"]
    assert context["active_form"] == "missed_bin_form"
    rasa.down = True
    assert client.get(f"/api/console/conversations/{cid}").json()["context"]["available"] is False


def test_canned_replies_callbacks_and_schedule(client: TestClient) -> None:
    add_user(client, "ada", "admin", "Ada")
    headers = {"X-CSRF-Token": login(client, "ada")}
    replies = client.get("/api/console/canned").json()["replies"]
    assert len(replies) >= 3
    rid = replies[0]["id"]
    edited = client.put(f"/api/console/canned/{rid}", headers=headers,
                        json={"title": "Hello", "text": "Hello there."})
    assert edited.json()["text"] == "Hello there."
    assert client.delete(f"/api/console/canned/{rid}", headers=headers).status_code == 204
    assert client.delete(f"/api/console/canned/{rid}", headers=headers).status_code == 404
    runtime = runtime_of(client)

    async def add_callback() -> None:
        key = runtime.settings.key("callback", "cb1")
        await runtime.redis.hset(key, mapping={  # the shape records.callbacks writes
            "reference": "cb1", "type": "callback", "status": "open", "created": "1.0",
            "conversation_id": "A" * 32, "name": "Jo", "phone": "07700 900123",
            "preferred_time": "tomorrow morning", "consent": "yes", "topic": "bins"})
        await runtime.redis.zadd(runtime.settings.key("callbacks"), {"cb1": 1})

    run(client, add_callback)
    listed = client.get("/api/console/callbacks").json()["callbacks"]
    assert listed[0]["name"] == "Jo" and listed[0]["status"] == "open"
    done = client.post("/api/console/callbacks/cb1/status", headers=headers,
                       json={"status": "done"})
    assert done.json()["callback"]["handled_by"] == "ada"
    assert client.get("/api/console/callbacks").json()["callbacks"] == []
    bad = client.put("/api/console/schedule", headers=headers,
                     json={"weekly": {"mon": [["17:00", "09:00"]]}})
    assert bad.status_code == 422
    good = client.put("/api/console/schedule", headers=headers,
                      json={"weekly": {"mon": [["09:00", "17:00"]]},
                            "bank_holidays": ["2026-12-25"]})
    assert good.status_code == 200 and good.json()["weekly"]["tue"] == []


def test_admin_erases_one_conversation(client: TestClient, rasa: ScriptedRasa) -> None:
    add_user(client, "ada", "admin", "Ada")
    headers = {"X-CSRF-Token": login(client, "ada")}
    keep, erase = new_conversation(client), new_conversation(client)
    for cid in (keep, erase):
        client.post(f"/api/conversations/{cid}/messages", json={"text": "hello"})
    client.post(f"/api/console/conversations/{erase}/notes", headers=headers,
                json={"text": "note"})
    assert client.delete(f"/api/console/conversations/{erase}", headers=headers).status_code == 204
    assert not [k for k in prefix_keys(client) if erase in k]
    assert stream_length(client, keep) == 2
    assert client.get(f"/api/conversations/{erase}/messages").status_code == 404
    # Rasa's tracker is erased by deleting its keys, not by saving an empty one (issue 11);
    # the audit entry names what was erased, never the conversation id
    audit = run(client, lambda: runtime_of(client).redis.xrange(
        runtime_of(client).settings.key("audit", "console")))
    [erased] = [fields for _, fields in audit if fields["action"] == "erase"]
    # meta, messages, notes and the performance rollups' perf:conv:{ref}
    assert erased["keys"] == "4" and erase not in str(audit)
    # a message to the erased conversation is refused and stores nothing
    assert client.post(f"/api/conversations/{erase}/messages",
                       json={"text": "again"}).status_code == 404
    assert not [k for k in prefix_keys(client) if erase in k]


def test_transcripts_expire_after_the_retention_period(redis_url: str) -> None:
    from tests.gateway.conftest import gateway_settings

    settings: Settings = gateway_settings(redis_url, transcript_retention_days=2 / 86400)
    with TestClient(create_app(settings)) as client:
        cid = new_conversation(client)
        client.post(f"/api/conversations/{cid}/messages", json={"text": "short-lived"})
        runtime = runtime_of(client)
        ttl = run(client, runtime.redis.ttl, runtime.store.stream_key(cid))
        assert 0 < ttl <= 2
        time.sleep(2.5)
        assert not [k for k in prefix_keys(client) if cid in k]
        assert client.get(f"/api/conversations/{cid}/messages").status_code == 404


def test_two_instances_share_everything_through_redis(redis_url: str) -> None:
    """A citizen on instance A and an adviser on instance B: live both ways."""
    from tests.gateway.conftest import gateway_settings

    settings = gateway_settings(redis_url)
    with TestClient(create_app(settings)) as a, TestClient(create_app(settings)) as b:
        add_user(b, "sam", "adviser", "Sam")
        headers = {"X-CSRF-Token": login(b, "sam")}
        cid = new_conversation(a)
        with b.websocket_connect("/ws/console", headers=ORIGIN) as console, \
                a.websocket_connect(f"/ws/conversations/{cid}") as citizen:
            console.receive_json()
            citizen.send_json({"type": "resume", "after": None})
            frames_until(citizen, lambda f: f["type"] == "state")
            citizen.send_json({"type": "handoff"})
            frames_until(console, lambda f: f["type"] == "queue" and any(
                q["waiting"] for q in f["queues"]))
            assert b.post(f"/api/console/conversations/{cid}/claim",
                          headers=headers).status_code == 200
            frames_until(citizen, lambda f: f["type"] == "state" and f["mode"] == "adviser")
            console.send_json({"type": "watch", "conversation_id": cid, "after": None})
            console.send_json({"type": "reply", "conversation_id": cid, "text": "From B",
                               "client_id": "b1"})
            frames_until(citizen, lambda f: f["type"] == "message"
                         and f["message"]["text"] == "From B")
            citizen.send_json({"type": "message", "text": "From A", "client_id": "a1"})
            frames_until(console, lambda f: f["type"] == "message"
                         and f["message"]["text"] == "From A")


def test_erasure_closes_the_citizen_socket(client: TestClient, rasa: ScriptedRasa) -> None:
    add_user(client, "ada", "admin", "Ada")
    headers = {"X-CSRF-Token": login(client, "ada")}
    cid = new_conversation(client)
    with client.websocket_connect(f"/ws/conversations/{cid}") as citizen:
        citizen.send_json({"type": "resume", "after": None})
        frames_until(citizen, lambda f: f["type"] == "state")
        assert client.delete(f"/api/console/conversations/{cid}",
                             headers=headers).status_code == 204
        error = frames_until(citizen, lambda f: f["type"] == "error")[-1]
        assert error["code"] == "unknown_conversation"
        with pytest.raises(WebSocketDisconnect) as closed:
            citizen.receive_json()
        assert closed.value.code == 4404
