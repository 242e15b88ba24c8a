"""Garbage-collection pauses under load, with and without freezing what each process loaded
(``stack.heap``; issue 12, ADR 0306):

    .venv/bin/python benchmarks/gc_pauses.py [--seconds 60] [--citizens 50]

Runs the load test's one-instance stack twice (``benchmarks/load_stack.py``, the Locust citizens
and advisers of ``benchmarks/locustfile.py``): first with ``FREEZE_LOADED_HEAP=0`` (Python's
collector as it comes: the baseline), then as the assistant runs. Every part starts with
``benchmarks/gc_tracer`` first on its ``PYTHONPATH``, so each collection's generation and pause
is written down; the table counts those made while Locust was running, per part: full
(generation 2) collections, their total and longest pause, and the young ones' total, with the
run's messages/s and p95 beside them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load_locust import (  # noqa: E402
    ADVISERS,
    CITIZEN_CLASSES,
    Run,
    measure,
    warm_up,
)
from benchmarks.load_stack import LoadStack, start_stack  # noqa: E402
from stack.heap import SWITCH  # noqa: E402

TRACER = ROOT / "benchmarks" / "gc_tracer"
PARTS = ("gateway", "rasa", "actions")


@dataclass
class Pauses:
    """One part's collections inside the measured window."""

    full: list[float] = field(default_factory=list)
    young: list[float] = field(default_factory=list)


def pids_of(stack: LoadStack) -> dict[int, str]:
    """Each part's process ids (its own and its children's: the action server's worker)."""
    out: dict[int, str] = {}
    for name in PARTS:
        process = stack.part(f"{name}-1").process
        if process is None:
            continue
        family = psutil.Process(process.pid)
        for one in [family, *family.children(recursive=True)]:
            out[one.pid] = name
    return out


def read_traces(folder: Path, pids: dict[int, str], start: float, end: float) -> dict[str, Pauses]:
    """Collections made between ``start`` and ``end`` (wall clock), summed per part."""
    out: dict[str, Pauses] = {name: Pauses() for name in PARTS}
    for trace in folder.glob("*.tsv"):
        name = pids.get(int(trace.stem))
        if name is None:
            continue
        for line in trace.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            at, generation, pause = line.split("\t")
            if start <= float(at) <= end:
                (out[name].full if generation == "2" else out[name].young).append(float(pause))
    return out


def one_run(frozen: bool, citizens: int, seconds: int, port: int) -> tuple[Run, dict[str, Pauses]]:
    """Start the one-instance stack traced, load it, stop it; return the run and its pauses."""
    folder = Path(tempfile.mkdtemp(prefix="gc-trace-"))
    env = {"PYTHONPATH": f"{TRACER}{os.pathsep}{ROOT}", "GC_TRACE_DIR": str(folder),
           SWITCH: "1" if frozen else "0"}
    stack = start_stack(1, port, extra_env=env)
    try:
        warm_up(stack, bare=False)
        start = time.time()
        run = measure(stack.url, CITIZEN_CLASSES, citizens + ADVISERS, seconds,
                      "frozen after loading" if frozen else f"{SWITCH}=0 (baseline)", stack)
        end = time.time()
        pids = pids_of(stack)
    finally:
        stack.stop()
    return run, read_traces(folder, pids, start, end)


def main(args: argparse.Namespace) -> int:
    """Both runs, then the table."""
    (ROOT / "var" / "log" / "load").mkdir(parents=True, exist_ok=True)
    print(f"uptime before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout}",
          flush=True)
    results = [one_run(frozen, args.citizens, args.seconds, args.port) for frozen in (False, True)]
    print(f"uptime after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout}")
    print(f"\nCollections while {args.citizens} citizens chatted for {args.seconds} s "
          "(one instance behind nginx):\n")
    print("| run | part | full collections | full: total pause | full: longest | "
          "young collections: total pause | messages/s | p95 |")
    print("|---|---|---|---|---|---|---|---|")
    for run, pauses in results:
        for name in PARTS:
            seen = pauses[name]
            print(f"| {run.name} | {name} | {len(seen.full)} | {sum(seen.full):.0f} ms | "
                  f"{max(seen.full, default=0.0):.0f} ms | {sum(seen.young):.0f} ms "
                  f"({len(seen.young)}) | {run.answered_per_second:.1f} | {run.p95:.2f} s |")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--citizens", type=int, default=50)
    parser.add_argument("--port", type=int, default=8700)
    sys.exit(main(parser.parse_args()))
