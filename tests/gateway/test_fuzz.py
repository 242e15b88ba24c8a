"""Every malformed input gets the contract's error and changes nothing (issue 12): named cases
(deep JSON, invalid UTF-8, half characters, invisible-only text, reserved prefixes) and a bounded
Hypothesis fuzz over the citizen HTTP API and WebSocket, through the real gateway and Redis."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.json_guard import MAX_DEPTH, BadJson, loads, nesting_depth
from gateway.rasa_transport import HttpxTransport
from tests.gateway.conftest import (
    ScriptedRasa,
    gateway_settings,
    new_conversation,
    runtime_of,
    stream_length,
)

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
ERROR_STATUSES = {413, 422}


@pytest.fixture
def app_client(redis_url: str) -> Iterator[TestClient]:
    """The gateway with roomy limits (the limits are tested in test_limits.py)."""
    settings_ = gateway_settings(redis_url, limit_messages_per_conversation="100000/minute",
                                 limit_messages_per_address="100000/minute",
                                 limit_frames_per_conversation="100000/minute",
                                 limit_conversations_per_address="100000/minute")
    with TestClient(create_app(settings_)) as client:
        fake = ScriptedRasa()
        runtime_of(client).rasa.transport = HttpxTransport.mocked(fake.handler)
        yield client


def post_raw(client: TestClient, path: str, body: bytes) -> Any:
    return client.post(path, content=body, headers={"content-type": "application/json"})


def assert_error(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["detail"]


@pytest.mark.parametrize(("body", "code"), [
    (b"[" * 3000 + b"]" * 3000, "bad_json"),                      # RecursionError before
    (b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}", "bad_json"),  # deeper than MAX_DEPTH
    (b'{"text": "caf\xe9"}', "bad_json"),                          # Latin-1, not UTF-8
    (b'{"text": "half \\ud800 a character"}', "bad_json"),         # lone surrogate
    (b'{"text": "\\u200b\\u200b\\u2060\\ufeff"}', "empty"),         # only invisible characters
    (b'{"text": "\\u3164 \\u200d"}', "empty"),                     # Hangul filler and a joiner
    (b'{"text": "EXTERNAL: handback"}', "reserved"),             # gateway-only marker
    (b'{"text": "  external:handoff_unavailable"}', "reserved"),
    (b'{"text": "/handback"}', "reserved"),                       # gateway-only intent
])
def test_malformed_messages_get_the_contract_code_and_store_nothing(
        app_client: TestClient, body: bytes, code: str) -> None:
    cid = new_conversation(app_client)
    assert_error(post_raw(app_client, f"/api/conversations/{cid}/messages", body), 422, code)
    assert stream_length(app_client, cid) == 0


def test_ordinary_text_with_joiners_and_slashes_is_still_accepted(app_client: TestClient) -> None:
    """Emoji sequences, a word mentioning 'external' and button payloads are not refused."""
    cid = new_conversation(app_client)
    for text in ["👩\u200d👩\u200d👧 family ticket?", "external wall insulation grant",
                 "/affirm"]:
        response = app_client.post(f"/api/conversations/{cid}/messages", json={"text": text})
        assert response.status_code == 200, (text, response.text)


def test_malformed_socket_frames_get_errors_and_the_socket_stays(app_client: TestClient) -> None:
    """Deep JSON (which used to drop the socket), invisible-only text and reserved prefixes
    each get an error frame; nothing is stored; the socket still answers a ping."""
    cid = new_conversation(app_client)
    with app_client.websocket_connect(f"/ws/conversations/{cid}") as ws:
        cases = [("[" * 3000 + "]" * 3000, "bad_frame"), ('{"type": ' + "[" * 50, "bad_frame"),
                 (json.dumps({"type": "message", "text": "\u200b\u200c", "client_id": "z"}),
                  "empty"),
                 (json.dumps({"type": "message", "text": "EXTERNAL: handback",
                              "client_id": "r"}), "reserved")]
        for raw, code in cases:
            ws.send_text(raw)
            frame = ws.receive_json()
            while frame["type"] != "error":
                frame = ws.receive_json()
            assert frame["code"] == code, raw[:40]
        ws.send_bytes(b"\xff\xfe")
        while (frame := ws.receive_json())["type"] != "error":
            pass
        assert frame["code"] == "bad_frame"
        ws.send_json({"type": "ping"})
        while ws.receive_json()["type"] != "pong":
            pass
    assert stream_length(app_client, cid) == 0


def test_json_guard_measures_depth_without_recursion() -> None:
    """Brackets inside strings do not count; a deep document is refused before parsing."""
    assert nesting_depth('{"a": "' + '[' * 44 + '"}') == 1  # only the object counts
    assert nesting_depth("[" * (MAX_DEPTH + 5)) == MAX_DEPTH + 5
    assert loads(b'{"a": [1, {"b": null}]}') == {"a": [1, {"b": None}]}
    with pytest.raises(BadJson):
        loads("[" * 100_000)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["text", "client_id", "type", "after", "x"]), children,
                      max_size=4),
    max_leaves=12)
BODIES = st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.fixed_dictionaries({"text": st.text(max_size=1200)},
                          optional={"client_id": st.text(max_size=80)}).map(
        lambda v: json.dumps(v).encode()),
    st.binary(max_size=300),
)


def test_fuzz_http_message_endpoint_answers_in_contract(app_client: TestClient) -> None:
    """Any body: 200 with the turn, or 413/422 in the error shape; never a 5xx; and a refused
    body stores nothing."""
    cid = new_conversation(app_client)

    @FUZZ
    @given(body=BODIES)
    def check(body: bytes) -> None:
        before = stream_length(app_client, cid)
        response = post_raw(app_client, f"/api/conversations/{cid}/messages", body)
        if response.status_code == 200:
            assert response.json()["received"]["role"] == "citizen"
        else:
            assert response.status_code in ERROR_STATUSES, (body[:80], response.text)
            assert set(response.json()["error"]) == {"code", "detail"}
            assert stream_length(app_client, cid) == before

    check()


def test_fuzz_http_paths_and_queries_never_crash(app_client: TestClient) -> None:
    """Random conversation ids and ``after`` values: 404 or 422, never a 5xx."""

    @FUZZ
    @given(cid=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60),
           after=st.text(max_size=50))
    def check(cid: str, after: str) -> None:
        segment = urllib.parse.quote(cid, safe="")
        response = app_client.get(f"/api/conversations/{segment}/messages",
                                  params={"after": after})
        assert response.status_code < 500, (cid, after, response.text)

    check()


FRAMES = st.one_of(
    JSON_VALUES.map(json.dumps),
    st.fixed_dictionaries(
        # "resume" included: a burst of resumes once left the socket waiting on a reader that
        # ignored its cancellation (issue 12; tests/gateway/test_resume_burst.py).
        {"type": st.sampled_from(["message", "resume", "feedback", "typing", "ping", "handoff",
                                  "leave_queue", "nonsense"])},
        optional={"text": st.text(max_size=50) | st.integers(), "client_id": st.text(max_size=70),
                  "after": st.text(max_size=30) | st.none(), "message_id": st.text(max_size=30),
                  "helpful": st.booleans() | st.integers()}).map(json.dumps),
    st.text(max_size=200),
)


def test_fuzz_websocket_frames_keep_the_socket_alive(app_client: TestClient) -> None:
    """Any text frame gets at most an error frame back; the socket keeps answering pings."""
    cid = new_conversation(app_client)
    with app_client.websocket_connect(f"/ws/conversations/{cid}") as ws:

        @FUZZ
        @given(raw=FRAMES)
        def check(raw: str) -> None:
            ws.send_text(raw)
            ws.send_json({"type": "ping"})
            while (frame := ws.receive_json())["type"] != "pong":
                if frame["type"] == "error":
                    assert frame["code"] and frame["detail"], frame

        check()
