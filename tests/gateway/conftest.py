"""Gateway fixtures: an app on the real Redis fixture, a scripted Rasa, signed-in advisers."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from gateway.app import create_app
from gateway.rasa_transport import HttpxTransport
from gateway.runtime import Runtime
from gateway.settings import WEEKDAYS, Settings

ALWAYS_OPEN = {day: [("00:00", "24:00")] for day in WEEKDAYS}
NEVER_OPEN: dict[str, list[tuple[str, str]]] = {day: [] for day in WEEKDAYS}
PASSWORD = "correct horse battery staple"


def gateway_settings(redis_url: str, **overrides: Any) -> Settings:
    """Settings on a private key prefix; Rasa on a dead port unless a test scripts it."""
    values: dict[str, Any] = {
        "redis_url": redis_url,
        "redis_key_prefix": f"t{secrets.token_hex(4)}:",
        "editor_enabled": False,
        "assistant_env": "test",
        "rasa_url": "http://127.0.0.1:9",
        "action_server_url": "http://127.0.0.1:9/webhook",
        "rasa_timeout_seconds": 1.0,
        "health_timeout_seconds": 0.5,
        "opening_schedule": ALWAYS_OPEN,
        "bank_holidays": [],
        "contact_phone": "0300 000 1111",
        "contact_hours_text": "weekdays 9 to 5",
    }
    values.update(overrides)
    return Settings(**values)


@dataclass
class ScriptedRasa:
    """Stands in for Rasa's HTTP API (httpx MockTransport): records calls, replies by script."""

    calls: list[tuple[str, str, Any]] = field(default_factory=list)
    replies: Callable[[str], list[dict[str, Any]]] = lambda text: [{"text": f"echo: {text}"}]
    trigger_replies: list[dict[str, Any]] = field(
        default_factory=lambda: [{"text": "Nobody is free now. Shall I ask someone to call you?"}])
    tracker: dict[str, Any] = field(default_factory=dict)
    down: bool = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        body: Any = json.loads(request.content) if request.content else None
        self.calls.append((request.method, request.url.path, body))
        if self.down:
            raise httpx.ConnectError("refused", request=request)
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=self.replies(body["message"]))
        if path.endswith("/trigger_intent"):
            return httpx.Response(200, json={"tracker": {}, "messages": self.trigger_replies})
        if path.endswith("/tracker/events"):
            return httpx.Response(200, json={})
        if path.endswith("/tracker"):
            return httpx.Response(200, json=self.tracker)
        if path == "/status":
            return httpx.Response(200, json={"model_id": "abc", "model_file": "m.tar.gz"})
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(404)

    def paths(self, method: str | None = None) -> list[str]:
        """The paths called (optionally only with one method)."""
        return [p for m, p, _ in self.calls if method is None or m == method]


@pytest.fixture
def settings(redis_url: str) -> Settings:
    """Gateway settings for one test."""
    return gateway_settings(redis_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """The app running in-process (lifespan started) against the real Redis."""
    with TestClient(create_app(settings), base_url="http://testserver") as test_client:
        yield test_client


def runtime_of(client: TestClient) -> Runtime:
    """The app's services."""
    return client.app.state.runtime  # type: ignore[attr-defined]


@pytest.fixture
def rasa(client: TestClient) -> ScriptedRasa:
    """Route the app's Rasa traffic to a scripted fake."""
    fake = ScriptedRasa()
    runtime = runtime_of(client)
    runtime.rasa.transport = HttpxTransport.mocked(fake.handler)
    return fake


def run(client: TestClient, coro_fn: Callable[..., Any], *args: Any) -> Any:
    """Run an async function on the app's event loop."""
    return client.portal.call(coro_fn, *args)  # type: ignore[union-attr]


def add_user(client: TestClient, username: str, role: str, display: str | None = None) -> None:
    """Create a console user directly in the store."""
    run(client, lambda: runtime_of(client).users.create(username, PASSWORD, role, display))


def login(client: TestClient, username: str) -> str:
    """Sign in; return the CSRF token (cookies stay in the client)."""
    response = client.post("/api/console/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def adviser_online(client: TestClient, username: str = "someone") -> None:
    """Mark an adviser online without opening a console socket."""
    run(client, lambda: runtime_of(client).presence.beat(f"{username}:test"))


def new_conversation(client: TestClient) -> str:
    """Start a conversation over HTTP."""
    response = client.post("/api/conversations", json={"page_url": "https://council.example/bins"})
    assert response.status_code == 201
    return str(response.json()["conversation_id"])


def stream_length(client: TestClient, conversation_id: str) -> int:
    """How many messages the conversation's stream holds."""
    runtime = runtime_of(client)
    return len(run(client, lambda: runtime.redis.xrange(runtime.store.stream_key(conversation_id))))


def matching_keys(client: TestClient, pattern: str) -> list[str]:
    """Every key matching a glob pattern (SCAN), sorted."""
    redis = runtime_of(client).redis

    async def scan() -> list[str]:
        return [key async for key in redis.scan_iter(match=pattern)]

    return sorted(run(client, scan))


def prefix_keys(client: TestClient) -> list[str]:
    """Every key under this test's prefix."""
    return matching_keys(client, runtime_of(client).settings.redis_key_prefix + "*")
