"""Start and stop the multi-instance profile for the load benchmarks (issue 12, item 6).

The same processes as ``python -m deploy.cluster --instances N`` (its ``cluster_processes`` and
nginx configuration, with the Rasa and action-server pools), on a private Redis (so counting
stored messages sees only this run, and other work on the machine's Redis is untouched), with:

- limits raised so one simulated citizen sending back to back is not refused (every citizen still
  has its own forwarded address, and every limit check still runs);
- advisers' opening hours covering the whole week, so handoffs reach the queue at any hour;
- a known demo password, so the Locust advisers can sign in;
- ``restart``: a part that dies is started again after the delay of its systemd unit
  (``Restart=on-failure``, ``RestartSec`` in deploy/systemd), which ``deploy.cluster`` itself
  does not do (it stops everything when one part stops).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.cluster import (  # noqa: E402
    RASA_BASE,
    cluster_processes,
    nginx_binary,
    render_cluster_nginx,
)
from stack.processes import ProcessSpec, StackLayout  # noqa: E402
from stack.redis_server import EmbeddedRedis, start_embedded_redis  # noqa: E402
from stack.runner import READY_TIMEOUT, layout_for  # noqa: E402
from stack.settings import StackSettings  # noqa: E402
from stack.supervisor import Part, QuietSupervisor, http_ready  # noqa: E402

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RESTART_SECONDS = {"gateway": 2.0, "rasa": 5.0, "actions": 5.0}  # deploy/systemd RestartSec
LOAD_ENV = {
    "LIMIT_CONVERSATIONS_PER_ADDRESS": "1000/minute",
    "LIMIT_MESSAGES_PER_CONVERSATION": "1000/minute",
    "LIMIT_MESSAGES_PER_ADDRESS": "1000/minute",
    "LIMIT_FRAMES_PER_CONVERSATION": "5000/minute",
    "OPENING_SCHEDULE": json.dumps({day: [["00:00", "24:00"]] for day in WEEK}),
}


@dataclass
class LoadStack:
    """A running set of parts on a private Redis; ``url`` is nginx (or Rasa 1 when bare)."""

    supervisor: QuietSupervisor
    redis: EmbeddedRedis
    url: str
    password: str
    rasa_token: str
    restarts: list[str] = field(default_factory=list)
    _watch: threading.Thread | None = None
    _stop_watch: threading.Event = field(default_factory=threading.Event)

    def part(self, name: str) -> Part:
        """The part called ``name`` (``gateway-1``, ``rasa-2``, ``nginx``…)."""
        return next(p for p in self.supervisor.parts if p.spec.name == name)

    def kill(self, name: str) -> None:
        """SIGKILL a part's whole process group (as a crash or an OOM kill would)."""
        process = self.part(name).process
        assert process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop_part(self, name: str) -> None:
        """Stop one part for good (SIGTERM, then SIGKILL)."""
        process = self.part(name).process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill(name)

    def supervise(self) -> None:
        """Restart parts that die, after their systemd ``RestartSec`` (in a thread)."""
        def loop() -> None:
            due: dict[str, float] = {}
            while not self._stop_watch.wait(0.5):
                for part in self.supervisor.parts:
                    if part.process is None or part.process.poll() is None:
                        continue
                    kind = part.spec.name.split("-")[0]
                    when = due.setdefault(part.spec.name,
                                          time.monotonic() + RESTART_SECONDS.get(kind, 2.0))
                    if time.monotonic() >= when:
                        del due[part.spec.name]
                        self.supervisor.launch(part, "restarted")
                        self.restarts.append(part.spec.name)
        self._watch = threading.Thread(target=loop, name="restarter", daemon=True)
        self._watch.start()

    def wait_all_ready(self, timeout: float) -> bool:
        """True once every part answers its readiness check again."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(p.ready_check() for p in self.supervisor.parts
                   if p.process is not None and p.process.poll() is None):
                return True
            time.sleep(1)
        return False

    def stop(self) -> None:
        """Stop every part and the private Redis."""
        self._stop_watch.set()
        if self._watch is not None:
            self._watch.join()
        self.supervisor.stop()
        self.redis.stop()


def stack_processes(base: StackLayout, instances: int, *, bare: bool) -> list[ProcessSpec]:
    """The parts ``start_stack`` runs besides nginx: every instance's, calling each other
    through nginx's pools; or, ``bare``, Rasa 1 calling action server 1 directly (no nginx)."""
    if bare:
        return [spec for spec in cluster_processes(base, 1, pooled=False)
                if spec.name in ("actions-1", "rasa-1")]
    return cluster_processes(base, instances)


def start_stack(instances: int, port: int, *, bare: bool = False,
                extra_env: Mapping[str, str] | None = None) -> LoadStack:
    """Start N instances behind nginx on ``port``, gateways calling Rasa and Rasa calling the
    action servers through nginx's pools (``deploy.cluster``); or, ``bare``, only Rasa 1 and
    action server 1, with no nginx and Rasa 1 calling action server 1 directly. On a private
    Redis; ``extra_env`` is added to every part's environment. Return once every part is
    ready."""
    password = secrets.token_urlsafe(12)
    settings = StackSettings(demo_password=password)
    tmp = Path(tempfile.mkdtemp(prefix="load-redis-"))
    redis = start_embedded_redis(tmp, appendonly=False)
    log_dir = settings.var_dir / "log" / "load"
    supervisor = QuietSupervisor(settings.root, log_dir, sys.stdout)
    base = layout_for(settings, redis.url, log_dir / "train.log")
    base = dataclasses.replace(base, extra_env={**base.extra_env, **LOAD_ENV, **(extra_env or {})})
    specs = stack_processes(base, instances, bare=bare)
    for spec in specs:
        supervisor.add(spec)
    if bare:
        url = f"http://127.0.0.1:{RASA_BASE + 1}"
    else:
        conf = render_cluster_nginx(settings.var_dir / "load-nginx", f"127.0.0.1:{port}",
                                    instances)
        url = f"http://127.0.0.1:{port}"
        # nginx is asked only once every gateway answers on its own: a probe through nginx to
        # a gateway still starting marks it down (max_fails), and the run's first burst of
        # requests then met "no live upstreams" (502) until the marks expired.
        gateways = [http_ready(s.ready_url) for s in specs
                    if s.name.startswith("gateway") and s.ready_url]
        through_nginx = http_ready(f"{url}/healthz")
        supervisor.add(ProcessSpec(name="nginx", command=[
            nginx_binary(), "-p", str(conf.parent), "-c", str(conf), "-g", "daemon off;"]),
            lambda: all(check() for check in gateways) and through_nginx())
    stack = LoadStack(supervisor, redis, url, password, settings.rasa_token)
    supervisor.start()
    if not supervisor.wait_ready(READY_TIMEOUT * max(1, instances)):
        stack.stop()
        raise SystemExit("the stack did not become ready; see var/log/load/")
    return stack
