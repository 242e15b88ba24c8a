"""What ``./assistant run`` prints (issue 14, item 15), with the real parts started for real.

What must hold: the terminal shows a short progress line per part, the address and the staff
sign-in, and names the log folder; Rasa's and TensorFlow's warnings and the request logs go
only to ``var/log/<part>.log``; Ctrl-C (SIGINT) stops every part.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from stack.redis_server import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
READY_SECONDS = 300


def test_run_prints_progress_url_and_sign_in_and_keeps_logs_in_files(
    redis_url: str, rasa_model: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(tmp_path / "var"),
        "GATEWAY_PORT": str(port),
        "RASA_PORT": str(free_port()),
        "ACTIONS_PORT": str(free_port()),
        "DEMO_PASSWORD": "run-output-test-only",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "stack", "run"], cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + READY_SECONDS
        assert process.stdout is not None
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Press Ctrl-C to stop" in line:
                break
        output = "\n".join(lines)
        assert "Press Ctrl-C to stop" in output, output
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
    finally:
        process.send_signal(signal.SIGINT)
        try:
            rest, _ = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            rest, _ = process.communicate()
    output = "\n".join(lines)
    # short: a header, one line per part, the address block
    assert len([line for line in lines if line.strip()]) <= 12, output
    for part in ("Action server", "Dialogue (Rasa)", "Gateway"):
        assert any(part in line and "ready" in line for line in lines), output
    assert f"open http://127.0.0.1:{port}" in output
    assert "sam (adviser)" in output and "run-output-test-only" in output
    assert "var/log/" in output or str(tmp_path / "var" / "log") in output
    for noise in ("Warning", "warning", "tensorflow", "INFO", "GET /"):
        assert noise not in output, f"{noise!r} reached the terminal:\n{output}"
    logs = tmp_path / "var" / "log"
    assert {"actions.log", "rasa.log", "gateway.log"} <= {p.name for p in logs.iterdir()}
    assert (logs / "rasa.log").stat().st_size > 0  # Rasa's own output is kept, in its file
    assert "Stopping" in rest
    assert process.returncode == 0
    with pytest.raises(httpx.HTTPError):  # every part stopped with it
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
