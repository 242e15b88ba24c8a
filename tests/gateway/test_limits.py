"""Abuse limits through the real gateway and Redis (issue 12): rates shared across instances,
plain-words refusals that store nothing, one verdict per message, socket caps, forwarded
addresses believed only from trusted proxies, and a staff lockout no one else can trigger."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.app import create_app
from gateway.auth.throttle import delay_after
from gateway.rasa_transport import HttpxTransport
from gateway.rate_limits import (
    CLOSE_PROCESS_FULL,
    CLOSE_TOO_MANY_FROM_ADDRESS,
    SocketCaps,
    forwarded_client,
    parse_networks,
)
from gateway.settings import Settings
from tests.gateway.conftest import (
    PASSWORD,
    ScriptedRasa,
    add_user,
    gateway_settings,
    matching_keys,
    new_conversation,
    run,
    runtime_of,
    stream_length,
)


def started(settings: Settings, address: str) -> TestClient:
    """One gateway instance (its own app and runtime) seen from ``address``."""
    return TestClient(create_app(settings), base_url="http://testserver", client=(address, 5000))


def scripted(client: TestClient) -> ScriptedRasa:
    """Send this instance's Rasa traffic to a scripted fake."""
    fake = ScriptedRasa()
    runtime_of(client).rasa.transport = HttpxTransport.mocked(fake.handler)
    return fake


@pytest.fixture
def limited(redis_url: str) -> Settings:
    """Small limits so a test can cross them."""
    return gateway_settings(redis_url, limit_conversations_per_address="3/minute",
                            limit_messages_per_conversation="2/minute",
                            limit_frames_per_conversation="6/minute",
                            limit_feedback_per_conversation="50/minute",
                            max_sockets_per_address=3)


@pytest.fixture
def pair(limited: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two gateway instances on the same Redis, both seen from the same address."""
    with started(limited, "198.51.100.7") as one, started(limited, "198.51.100.7") as two:
        yield one, two


def conversation_keys(client: TestClient) -> list[str]:
    runtime = runtime_of(client)
    keys = matching_keys(client, runtime.settings.key("conv", "*"))
    return [k for k in keys if k.count(":") == 2]


def test_conversation_creation_is_limited_across_instances(
        pair: tuple[TestClient, TestClient]) -> None:
    """The per-address limit counts on both instances; the refusal is a 429 in plain words
    with Retry-After, and creates nothing."""
    one, two = pair
    assert [one.post("/api/conversations").status_code,
            two.post("/api/conversations").status_code,
            one.post("/api/conversations").status_code] == [201, 201, 201]
    refused = two.post("/api/conversations")
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "rate_limited" and "wait" in error["detail"]
    assert int(refused.headers["retry-after"]) >= 1
    assert len(conversation_keys(one)) == 3


def test_forwarded_for_is_ignored_from_an_untrusted_peer(limited: Settings) -> None:
    """Without TRUSTED_PROXIES a client cannot dodge the limit by inventing X-Forwarded-For."""
    with started(limited, "198.51.100.8") as client:
        codes = [client.post("/api/conversations",
                             headers={"x-forwarded-for": f"10.0.0.{n}"}).status_code
                 for n in range(4)]
    assert codes == [201, 201, 201, 429]


def test_message_limit_refuses_without_storing_and_keeps_what_was_sent(
        pair: tuple[TestClient, TestClient]) -> None:
    """Over HTTP on two instances: the third message in a minute is refused and not stored;
    the first two and their replies are all still there."""
    one, two = pair
    scripted(one), scripted(two)
    cid = new_conversation(one)
    assert one.post(f"/api/conversations/{cid}/messages", json={"text": "one"}).status_code == 200
    assert two.post(f"/api/conversations/{cid}/messages", json={"text": "two"}).status_code == 200
    refused = one.post(f"/api/conversations/{cid}/messages", json={"text": "three"})
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    texts = [m["text"] for m in one.get(f"/api/conversations/{cid}/messages").json()["messages"]]
    assert texts == ["one", "echo: one", "two", "echo: two"]


def test_socket_message_limit_is_an_error_frame_for_that_message_only(limited: Settings) -> None:
    """Over the WebSocket the refused message gets ``rate_limited`` with its client_id (so the
    widget keeps it as not sent); earlier ones were acked and stay; the socket stays open."""
    with started(limited, "198.51.100.9") as client:
        scripted(client)
        cid = new_conversation(client)
        with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
            ws.send_json({"type": "resume", "after": None})
            frames: list[dict[str, Any]] = []
            for n in range(3):
                ws.send_json({"type": "message", "text": f"m{n}", "client_id": f"c{n}"})
            while not any(f.get("client_id") == "c2" for f in frames):
                frames.append(ws.receive_json())
            acked = {f["client_id"] for f in frames if f["type"] == "ack"}
            [refusal] = [f for f in frames if f["type"] == "error"]
            assert acked == {"c0", "c1"}
            assert refusal["code"] == "rate_limited" and refusal["client_id"] == "c2"
            ws.send_json({"type": "ping"})
            while ws.receive_json()["type"] != "pong":
                pass
        assert stream_length(client, cid) >= 2  # m0, m1 (+ replies); m2 was never stored


def test_frame_flood_is_refused_cheaply_and_the_socket_survives(limited: Settings) -> None:
    """Six frames a minute: of 12 pings, 6 are answered and 6 refused in plain words."""
    with started(limited, "198.51.100.10") as client:
        cid = new_conversation(client)
        with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
            for _ in range(12):
                ws.send_json({"type": "ping"})
            kinds: list[str] = []
            while len([k for k in kinds if k in ("pong", "error")]) < 12:
                frame = ws.receive_json()
                kinds.append(frame["type"] if frame["type"] != "error" else "error")
                if frame["type"] == "error":
                    assert frame["code"] == "rate_limited"
        assert kinds.count("pong") == 6 and kinds.count("error") == 6


def test_message_frames_are_charged_to_the_message_limit_only(limited: Settings) -> None:
    """Six pings use up the frame limit; a message is still accepted (it counts against the
    message limit), and the next ping is refused."""
    with started(limited, "198.51.100.11") as client:
        scripted(client)
        cid = new_conversation(client)
        with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
            for _ in range(6):
                ws.send_json({"type": "ping"})
                while ws.receive_json()["type"] != "pong":
                    pass
            ws.send_json({"type": "message", "text": "hello", "client_id": "m1"})
            frame = ws.receive_json()
            while frame.get("client_id") != "m1":
                frame = ws.receive_json()
            assert frame["type"] == "ack"
            ws.send_json({"type": "ping"})
            frame = ws.receive_json()
            while frame["type"] not in ("pong", "error"):
                frame = ws.receive_json()
            assert frame["type"] == "error" and frame["code"] == "rate_limited"


def test_one_feedback_verdict_per_message(limited: Settings) -> None:
    """Twenty 'not helpful' frames on one answer record one feedback event and at most one gap."""
    with started(limited, "198.51.100.11") as client:
        rasa = scripted(client)
        rasa.replies = lambda text: [{"text": "Pay online.", "custom": {"sources": [
            {"title": "Pay", "article_id": "pay-council-tax", "url": "https://c.example/pay"}]}}]
        cid = new_conversation(client)
        client.post(f"/api/conversations/{cid}/messages", json={"text": "how do I pay tax"})
        history = client.get(f"/api/conversations/{cid}/messages").json()["messages"]
        answer = history[-1]["id"]
        with client.websocket_connect(f"/ws/conversations/{cid}") as ws:
            for _ in range(20):
                ws.send_json({"type": "feedback", "message_id": answer, "helpful": False})
            # Frames are handled in order: once the ping is answered (or refused), every
            # feedback frame has been; leaving the block earlier cancels the one in progress.
            ws.send_json({"type": "ping"})
            while ws.receive_json()["type"] not in ("pong", "error"):
                pass
        runtime = runtime_of(client)
        events = run(client, lambda: runtime.redis.xrange(
            runtime.settings.key("analytics", "events")))
        gaps = run(client, lambda: runtime.redis.xrange(runtime.settings.key("analytics", "gaps")))
    assert len([e for _, e in events if e.get("kind") == "feedback"]) == 1
    assert len(gaps) <= 1


def test_sockets_over_the_cap_are_closed_with_a_clear_code_and_others_still_served(
        limited: Settings) -> None:
    """Three sockets from one address are allowed; the fourth is told why and closed 4429;
    the HTTP API still serves that address and a socket from another address is accepted."""
    with started(limited, "198.51.100.12") as client:
        cid = new_conversation(client)
        path = f"/ws/conversations/{cid}"
        with client.websocket_connect(path), client.websocket_connect(path), \
                client.websocket_connect(path), client.websocket_connect(path) as fourth:
            error = fourth.receive_json()
            assert error["code"] == "too_many_connections"
            with pytest.raises(WebSocketDisconnect) as closed:
                fourth.receive_json()
            assert closed.value.code == CLOSE_TOO_MANY_FROM_ADDRESS
            assert client.post("/api/conversations").status_code == 201
            caps = runtime_of(client).sockets
            assert caps.by_address["198.51.100.12"] == 3
        assert runtime_of(client).sockets.total == 0  # places given back on close


def test_socket_caps_per_process_and_per_address() -> None:
    """The process cap answers 1013 (try again later) before the per-address cap is checked."""
    caps = SocketCaps(Settings(max_sockets_per_address=2, max_sockets_per_process=3))
    assert [caps.admit("a"), caps.admit("a"), caps.admit("a")] == \
        [None, None, CLOSE_TOO_MANY_FROM_ADDRESS]
    assert caps.admit("b") is None
    assert caps.admit("c") == CLOSE_PROCESS_FULL
    caps.release("a")
    assert caps.admit("c") is None and caps.total == 3


def test_forwarded_address_is_believed_only_from_trusted_proxies() -> None:
    """The nearest untrusted hop is the client; whatever the client wrote further left is not."""
    proxies = parse_networks(["127.0.0.1", "10.1.0.0/16"])
    assert forwarded_client("203.0.113.4", "1.2.3.4", proxies) == "203.0.113.4"
    assert forwarded_client("127.0.0.1", "203.0.113.9", proxies) == "203.0.113.9"
    assert forwarded_client("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.1.2.3", proxies) == \
        "203.0.113.9"
    assert forwarded_client("127.0.0.1", "", proxies) == "127.0.0.1"
    assert forwarded_client("127.0.0.1", "not-an-ip", proxies) == "127.0.0.1"
    with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
        parse_networks(["nonsense"])


def test_bad_limit_setting_is_a_clear_startup_error(redis_url: str) -> None:
    app = create_app(gateway_settings(redis_url, limit_messages_per_conversation="lots"))
    with pytest.raises(ValueError, match="not like '10/minute"), TestClient(app):
        pass


def login(client: TestClient, password: str) -> tuple[int, dict[str, Any]]:
    """Try to sign in as sam: the status and the JSON body."""
    response = client.post("/api/console/login", json={"username": "sam", "password": password})
    return response.status_code, response.json()


def test_guessing_from_one_address_does_not_lock_out_the_real_user(redis_url: str) -> None:
    """Someone guessing sam's password is slowed down at their address; sam, at his own
    address, signs in at once, on either instance."""
    settings = gateway_settings(redis_url)
    with started(settings, "203.0.113.66") as attacker, \
            started(settings, "192.0.2.10") as sam:
        add_user(sam, "sam", "adviser")
        codes = [login(attacker, f"guess{n}")[0] for n in range(12)]
        assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
        assert "try again in" in login(attacker, PASSWORD)[1]["error"]["detail"]
        assert login(sam, PASSWORD)[0] == 200


def test_lockout_delays_grow_and_are_capped() -> None:
    assert [delay_after(n, 5, 900) for n in (4, 5, 6, 7, 12, 40)] == [0, 1, 2, 4, 128, 900]


def test_many_addresses_guessing_leave_their_own_trail_only(redis_url: str) -> None:
    """Per-address counting: 40 failures from one address lock that address for every
    username, not anyone else."""
    settings = gateway_settings(redis_url, login_failures_per_address=10)
    with started(settings, "203.0.113.70") as noisy, started(settings, "192.0.2.11") as sam:
        add_user(sam, "sam", "adviser")
        for n in range(10):
            noisy.post("/api/console/login", json={"username": f"user{n}", "password": "x"})
        assert noisy.post("/api/console/login",
                          json={"username": "newname", "password": "x"}).status_code == 429
        assert login(sam, PASSWORD)[0] == 200


def test_a_flood_of_refusals_adds_a_few_audit_records_and_keeps_real_ones(
        client: TestClient) -> None:
    """300 anonymous 401s add at most a couple of audit entries (counted per minute);
    a real record written before the flood is still there."""
    runtime = runtime_of(client)
    run(client, lambda: runtime.analytics.audit("erase", "ada", conversation_id="x" * 32))
    for _ in range(300):
        assert client.get("/api/console/queue").status_code == 401
    audit = run(client, lambda: runtime.redis.xrange(runtime.settings.key("audit", "console")))
    actions = [fields["action"] for _, fields in audit]
    assert actions.count("refused") <= 2 and "erase" in actions
    buckets = matching_keys(client, runtime.settings.key("audit", "refusals", "*"))
    counted = 0
    for bucket in buckets:
        counts = run(client, lambda b=bucket: runtime.redis.hgetall(b))
        counted += sum(int(v) for v in counts.values())
        ttl = run(client, lambda b=bucket: runtime.redis.ttl(b))
        assert 0 < ttl <= runtime.settings.audit_retention_days * 86400
    assert counted == 300
