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
