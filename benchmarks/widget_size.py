"""Measure the citizen widget's download size (JS + CSS, gzipped) against its 30 KB budget.

Run: .venv/bin/python benchmarks/widget_size.py
Prints one row per file (raw and gzip -9 bytes), the sum of the files gzipped one by one
(what a browser downloads: each module is its own request) and, as a comparison in the
same run, the whole set gzipped as one bundle. Exits 1 when the per-file sum is over budget.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDGET = ROOT / "widget"
BUDGET_BYTES = 30 * 1024


def widget_files() -> list[Path]:
    """The files a host page downloads for the citizen widget (not console or demo pages)."""
    modules = sorted((WIDGET / "src").glob("*.js"))
    return [WIDGET / "assistant.js", WIDGET / "assistant.css", *modules]


def gzipped(data: bytes) -> int:
    """Size of `data` after gzip at the highest level."""
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> int:
    """Print the table and return the exit status."""
    files = widget_files()
    rows = [(path.relative_to(ROOT).as_posix(), path.read_bytes()) for path in files]
    width = max(len(name) for name, _ in rows)
    print(f"{'file':<{width}}  {'raw B':>8}  {'gzip B':>8}")
    total_raw = total_gz = 0
    for name, data in rows:
        size = gzipped(data)
        total_raw += len(data)
        total_gz += size
        print(f"{name:<{width}}  {len(data):>8}  {size:>8}")
    bundle = gzipped(b"\n".join(data for _, data in rows))
    print(f"{'sum of files (per request)':<{width}}  {total_raw:>8}  {total_gz:>8}")
    print(f"{'one bundle (comparison)':<{width}}  {total_raw:>8}  {bundle:>8}")
    print(f"{'budget':<{width}}  {'':>8}  {BUDGET_BYTES:>8}")
    verdict = "within budget" if total_gz <= BUDGET_BYTES else "OVER BUDGET"
    share = 100 * total_gz / BUDGET_BYTES
    print(f"{total_gz / 1024:.1f} KB of {BUDGET_BYTES / 1024:.0f} KB ({share:.0f} %): {verdict}")
    return 0 if total_gz <= BUDGET_BYTES else 1


if __name__ == "__main__":
    sys.exit(main())
