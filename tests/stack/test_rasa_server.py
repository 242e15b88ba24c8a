"""``stack.rasa_server``'s validator built once must judge action server responses exactly as
Rasa's own per-call ``jsonschema.validate`` does (same verdicts, same error message), and
cost less per call. Runs in the Rasa venv (Python 3.10), where Rasa lives."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"

SCRIPT = r"""
import json, time
from rasa.core.actions.action import RemoteAction
from stack.rasa_server import install

responses = [
    {"events": [{"event": "slot", "name": "x", "value": 1, "timestamp": None}],
     "responses": [{"text": "hi", "buttons": [{"title": "Yes", "payload": "/affirm"}]}]},
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "name": 5}], "responses": "nope"},
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
]
action = RemoteAction.__new__(RemoteAction)

def verdicts(validate):
    out = []
    for response in responses:
        try:
            out.append(["ok", validate(action, response)])
        except Exception as exc:
            out.append([type(exc).__name__, getattr(exc, "message", str(exc))])
    return out

def per_call(validate):
    start = time.perf_counter()
    for _ in range(10):
        validate(action, responses[0])
    return (time.perf_counter() - start) / 10

original = RemoteAction._validate_action_result
before, slow = verdicts(original), per_call(original)
install()
after, fast = verdicts(RemoteAction._validate_action_result), per_call(
    RemoteAction._validate_action_result)
print(json.dumps({"before": before, "after": after, "slow": slow, "fast": fast}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs the Rasa venv (.venv-rasa)")
def test_validator_built_once_gives_rasas_verdicts_faster() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after"] == result["before"]
    assert [v[0] for v in result["before"]][:3] == ["ok", "ok", "ok"]
    assert all(v[0] == "ValidationError" for v in result["before"][3:])
    assert "Failed to validate Action server response" in result["after"][3][1]
    assert result["fast"] < result["slow"] / 5  # the meta-schema check is no longer per call


SESSIONS_SCRIPT = r"""
import asyncio, json
from aiohttp import web
from rasa.utils.endpoints import EndpointConfig
from stack.rasa_server import install_kept_sessions

async def calls(endpoint, n):
    replies = []
    for i in range(n):
        replies.append(await endpoint.request(json={"i": i}, method="post", subpath="/webhook"))
    return replies

async def main():
    peers = []
    async def webhook(request):
        peers.append(request.transport.get_extra_info("peername"))
        body = await request.json()
        return web.json_response({"got": body["i"], "token": request.query.get("token")})
    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}", token="secret")
    before = await calls(endpoint, 4)
    opened_before = len(set(peers))
    peers.clear()
    install_kept_sessions()
    after = await calls(endpoint, 4)
    opened_after = len(set(peers))
    await runner.cleanup()
    print(json.dumps({"before": before, "after": after, "opened_before": opened_before,
                      "opened_after": opened_after}))

asyncio.run(main())
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs the Rasa venv (.venv-rasa)")
def test_kept_sessions_reuse_one_connection_with_the_same_replies() -> None:
    """Four calls to an endpoint: Rasa's own sessions open four connections; the kept session
    opens one, and every reply (token included) is the same."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run([str(RASA_PYTHON), "-c", SESSIONS_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["after"] == result["before"]
    assert result["before"][0] == {"got": 0, "token": "secret"}
    assert result["opened_before"] == 4
    assert result["opened_after"] == 1
