"""Runs the assistant's processes quietly: full output to ``var/log/<part>.log``, one short
progress line per part on the terminal, and the tail of a part's log if it stops.

A person starting the assistant needs three things from the terminal: that each part came
up, the address to open and how staff sign in. Deprecation warnings and request logs stay
in the files, which the output names.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from stack.processes import ProcessSpec, process_env

LABELS = {
    "redis": "Redis (data store)",
    "actions": "Action server (guidance search)",
    "rasa": "Dialogue (Rasa)",
    "gateway": "Gateway (pages and chat)",
}
TAIL_LINES = 20


def http_ready(url: str) -> Callable[[], bool]:
    """A check that ``url`` answers 200."""
    def check() -> bool:
        try:
            return httpx.get(url, timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
    return check


def tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` lines of a log file."""
    if not path.exists():
        return "(nothing was written)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class Part:
    """One running process, where it logs, and how to tell it is ready."""

    spec: ProcessSpec
    log_path: Path
    ready_check: Callable[[], bool]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    ready: bool = False

    @property
    def label(self) -> str:
        """What the progress line calls it."""
        return LABELS.get(self.spec.name, self.spec.name)


class QuietSupervisor:
    """Start, watch and stop the parts; print one line per part."""

    def __init__(self, root: Path, log_dir: Path, out: TextIO) -> None:
        self.root = root
        self.log_dir = log_dir
        self.out = out
        self.parts: list[Part] = []

    def say(self, line: str) -> None:
        """One line of progress on the terminal."""
        print(line, file=self.out, flush=True)

    def relative(self, path: Path) -> str:
        """A path as the person sees it from the repository root."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def add(self, spec: ProcessSpec, ready_check: Callable[[], bool] | None = None) -> None:
        """Register a part; ``ready_check`` defaults to its ``ready_url`` answering 200."""
        check = ready_check or (http_ready(spec.ready_url) if spec.ready_url else (lambda: True))
        self.parts.append(Part(spec, self.log_dir / f"{spec.name}.log", check))

    def start(self) -> None:
        """Start every part, each writing only to its log file."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for part in self.parts:
            self.launch(part)

    def launch(self, part: Part, banner: str = "started") -> None:
        """Start (or restart) one part's process, appending to its log under a dated banner."""
        with part.log_path.open("ab") as log:
            log.write(f"\n===== {banner} {time.strftime('%Y-%m-%d %H:%M:%S')} =====\n".encode())
            log.flush()
            part.process = subprocess.Popen(
                part.spec.command, env=process_env(part.spec), cwd=self.root,
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True,  # Ctrl-C reaches us only; we stop the parts in order
            )
        part.started = time.monotonic()

    def stopped_part(self) -> Part | None:
        """A part whose process has exited, if any."""
        for part in self.parts:
            if part.process is not None and part.process.poll() is not None:
                return part
        return None

    def report_stopped(self, part: Part) -> None:
        """Say which part stopped, with the end of its log."""
        code = part.process.returncode if part.process else "?"
        self.say(f"  {part.label} stopped (exit code {code}). "
                 f"The end of {self.relative(part.log_path)}:")
        for line in tail(part.log_path).splitlines():
            self.say(f"    {line}")

    def wait_ready(self, timeout: float) -> bool:
        """Print a line as each part becomes ready; False if one stops or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            stopped = self.stopped_part()
            if stopped is not None:
                self.report_stopped(stopped)
                return False
            for part in self.parts:
                if not part.ready and part.ready_check():
                    part.ready = True
                    seconds = time.monotonic() - part.started
                    self.say(f"  {part.label:<34} ready ({seconds:.0f} s)")
            if all(part.ready for part in self.parts):
                return True
            time.sleep(0.5)
        waiting = [p for p in self.parts if not p.ready]
        for part in waiting:
            self.say(f"  {part.label} is still not ready after {timeout:.0f} s; "
                     f"see {self.relative(part.log_path)}")
        return False

    def watch(self) -> int:
        """Block until a part stops (then report it) and return its exit code."""
        while True:
            stopped = self.stopped_part()
            if stopped is not None:
                self.report_stopped(stopped)
                code = stopped.process.returncode if stopped.process else 1
                return code or 1
            time.sleep(0.5)

    def stop(self, grace: float = 10.0) -> None:
        """Stop every part, last started first: SIGTERM, then SIGKILL after ``grace`` s."""
        running = [p.process for p in reversed(self.parts)
                   if p.process is not None and p.process.poll() is None]
        for process in running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
