"""Start the real assistant's processes as children, for tests and benchmarks."""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from stack.processes import ProcessSpec, StackLayout, assistant_processes, process_env

# Tests and benchmarks send everything from 127.0.0.1: lift the per-address abuse limits
# (the limits themselves are tested on a gateway of their own, tests/gateway/test_limits.py).
ONE_CLIENT_LIMITS = {
    "LIMIT_CONVERSATIONS_PER_ADDRESS": "100000/minute",
    "LIMIT_MESSAGES_PER_ADDRESS": "100000/minute",
}


def private_layout(redis_url: str, model: Path) -> StackLayout:
    """Every part on a free port against ``redis_url``, for tests and benchmarks."""
    import secrets

    from stack.redis_server import free_port
    from stack.settings import StackSettings

    settings = StackSettings()
    return StackLayout(
        root=settings.root,
        redis_url=redis_url,
        model=model,
        rasa_bin=settings.rasa_bin,
        app_python=settings.app_python,
        rasa_token=secrets.token_urlsafe(16),
        gateway_port=free_port(),
        rasa_port=free_port(),
        actions_port=free_port(),
        extra_env={"ASSISTANT_ENV": "test", **ONE_CLIENT_LIMITS},
    )


@dataclass
class LiveStack:
    """Rasa, the action server and the gateway running against a given Redis."""

    layout: StackLayout
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def specs(self) -> dict[str, ProcessSpec]:
        """The process specs by name."""
        return {spec.name: spec for spec in assistant_processes(self.layout)}

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return self.layout.gateway_url

    def start(self, timeout: float = 180.0) -> LiveStack:
        """Start every process and wait until each one answers."""
        for name in self.specs:
            self.start_process(name, wait=False)
        for name in self.specs:
            self.wait_ready(name, timeout)
        return self

    def start_process(self, name: str, wait: bool = True, timeout: float = 180.0) -> None:
        """Start (or restart) one process by name."""
        spec = self.specs[name]
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = (self.log_dir / f"{name}.log").open("ab")
        self.processes[name] = subprocess.Popen(
            spec.command, env=process_env(spec), cwd=self.layout.root,
            stdout=log, stderr=subprocess.STDOUT,
        )
        if wait:
            self.wait_ready(name, timeout)

    def wait_ready(self, name: str, timeout: float) -> None:
        """Block until the process's ready URL answers 200, or fail with its log's tail."""
        spec = self.specs[name]
        process = self.processes[name]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited ({process.returncode}):\n{self.log_tail(name)}")
            if spec.ready_url is None:
                return
            try:
                if httpx.get(spec.ready_url, timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"{name} not ready after {timeout:.0f} s:\n{self.log_tail(name)}")

    def stop_process(self, name: str) -> None:
        """Stop one process and wait for it to exit."""
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stop(self) -> None:
        """Stop everything, gateway first."""
        for name in ("gateway", "rasa", "actions"):
            self.stop_process(name)

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last lines a process wrote, for error messages."""
        path = self.log_dir / f"{name}.log"
        if not path.exists():
            return "(no log)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
