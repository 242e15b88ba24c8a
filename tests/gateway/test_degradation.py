"""Rasa or the action server down or slow: a clear reply with the alternatives, nothing lost."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.crisis_fallback import HelplinesMissing, load_helplines
from gateway.rasa_transport import HttpxTransport
from gateway.settings import ROOT, Settings
from tests.gateway.conftest import ScriptedRasa, gateway_settings, new_conversation, runtime_of


def test_rasa_down_gives_alternatives_and_keeps_the_message(client: TestClient) -> None:
    cid = new_conversation(client)
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": "my bin"})
    assert response.status_code == 200
    body = response.json()
    [reply] = body["messages"]
    assert reply["role"] == "system"
    # the phone line's hours follow the schedule in force (always open in these tests)
    assert "0300 000 1111" in reply["text"] and "(Every day, all day)" in reply["text"]
    assert "Traceback" not in reply["text"]
    history = client.get(f"/api/conversations/{cid}/messages").json()["messages"]
    assert history[0]["text"] == "my bin"  # what the citizen typed is kept


def test_rasa_down_puts_the_helplines_first_for_a_crisis_message(client: TestClient) -> None:
    """The gateway's own net (gateway/crisis_fallback.py): with the bot unreachable, a crisis
    phrase gets the helplines (Rasa's own words, from bot/domain.yml) before the notice; an
    ordinary message gets the notice alone."""
    cid = new_conversation(client)
    [crisis] = client.post(f"/api/conversations/{cid}/messages",
                           json={"text": "i cant go on, i want to end my life"}).json()["messages"]
    assert crisis["role"] == "system"
    assert crisis["text"].startswith(load_helplines(ROOT / "bot" / "domain.yml"))
    assert "999" in crisis["text"] and "0300 000 1111" in crisis["text"]
    [plain] = client.post(f"/api/conversations/{cid}/messages",
                          json={"text": "when is my bin collected"}).json()["messages"]
    assert "999" not in plain["text"] and "0300 000 1111" in plain["text"]


def test_an_empty_reply_to_a_crisis_message_gets_the_helplines(
        client: TestClient, rasa: ScriptedRasa) -> None:
    """Rasa up but saying nothing (the action server failed the guidance action)."""
    rasa.replies = lambda text: []
    cid = new_conversation(client)
    [reply] = client.post(f"/api/conversations/{cid}/messages",
                          json={"text": "my partner hits me and I'm scared"}).json()["messages"]
    assert "116 123" in reply["text"] and "didn't manage to answer" in reply["text"]


def test_the_helplines_are_read_from_rasas_domain_or_refused(tmp_path: Path) -> None:
    """One owner for the words; a domain without them stops the gateway with a clear error."""
    assert "Samaritans" in load_helplines(ROOT / "bot" / "domain.yml")
    broken = tmp_path / "domain.yml"
    broken.write_text("responses:\n  utter_greet:\n    - text: hi\n", encoding="utf-8")
    with pytest.raises(HelplinesMissing, match="utter_safety_helplines"):
        load_helplines(broken)
    with pytest.raises(HelplinesMissing, match="cannot read"):
        load_helplines(tmp_path / "missing.yml")


def test_readyz_names_what_is_down(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"]["ok"] is True
    assert body["checks"]["rasa"]["ok"] is False
    assert body["checks"]["action_server"]["ok"] is False
    assert set(body["down"]) == {"rasa", "action_server"}


def test_readyz_all_up(client: TestClient, rasa: ScriptedRasa) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["ready"] is True


def test_empty_rasa_reply_with_action_server_down_is_explained(
        client: TestClient, rasa: ScriptedRasa) -> None:
    rasa.replies = lambda text: []

    def actions_down(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            raise httpx.ConnectError("refused", request=request)
        return rasa.handler(request)

    runtime_of(client).rasa.transport = HttpxTransport.mocked(actions_down)
    cid = new_conversation(client)
    [reply] = client.post(f"/api/conversations/{cid}/messages", json={"text": "hi"}).json()[
        "messages"]
    assert "isn't working" in reply["text"] and "0300 000 1111" in reply["text"]


def test_empty_rasa_reply_never_reaches_the_citizen_empty(client: TestClient,
                                                          rasa: ScriptedRasa) -> None:
    rasa.replies = lambda text: []
    cid = new_conversation(client)
    [reply] = client.post(f"/api/conversations/{cid}/messages", json={"text": "hi"}).json()[
        "messages"]
    assert reply["text"].startswith("Sorry, I didn't manage to answer that")


@pytest.fixture
def slow_server() -> Iterator[int]:
    """A TCP server that accepts and never answers (a hung Rasa)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_slow_rasa_times_out_with_a_clear_reply(redis_url: str, slow_server: int) -> None:
    settings: Settings = gateway_settings(redis_url, rasa_url=f"http://127.0.0.1:{slow_server}",
                                          rasa_timeout_seconds=1.0)
    with TestClient(create_app(settings)) as client:
        cid = new_conversation(client)
        started = time.monotonic()
        response = client.post(f"/api/conversations/{cid}/messages", json={"text": "hello?"})
        elapsed = time.monotonic() - started
        assert response.status_code == 200
        assert elapsed < 5
        [reply] = response.json()["messages"]
        assert "0300 000 1111" in reply["text"]
        ready = client.get("/readyz").json()
        assert ready["checks"]["rasa"]["detail"] == "down (timeout)"


def test_redis_down_is_a_clear_503_and_readyz_names_it() -> None:
    settings = gateway_settings("redis://127.0.0.1:9/0")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz").json()
        assert ready["checks"]["redis"]["ok"] is False and "redis" in ready["down"]
        response = client.post("/api/conversations")
        assert response.status_code == 503
        error = response.json()["error"]
        assert error["code"] == "unavailable" and "0300 000 1111" in error["detail"]
        message = client.post("/api/conversations/" + "A" * 32 + "/messages", json={"text": "hi"})
        assert message.status_code == 503
