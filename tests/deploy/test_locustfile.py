"""The load benchmark's Locust citizen works against the real stack: one citizen's turns over
the WebSocket as the widget sends it, answered by the bot (benchmarks/locustfile.py; the full
load is ``benchmarks/load_locust.py``, not a test). Locust runs in its own process: it
monkey-patches the standard library with gevent when imported."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from stack.live import LiveStack

ROOT = Path(__file__).resolve().parents[2]
LOCUST = ROOT / ".venv" / "bin" / "locust"

pytestmark = [pytest.mark.integration]


@pytest.mark.skipif(not LOCUST.exists(), reason="locust is not installed (requirements/app.lock)")
def test_one_citizens_turns_are_answered_and_timed(live_stack: LiveStack, tmp_path: Path) -> None:
    prefix = tmp_path / "smoke"
    done = subprocess.run(
        [str(LOCUST), "-f", str(ROOT / "benchmarks" / "locustfile.py"), "--headless",
         "-u", "1", "-r", "1", "-t", "6s", "--stop-timeout", "20", "--only-summary",
         "--host", live_stack.layout.gateway_url, "--csv", str(prefix), "ChattingCitizen"],
        cwd=ROOT, env=dict(os.environ, LOAD_TURN_TIMEOUT="30"), capture_output=True,
        text=True, timeout=90, check=False)
    with open(f"{prefix}_stats.csv", newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    assert "turn" in rows, done.stderr[-2000:]
    assert int(rows["turn"]["Request Count"]) >= 1  # answered by the bot, timed as turns
    assert "turn failed" not in rows
    assert float(rows["turn"]["Median Response Time"]) > 0
