"""Records every garbage collection of the process it is loaded into (``benchmarks/gc_pauses.py``).

Python imports ``sitecustomize`` from ``sys.path`` at start-up; the benchmark puts this folder
first on ``PYTHONPATH`` for the parts it starts and names a folder in ``GC_TRACE_DIR``. Each
process then appends one line per collection to ``<GC_TRACE_DIR>/<pid>.tsv``: wall-clock end
time, generation, pause in milliseconds. Without ``GC_TRACE_DIR`` it does nothing. Standard
library only (it runs in the Rasa venv too); never loaded by the assistant itself.
"""

from __future__ import annotations

import os

if os.environ.get("GC_TRACE_DIR"):
    import gc
    import sys
    import time

    _path = os.path.join(os.environ["GC_TRACE_DIR"], f"{os.getpid()}.tsv")
    _started = [0.0]

    try:  # complete even for ``python -m``, whose sys.argv is not set yet
        with open("/proc/self/cmdline", "rb") as _cmdline:
            _command = _cmdline.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        _command = " ".join(sys.argv)
    with open(_path, "a", encoding="utf-8") as _out:
        _out.write(f"# {_command[:200]}\n")

    def _record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            _started[0] = time.perf_counter()
            return
        pause = (time.perf_counter() - _started[0]) * 1000
        with open(_path, "a", encoding="utf-8") as out:
            out.write(f"{time.time():.3f}\t{info['generation']}\t{pause:.2f}\n")

    gc.callbacks.append(_record)
