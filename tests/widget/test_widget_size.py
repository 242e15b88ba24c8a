"""The citizen widget stays within its download budget (JS + CSS under 30 KB gzipped).

Runs benchmarks/widget_size.py, which prints the per-file table; it exits non-zero over budget.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_widget_is_under_30_kb_gzipped() -> None:
    """The sum of the gzipped files a host page downloads is within 30 KB."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "widget_size.py")],
        capture_output=True, text=True, check=False, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "within budget" in result.stdout
