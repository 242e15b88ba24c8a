"""The multi-instance profile of ``./assistant run``: N gateways, N Rasa servers and N action
servers behind nginx, sharing one Redis (issue 12; docs/deployment.md).

    .venv/bin/python -m deploy.cluster --instances 2 [--port 8000]

Instance ``i`` (1-based) runs its gateway on 8100+i, its Rasa on 5100+i and its action server on
5150+i, all on 127.0.0.1; gateway ``i`` talks to Rasa ``i``, which calls action server ``i``.
nginx (Debian's package, installed with apt when missing and running as root) listens on
``--port`` and spreads requests and sockets over the gateways (least connections). Gateways trust
nginx's ``X-Forwarded-For`` (``TRUSTED_PROXIES=["127.0.0.1"]``), so limits see citizens' own
addresses. Ctrl-C stops everything.
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
from pathlib import Path
from types import FrameType

from stack.processes import ProcessSpec, StackLayout, assistant_processes
from stack.runner import READY_TIMEOUT, choose_redis, layout_for
from stack.settings import StackSettings
from stack.supervisor import QuietSupervisor, http_ready

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "assistant.conf.template"
GATEWAY_BASE, RASA_BASE, ACTIONS_BASE = 8100, 5100, 5150


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


def render_nginx(prefix: Path, listen: str, gateway_ports: list[int]) -> Path:
    """Write the nginx configuration for these gateways under ``prefix``; return its path."""
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    upstreams = "\n        ".join(f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
                                  for port in gateway_ports)
    text = (TEMPLATE.read_text().replace("{{PREFIX}}", str(prefix))
            .replace("{{LISTEN}}", listen).replace("{{UPSTREAMS}}", upstreams))
    path = prefix / "nginx.conf"
    path.write_text(text)
    return path


def instance_layout(base: StackLayout, number: int) -> StackLayout:
    """Instance ``number``'s ports, trusting nginx on loopback."""
    return dataclasses.replace(
        base, gateway_port=GATEWAY_BASE + number, rasa_port=RASA_BASE + number,
        actions_port=ACTIONS_BASE + number,
        extra_env={**base.extra_env, "TRUSTED_PROXIES": json.dumps(["127.0.0.1"])})


def cluster_processes(base: StackLayout, instances: int) -> list[ProcessSpec]:
    """Every instance's action server, Rasa and gateway, named ``actions-1``, ``rasa-1``, …"""
    specs: list[ProcessSpec] = []
    for number in range(1, instances + 1):
        for spec in assistant_processes(instance_layout(base, number)):
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
    conf = render_nginx(settings.var_dir / "cluster", f"{settings.host}:{port}",
                        [GATEWAY_BASE + n for n in range(1, instances + 1)])
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
