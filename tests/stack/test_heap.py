"""``stack.heap.freeze_loaded`` moves what a process has loaded out of the garbage collector's
full collections, and nothing made afterwards (ADR 0306: full collections paused Rasa and the
gateway for 0.4-1.1 s under load)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from stack.heap import freeze_loaded


@pytest.fixture(autouse=True)
def _unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()  # the test process goes on collecting as before


def test_freeze_takes_what_is_alive_and_nothing_made_later() -> None:
    loaded = [[index] for index in range(10_000)]  # tracked containers, alive at the freeze
    frozen = freeze_loaded("test")
    # Frozen objects are still freed when their count drops (other threads of the test process
    # do so at any moment), so the count can only fall after the freeze, never rise.
    assert frozen >= gc.get_freeze_count() >= len(loaded)
    assert not any(loaded[0] is obj for obj in gc.get_objects())  # out of every generation
    made_later = [[1], [2]]
    assert any(made_later is obj for obj in gc.get_objects())  # still collected as usual
    assert gc.get_freeze_count() <= frozen  # nothing made after the freeze joined it


def test_cyclic_garbage_made_later_is_still_collected() -> None:
    freeze_loaded("test")

    class Node:
        partner: object = None

    first, second = Node(), Node()
    first.partner, second.partner = second, first
    del first, second
    assert gc.collect() >= 2


def test_switched_off_it_leaves_the_collector_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """``FREEZE_LOADED_HEAP=0`` is the baseline of ``benchmarks/gc_pauses.py``."""
    monkeypatch.setenv("FREEZE_LOADED_HEAP", "0")
    assert freeze_loaded("test") == 0
    assert gc.get_freeze_count() == 0


def test_the_benchmarks_tracer_writes_each_collection(tmp_path: Path) -> None:
    """``benchmarks/gc_tracer`` (loaded as ``sitecustomize`` through ``PYTHONPATH``) records
    a full collection made by ``python -m``-started code with its generation and pause, and
    records nothing without ``GC_TRACE_DIR``."""
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=f"{root / 'benchmarks' / 'gc_tracer'}{os.pathsep}{root}",
               GC_TRACE_DIR=str(tmp_path))
    subprocess.run([sys.executable, "-c", "import gc; gc.collect()"], env=env, check=True)
    traces = list(tmp_path.glob("*.tsv"))
    assert len(traces) == 1
    lines = traces[0].read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and "import gc" in lines[0]
    rows = [line.split("\t") for line in lines[1:]]
    assert [generation for _, generation, _ in rows][-1:] == ["2"]
    assert all(float(at) > 0 and float(pause) >= 0 for at, _, pause in rows)
    del env["GC_TRACE_DIR"]
    subprocess.run([sys.executable, "-c", "import gc; gc.collect()"], env=env, check=True)
    assert list(tmp_path.glob("*.tsv")) == traces
