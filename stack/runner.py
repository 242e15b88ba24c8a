"""Run the whole assistant under honcho, printing one URL when it is ready."""

from __future__ import annotations

import shlex
import threading
import time

import httpx
from honcho.manager import Manager

from stack.model import ensure_model
from stack.processes import (
    ProcessSpec,
    StackLayout,
    assistant_processes,
    embedded_redis_process,
    process_env,
)
from stack.redis_server import redis_answers
from stack.settings import StackSettings


def choose_redis(settings: StackSettings) -> tuple[str, ProcessSpec | None]:
    """Use ``REDIS_URL`` when set, else a Redis already answering locally, else start our own."""
    if settings.redis_url:
        return settings.redis_url, None
    if redis_answers(settings.local_redis_url):
        return settings.local_redis_url, None
    port = settings.embedded_redis_port
    spec = embedded_redis_process(settings.var_dir / "redis", port)
    return f"redis://127.0.0.1:{port}/0", spec


def layout_for(settings: StackSettings, redis_url: str) -> StackLayout:
    """Turn settings into the concrete layout the processes use."""
    return StackLayout(
        root=settings.root,
        redis_url=redis_url,
        model=ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin),
        rasa_bin=settings.rasa_bin,
        app_python=settings.app_python,
        rasa_token=settings.rasa_token,
        host=settings.host,
        gateway_port=settings.gateway_port,
        rasa_port=settings.rasa_port,
        actions_port=settings.actions_port,
        extra_env={
            "ASSISTANT_ENV": settings.assistant_env,
            "DEMO_USERS": "true" if settings.demo_users else "false",
            "DEMO_PASSWORD": settings.demo_password,
        },
    )


def ready_message(url: str, settings: StackSettings) -> str:
    """What to print once everything answers: the URL, and how staff sign in."""
    lines = [f"The assistant is ready: open {url}"]
    if settings.demo_users and settings.assistant_env != "production":
        lines += [
            "Staff pages on the same address: /console (advisers), /editor/ (editors)",
            "Demo staff: sam (adviser), eddie (editor), ada (admin); "
            f"password for this run: {settings.demo_password}",
        ]
    lines.append("Press Ctrl-C to stop.")
    return "\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def announce_when_ready(
    url: str, message: str, stop: threading.Event, timeout: float = 300.0
) -> None:
    """Poll the gateway's readiness and print the one URL a person needs."""
    deadline = time.monotonic() + timeout
    while not stop.is_set() and time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                print(message, flush=True)
                return
        except httpx.HTTPError:
            pass
        stop.wait(1.0)
    if not stop.is_set():
        print(f"\n  Still not ready after {timeout:.0f} s; see {url}/readyz\n", flush=True)


def run(settings: StackSettings) -> int:
    """Start every process; return when one exits or on Ctrl-C (which stops them all)."""
    redis_url, redis_spec = choose_redis(settings)
    layout = layout_for(settings, redis_url)
    specs = ([redis_spec] if redis_spec else []) + assistant_processes(layout)
    print(f"Redis: {redis_url}" + (" (embedded, data in var/redis)" if redis_spec else ""))
    manager = Manager()
    for spec in specs:
        manager.add_process(spec.name, shlex.join(spec.command), env=process_env(spec),
                            cwd=str(settings.root))
    stop = threading.Event()
    watcher = threading.Thread(
        target=announce_when_ready,
        args=(layout.gateway_url, ready_message(layout.gateway_url, settings), stop),
        daemon=True,
    )
    watcher.start()
    try:
        manager.loop()
    finally:
        stop.set()
    return manager.returncode or 0


