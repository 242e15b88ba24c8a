"""Run the whole assistant: one progress line per part, the address and the staff sign-in on
the terminal; every part's full output in ``var/log/<part>.log`` (named in the output)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from stack.model import ensure_model, model_path
from stack.processes import (
    ProcessSpec,
    StackLayout,
    assistant_processes,
    embedded_redis_process,
)
from stack.redis_server import redis_answers
from stack.settings import StackSettings
from stack.supervisor import QuietSupervisor, tail

READY_TIMEOUT = 300.0


def choose_redis(settings: StackSettings) -> tuple[str, ProcessSpec | None]:
    """Use ``REDIS_URL`` when set, else a Redis already answering locally, else start our own."""
    if settings.redis_url:
        return settings.redis_url, None
    if redis_answers(settings.local_redis_url):
        return settings.local_redis_url, None
    port = settings.embedded_redis_port
    spec = embedded_redis_process(settings.var_dir / "redis", port)
    return f"redis://127.0.0.1:{port}/0", spec


def layout_for(settings: StackSettings, redis_url: str,
               train_log: Path | None = None) -> StackLayout:
    """Turn settings into the concrete layout the processes use (training the model if
    ``bot/`` changed; its output goes to ``train_log`` when given)."""
    return StackLayout(
        root=settings.root,
        redis_url=redis_url,
        model=ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin, train_log),
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
            "Staff pages on the same address: /console (advisers), /editor/ (editors), "
            "/performance (managers)",
            "Demo staff: sam (adviser), eddie (editor), meg (manager), ada (admin); "
            f"password for this run: {settings.demo_password}",
        ]
    lines.append("Press Ctrl-C to stop.")
    return "\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(settings: StackSettings) -> int:
    """Start every part quietly, print progress and the address; return when a part stops or
    on Ctrl-C (which stops them all)."""
    log_dir = settings.var_dir / "log"
    supervisor = QuietSupervisor(settings.root, log_dir, sys.stdout)
    say = supervisor.say
    redis_url, redis_spec = choose_redis(settings)
    logs = ", ".join(f"{name}.log" for name in
                     (["redis"] if redis_spec else []) + ["actions", "rasa", "gateway"])
    say(f"Starting the assistant. Full logs: {supervisor.relative(log_dir)}/ ({logs})")
    if redis_spec is None:
        say(f"  {'Redis (data store)':<34} using {redis_url}")
    if not model_path(settings.bot_dir, settings.models_dir).exists():
        train_log = log_dir / "train.log"
        say(f"  {'Dialogue model':<34} training (bot/ changed), about a minute; "
            f"log: {supervisor.relative(train_log)}")
        started = time.monotonic()
        try:
            layout = layout_for(settings, redis_url, train_log)
        except (subprocess.CalledProcessError, OSError) as exc:  # where to look, no traceback
            say(f"  Training failed ({exc.__class__.__name__}). The end of "
                f"{supervisor.relative(train_log)}:")
            for line in tail(train_log).splitlines():
                say(f"    {line}")
            return 1
        say(f"  {'Dialogue model':<34} trained ({time.monotonic() - started:.0f} s)")
    else:
        layout = layout_for(settings, redis_url)
    specs: list[ProcessSpec] = ([redis_spec] if redis_spec else []) + assistant_processes(layout)
    for spec in specs:
        if spec.name == "redis":
            supervisor.add(spec, lambda: redis_answers(redis_url))
        else:
            supervisor.add(spec)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    supervisor.start()
    try:
        if not supervisor.wait_ready(READY_TIMEOUT):
            return 1
        say(ready_message(layout.gateway_url, settings))
        return supervisor.watch()
    except KeyboardInterrupt:
        say("\n  Stopping…")
        return 0
    finally:
        supervisor.stop()
