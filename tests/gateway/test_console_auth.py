"""Console sign-in: argon2, session cookies, CSRF, roles, forged/expired sessions, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gateway.auth.sessions import token_digest
from gateway.settings import Settings
from tests.gateway.conftest import PASSWORD, add_user, login, prefix_keys, run, runtime_of

ROOT = Path(__file__).resolve().parents[2]


def test_passwords_are_stored_as_argon2_hashes(client: TestClient) -> None:
    add_user(client, "sam", "adviser", "Sam")
    runtime = runtime_of(client)
    stored = run(client, runtime.redis.hget, runtime.settings.key("user", "sam"), "password")
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_login_sets_secure_cookie_flags_and_me_works(client: TestClient) -> None:
    add_user(client, "sam", "adviser", "Sam Patel")
    response = client.post("/api/console/login", json={"username": "sam", "password": PASSWORD})
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("csa_session="))
    csrf = next(c for c in cookies if c.startswith("csa_csrf="))
    assert "HttpOnly" in session and "SameSite=strict" in session
    assert "HttpOnly" not in csrf and "SameSite=strict" in csrf
    me = client.get("/api/console/me").json()
    assert me["user"] == {"username": "sam", "display_name": "Sam Patel", "role": "adviser"}
    assert me["csrf_token"] == response.json()["csrf_token"]


def test_production_cookies_are_secure(redis_url: str) -> None:
    assert Settings(redis_url=redis_url, assistant_env="production").cookie_secure is True
    assert Settings(redis_url=redis_url, assistant_env="test").cookie_secure is False


def test_wrong_password_and_lockout(client: TestClient) -> None:
    """Five wrong passwords from one address make that address wait before trying sam again
    (issue 12: the wait is per username and address; see tests/gateway/test_lockout.py)."""
    add_user(client, "sam", "adviser")
    for _ in range(5):
        bad = client.post("/api/console/login", json={"username": "sam", "password": "nope"})
        assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_credentials"
    locked = client.post("/api/console/login", json={"username": "sam", "password": PASSWORD})
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "locked"
    unknown = client.post("/api/console/login", json={"username": "ghost", "password": "x"})
    assert unknown.status_code == 401


def test_citizen_without_session_cannot_open_the_console_api(client: TestClient) -> None:
    before = prefix_keys(client)
    for method, path in [("GET", "/api/console/queue"), ("GET", "/api/console/callbacks"),
                         ("POST", "/api/console/conversations/" + "A" * 32 + "/claim"),
                         ("GET", "/api/console/canned"),
                         ("DELETE", "/api/console/conversations/" + "A" * 32)]:
        response = client.request(method, path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "not_signed_in"
    def audit(key: str) -> bool:
        return key.endswith("audit:console") or ":audit:refusals:" in key

    after = [k for k in prefix_keys(client) if not audit(k)]
    assert after == [k for k in before if not audit(k)]


def test_forged_and_expired_sessions_are_refused(client: TestClient) -> None:
    add_user(client, "sam", "adviser")
    login(client, "sam")
    token = client.cookies["csa_session"]
    client.cookies.clear()
    client.cookies.set("csa_session", "forged-" + token[7:])
    assert client.get("/api/console/queue").status_code == 401
    client.cookies.clear()
    client.cookies.set("csa_session", token)
    assert client.get("/api/console/queue").status_code == 200
    runtime = runtime_of(client)
    run(client, runtime.redis.delete, runtime.settings.key("session", token_digest(token)))
    assert client.get("/api/console/queue").status_code == 401  # expired (gone from Redis)


def test_csrf_is_required_on_state_changing_requests(client: TestClient) -> None:
    add_user(client, "sam", "adviser")
    csrf = login(client, "sam")
    before = run(client, runtime_of(client).canned.all)
    for headers in ({}, {"X-CSRF-Token": "wrong"}):
        response = client.post("/api/console/canned", headers=headers,
                               json={"title": "t", "text": "x"})
        assert response.status_code == 403 and response.json()["error"]["code"] == "csrf"
    assert run(client, runtime_of(client).canned.all) == before
    good = client.post("/api/console/canned", headers={"X-CSRF-Token": csrf},
                       json={"title": "Thanks", "text": "Thanks for your patience."})
    assert good.status_code == 201
    assert client.post("/api/console/logout").status_code == 403
    assert client.post("/api/console/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/console/me").status_code == 401


def test_roles(client: TestClient) -> None:
    add_user(client, "eddie", "editor")
    login(client, "eddie")
    response = client.get("/api/console/queue")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    client.cookies.clear()
    add_user(client, "sam", "adviser")
    csrf = login(client, "sam")
    erase = client.delete("/api/console/conversations/" + "A" * 32,
                          headers={"X-CSRF-Token": csrf})
    assert erase.status_code == 403  # erasure is for admins
    schedule = client.put("/api/console/schedule", headers={"X-CSRF-Token": csrf},
                          json={"weekly": {"mon": [["09:00", "17:00"]]}})
    assert schedule.status_code == 403


def test_console_socket_refuses_without_session_wrong_role_or_foreign_origin(
        client: TestClient) -> None:
    with client.websocket_connect("/ws/console") as ws:
        assert ws.receive_json()["code"] == "not_signed_in"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
    add_user(client, "sam", "adviser")
    login(client, "sam")
    with client.websocket_connect("/ws/console",
                                  headers={"origin": "https://evil.example"}) as ws:
        assert ws.receive_json()["code"] == "forbidden"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4403
    with client.websocket_connect("/ws/console", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "queue"


def test_create_user_command(settings: Settings) -> None:
    env = {**os.environ, "REDIS_URL": settings.redis_url,
           "REDIS_KEY_PREFIX": settings.redis_key_prefix, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "gateway", "create-user", "kim", "--role", "adviser",
               "--display-name", "Kim", "--password-stdin"]
    short = subprocess.run(command, input="short\n", env=env, capture_output=True, text=True,
                           cwd=ROOT, timeout=60)
    assert short.returncode == 2 and "at least 12" in short.stderr
    made = subprocess.run(command, input=PASSWORD + "\n", env=env, capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert made.returncode == 0, made.stderr
    twice = subprocess.run(command, input=PASSWORD + "\n", env=env, capture_output=True,
                           text=True, cwd=ROOT, timeout=60)
    assert twice.returncode == 2 and "already" in twice.stderr


def test_cli_user_can_sign_in(settings: Settings, client: TestClient) -> None:
    env = {**os.environ, "REDIS_URL": settings.redis_url,
           "REDIS_KEY_PREFIX": settings.redis_key_prefix, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "gateway", "create-user", "lee", "--role", "admin",
                    "--password-stdin"], input=PASSWORD + "\n", env=env, check=True, cwd=ROOT,
                   capture_output=True, text=True, timeout=60)
    assert client.post("/api/console/login",
                       json={"username": "lee", "password": PASSWORD}).status_code == 200


def test_demo_users_refused_in_production(redis_url: str) -> None:
    from gateway.app import create_app

    with pytest.raises(RuntimeError):
        create_app(Settings(redis_url=redis_url, assistant_env="production", demo_users=True))


def test_console_socket_closes_when_the_session_ends(client: TestClient,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import gateway.routers.ws_console as ws_console

    monkeypatch.setattr(ws_console, "HEARTBEAT_SECONDS", 0.2)
    add_user(client, "sam", "adviser")
    login(client, "sam")
    token = client.cookies["csa_session"]
    with client.websocket_connect("/ws/console", headers={"origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "queue"
        runtime = runtime_of(client)
        run(client, runtime.redis.delete, runtime.settings.key("session", token_digest(token)))
        while True:
            frame = ws.receive_json()
            if frame["type"] == "error":
                break
        assert frame["code"] == "not_signed_in"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 4401
