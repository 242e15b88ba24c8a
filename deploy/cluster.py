"""The multi-instance profile of ``./assistant run``: N gateways, N Rasa servers and N action
servers behind nginx, sharing one Redis (issue 12; docs/deployment.md).

    .venv/bin/python -m deploy.cluster --instances 2 [--port 8000]

Instance ``i`` (1-based) runs its gateway on 8100+i, its Rasa on 5100+i and its action server on
5150+i, all on 127.0.0.1. nginx (Debian's package, installed with apt when missing and running
as root) listens on ``--port`` and spreads requests and sockets over the gateways (least
connections). It also serves the two inner hops as pools on loopback: every gateway calls the
Rasa pool on 127.0.0.1:5100 and every Rasa calls the action-server pool on 127.0.0.1:5150, so a
Rasa or action server that is down is skipped instead of failing its instance's turns (a
refused connection is tried on the next server; a request that reached a server is never sent
again). Gateways trust nginx's ``X-Forwarded-For`` (``TRUSTED_PROXIES=["127.0.0.1"]``), so
limits see citizens' own addresses. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from stack.processes import ProcessSpec, StackLayout, assistant_processes
from stack.runner import READY_TIMEOUT, choose_redis, layout_for
from stack.settings import StackSettings
from stack.supervisor import QuietSupervisor, http_ready

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "assistant.conf.template"
GATEWAY_BASE, RASA_BASE, ACTIONS_BASE = 8100, 5100, 5150
# nginx's pools listen on the base ports themselves (no instance uses them).
RASA_POOL_URL = f"http://127.0.0.1:{RASA_BASE}"
ACTIONS_POOL_URL = f"http://127.0.0.1:{ACTIONS_BASE}/webhook"


@dataclass(frozen=True)
class Pool:
    """One inner hop served by nginx on loopback: the port it listens on, the ports behind it."""

    port: int
    members: list[int]


def instance_ports(base: int, instances: int) -> list[int]:
    """The ports of instances 1..N above ``base``."""
    return [base + number for number in range(1, instances + 1)]


def nginx_binary() -> str:
    """Debian's nginx, installed with apt-get when missing (as root), else a clear error."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                      else None)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  installing nginx (apt-get install -y nginx)…", flush=True)
        subprocess.run(["apt-get", "install", "-y", "-q", "nginx"], check=True,
                       stdout=subprocess.DEVNULL)
        return shutil.which("nginx") or "/usr/sbin/nginx"
    raise SystemExit("nginx is needed for the multi-instance profile: "
                     "sudo apt-get install -y nginx")


def _servers(ports: list[int]) -> str:
    return "\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                              for port in ports)


def render_nginx(prefix: Path, listen: str, gateway_ports: list[int], *, rasa: Pool,
                 actions: Pool) -> Path:
    """Write the nginx configuration under ``prefix`` (gateways on ``listen``, the Rasa and
    action-server pools on their loopback ports); return its path."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    values = {
        "PREFIX": str(prefix), "LISTEN": listen, "UPSTREAMS": _servers(gateway_ports),
        "RASA_LISTEN": f"127.0.0.1:{rasa.port}", "RASA_UPSTREAMS": _servers(rasa.members),
        "ACTIONS_LISTEN": f"127.0.0.1:{actions.port}",
        "ACTIONS_UPSTREAMS": _servers(actions.members),
    }
    text = TEMPLATE.read_text()
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


def render_cluster_nginx(prefix: Path, listen: str, instances: int) -> Path:
    """nginx for the profile's N instances: gateways on ``listen``, the Rasa pool on
    127.0.0.1:5100 and the action-server pool on 127.0.0.1:5150."""
    return render_nginx(
        prefix, listen, instance_ports(GATEWAY_BASE, instances),
        rasa=Pool(RASA_BASE, instance_ports(RASA_BASE, instances)),
        actions=Pool(ACTIONS_BASE, instance_ports(ACTIONS_BASE, instances)))


def instance_layout(base: StackLayout, number: int, *, pooled: bool = True) -> StackLayout:
    """Instance ``number``'s ports, trusting nginx on loopback. ``pooled``: its gateway calls
    the Rasa pool and its Rasa the action-server pool (nginx must run); otherwise they call
    Rasa ``number`` and action server ``number`` directly. Readiness checks always use the
    instance's own ports (``layout.rasa_url``, ``layout.actions_port``)."""
    env = {**base.extra_env, "TRUSTED_PROXIES": json.dumps(["127.0.0.1"])}
    if pooled:  # extra_env is applied after the layout's own URLs (stack.processes.shared_env)
        env.update(RASA_URL=RASA_POOL_URL, ACTION_SERVER_URL=ACTIONS_POOL_URL)
    return dataclasses.replace(
        base, gateway_port=GATEWAY_BASE + number, rasa_port=RASA_BASE + number,
        actions_port=ACTIONS_BASE + number, extra_env=env)


def cluster_processes(base: StackLayout, instances: int, *,
                      pooled: bool = True) -> list[ProcessSpec]:
    """Every instance's action server, Rasa and gateway, named ``actions-1``, ``rasa-1``, …
    (calling each other through nginx's pools unless ``pooled`` is false)."""
    specs: list[ProcessSpec] = []
    for number in range(1, instances + 1):
        for spec in assistant_processes(instance_layout(base, number, pooled=pooled)):
            specs.append(dataclasses.replace(spec, name=f"{spec.name}-{number}"))
    return specs


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(instances: int, port: int) -> int:
    """Start Redis (if needed), N instances and nginx; return when a part stops or on Ctrl-C."""
    settings = StackSettings()
    nginx = nginx_binary()
    log_dir = settings.var_dir / "log" / "cluster"
    supervisor = QuietSupervisor(settings.root, log_dir, sys.stdout)
    redis_url, redis_spec = choose_redis(settings)
    base = layout_for(settings, redis_url, log_dir / "train.log")
    conf = render_cluster_nginx(settings.var_dir / "cluster", f"{settings.host}:{port}",
                                instances)
    if redis_spec is not None:
        supervisor.add(redis_spec)
    for spec in cluster_processes(base, instances):
        supervisor.add(spec)
    url = f"http://{settings.host}:{port}"
    supervisor.add(ProcessSpec(name="nginx", command=[nginx, "-p", str(conf.parent), "-c",
                                                      str(conf), "-g", "daemon off;"]),
                   http_ready(f"{url}/healthz"))
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    supervisor.say(f"Starting {instances} instances behind nginx; logs: "
                   f"{supervisor.relative(log_dir)}/")
    supervisor.start()
    try:
        if not supervisor.wait_ready(READY_TIMEOUT * instances):
            return 1
        supervisor.say(f"\n  The assistant is ready: open {url} ({instances} instances)\n"
                       "  Press Ctrl-C to stop.\n")
        return supervisor.watch()
    except KeyboardInterrupt:
        supervisor.say("\n  Stopping…")
        return 0
    finally:
        supervisor.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="N instances of the assistant behind nginx")
    parser.add_argument("--instances", type=int, default=2)
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    if args.instances < 1:
        parser.error("--instances must be at least 1")
    sys.exit(run(args.instances, args.port))
