"""Run the Rasa CLI (Python 3.10 venv) from the tests, which run on Python 3.11.

Through ``stack.rasa_server``, as the assistant runs Rasa: Rasa's own command line with the
speed-ups that change no behaviour (among them ``stack.skops_import``, which takes about 7 s
off each command that loads a model on the shared 2-core machine).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
BOT = ROOT / "bot"


def run_rasa(*args: str, timeout: float = 540) -> subprocess.CompletedProcess[str]:
    """Run ``rasa <args>`` in ``bot/`` and return the finished process (output captured)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [str(RASA_PYTHON), "-m", "stack.rasa_server", *args],
        cwd=BOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
