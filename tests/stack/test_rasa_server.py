"""``stack.rasa_server``'s validator built once must judge action server responses exactly as
Rasa's own per-call ``jsonschema.validate`` does (same verdicts, same error message), and
cost less per call. Runs in the Rasa venv (Python 3.10), where Rasa lives."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

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
def test_validator_built_once_gives_rasas_verdicts_faster(in_rasa: dict[str, Any]) -> None:
    result = in_rasa["validator"]
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
def test_kept_sessions_reuse_one_connection_with_the_same_replies(in_rasa: dict[str, Any]) -> None:
    """Four calls to an endpoint: Rasa's own sessions open four connections; the kept session
    opens one, and every reply (token included) is the same."""
    result = in_rasa["sessions"]
    assert result["after"] == result["before"]
    assert result["before"][0] == {"got": 0, "token": "secret"}
    assert result["opened_before"] == 4
    assert result["opened_after"] == 1


EVENTS_SCRIPT = r"""
import json
import rasa.server
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses
from stack.rasa_server import install_event_checks

class Request:
    def __init__(self, body):
        self.json = body

bodies = [
    {"event": "slot", "name": "x", "value": 1},
    [{"event": "action", "name": "action_listen"}, {"event": "user", "text": "hi"}],
    [],
    {"event": 5},
    [{"event": "slot", "name": "x"}, "not an event"],
    {"no_event_key": True},
]
names = sorted({cls.type_name for cls in all_subclasses(Event)}) + ["topic", "no_such_event"]

def verdicts():
    out = []
    for body in bodies:
        try:
            rasa.server.validate_events_in_request_body(Request(body))
            out.append(["ok"])
        except Exception as exc:
            out.append([type(exc).__name__, getattr(exc, "error_info", None) or str(exc)])
    for name in names:
        for default in (None, Event):
            for _ in range(2):  # the second call may come from what was remembered
                try:
                    found = Event.resolve_by_type(name, default)
                    out.append([name, found.__name__ if found else None])
                except ValueError as exc:
                    out.append([name, "ValueError", str(exc)])
    return out

before = verdicts()
install_event_checks()
after = verdicts()
print(json.dumps({"before": before, "after": after, "bodies": len(bodies),
                  "shim": type(rasa.server.jsonschema).__name__}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs the Rasa venv (.venv-rasa)")
def test_event_checks_built_once_give_rasas_verdicts(in_rasa: dict[str, Any]) -> None:
    """Appended events are accepted or refused with Rasa's own message, and every event type
    name (unknown ones, "topic" and fallbacks included) resolves as before."""
    result = in_rasa["events"]
    assert result["after"] == result["before"]
    checks = result["before"][: result["bodies"]]
    assert [v[0] for v in checks[:3]] == ["ok", "ok", "ok"]
    assert all(v[0] == "ErrorResponse" for v in checks[3:])
    assert "Failed to validate the events format" in checks[3][1]["message"]
    assert result["shim"] == "OnceBuiltValidation"  # the checks compared were the new ones
    assert any(
        v[1:] == ["ValueError", "Unknown event name 'no_such_event'."] for v in result["before"]
    )


FROZEN_MODEL_SCRIPT = r"""
import asyncio, gc, json
import rasa.core.run

async def load_agent_on_start(model_path, endpoints, remote_storage, app, loop):
    app["agent"] = [[model_path]]  # what Rasa keeps: loaded before the freeze
    return app["agent"]

rasa.core.run.load_agent_on_start = load_agent_on_start
from stack.rasa_server import install_frozen_model
install_frozen_model()
app = {}
before = gc.get_freeze_count()
# serve_application registers the module's load_agent_on_start when the server starts
loaded = asyncio.run(rasa.core.run.load_agent_on_start("model.tar.gz", None, None, app, None))
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "same": loaded is app["agent"],
                  "agent_frozen": not any(obj is loaded for obj in gc.get_objects())}))
"""


@pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs the Rasa venv (.venv-rasa)")
def test_the_loaded_model_is_frozen_once_rasa_has_loaded_it(in_rasa: dict[str, Any]) -> None:
    """Rasa's agent loader still returns (and keeps) the agent, and what it loaded is then out
    of the garbage collector's full collections (``stack.heap``)."""
    seen = in_rasa["frozen"]
    assert seen["before"] == 0
    assert seen["after"] > 0
    assert seen["same"] and seen["agent_frozen"]


RUN_ALL = r"""
import contextlib, io, json, sys
results = {}
for name, source in json.loads(sys.stdin.read()).items():
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(source, f"<{name}>", "exec"), {"__name__": "__main__"})
    results[name] = json.loads(printed.getvalue().strip().splitlines()[-1])
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def in_rasa() -> dict[str, Any]:
    """What each script above printed. They run once, one after the other, in one Rasa-venv
    process (Rasa imported once, not four times: about 10 s each on the shared machine), each
    in its own namespace. Each patches a different part of Rasa and first records Rasa's own
    behaviour of that part, which no earlier script changed; only the last freezes the
    garbage collector."""
    scripts = {
        "validator": SCRIPT,
        "sessions": SESSIONS_SCRIPT,
        "events": EVENTS_SCRIPT,
        "frozen": FROZEN_MODEL_SCRIPT,
    }
    env = dict(os.environ, PYTHONPATH=str(ROOT), TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [str(RASA_PYTHON), "-c", RUN_ALL],
        input=json.dumps(scripts),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    results: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return results
