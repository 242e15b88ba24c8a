"""Redis failover through Sentinel (issue 12), with real processes: Debian's ``redis-server``
7 as a master, a replica and a Sentinel on free ports. The gateway's client factory and the
blocking factory (action server, editor) connect through the Sentinel; the master is killed
with SIGKILL and the Sentinel promotes the replica; both clients then keep writing and read what
was written before the kill, without being rebuilt. Rasa's tracker and lock stores, run in the
Rasa venv, do the same."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
from redis.exceptions import RedisError, ResponseError

from gateway.redis_client import connect
from records.redis_connect import sentinel_addresses, sync_client
from stack.redis_server import free_port
from tests.gateway.conftest import gateway_settings

MASTER = "assistant"
REDIS_SERVER = shutil.which("redis-server")


@dataclass
class Group:
    """The master, replica and Sentinel processes and their ports."""

    master: subprocess.Popen[bytes]
    replica: subprocess.Popen[bytes]
    sentinel: subprocess.Popen[bytes]
    master_port: int
    replica_port: int
    sentinel_port: int

    def sentinel_client(self) -> redis.Redis:
        """A plain client of the Sentinel itself."""
        return redis.Redis(port=self.sentinel_port, decode_responses=True, socket_timeout=2)

    def master_address(self) -> tuple[str, int]:
        """What the Sentinel says the master is now."""
        reply = self.sentinel_client().execute_command(
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
        return str(reply[0]), int(reply[1])


def wait_until(what: str, check: object, seconds: float) -> None:
    """Poll ``check()`` until it is true; fail naming ``what`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except RedisError:
            pass
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s")


def hurry_failover(group: Group) -> None:
    """Ask the Sentinel to fail over now. It may refuse (``NOGOODSLAVE``: it has not yet
    refreshed what the replica reports since the kill); it then fails over by itself after
    ``down-after-milliseconds``, which the caller's wait covers."""
    with contextlib.suppress(ResponseError):
        group.sentinel_client().sentinel_failover(MASTER)


def start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    """A redis-server child process logging to ``log``."""
    assert REDIS_SERVER is not None
    return subprocess.Popen([REDIS_SERVER, *args], stdout=log.open("wb"),
                            stderr=subprocess.STDOUT)


@pytest.fixture
def group(tmp_path: Path) -> Iterator[Group]:
    if REDIS_SERVER is None:
        pytest.skip("Debian's redis-server is not installed: this test needs a real master, "
                    "replica and Sentinel (apt-get install redis-server)")
    master_port, replica_port, sentinel_port = free_port(), free_port(), free_port()
    common = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    master = start(["--port", str(master_port), *common, "--dbfilename", "m.rdb"],
                   tmp_path / "master.log")
    replica = start(["--port", str(replica_port), *common, "--dbfilename", "r.rdb",
                     "--replicaof", "127.0.0.1", str(master_port)], tmp_path / "replica.log")
    conf = tmp_path / "sentinel.conf"
    conf.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\ndir {tmp_path}\n"
        f"sentinel monitor {MASTER} 127.0.0.1 {master_port} 1\n"
        f"sentinel down-after-milliseconds {MASTER} 1000\n"
        f"sentinel failover-timeout {MASTER} 5000\n")
    sentinel = start([str(conf), "--sentinel"], tmp_path / "sentinel.log")
    found = Group(master, replica, sentinel, master_port, replica_port, sentinel_port)
    try:
        replica_client = redis.Redis(port=replica_port, decode_responses=True)
        wait_until("replication to the replica",
                   lambda: replica_client.info("replication")["master_link_status"] == "up", 15)
        wait_until("the Sentinel seeing the replica", lambda: any(
            int(r["port"]) == replica_port
            for r in found.sentinel_client().sentinel_slaves(MASTER)), 15)
        yield found
    finally:
        for process in (sentinel, replica, master):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=10)


def test_clients_follow_the_master_through_sentinel_failover(group: Group) -> None:
    """Writes before the kill are read back from the promoted replica; the same client objects
    write again once the Sentinel names the new master (a few failed commands in between are
    expected: the citizen's message is then refused and resent, ADR 0300)."""
    settings = gateway_settings("redis://ignored-host:1/0",
                                redis_sentinels=f"127.0.0.1:{group.sentinel_port}",
                                redis_sentinel_master=MASTER)
    blocking = sync_client(settings.redis_url, settings.redis_sentinels, MASTER)

    async def scenario() -> tuple[str | None, list[tuple[str, dict[str, str]]], int]:
        client = connect(settings)
        try:
            await client.set("before", "kept")
            await client.xadd("conv", {"text": "first"})
            assert blocking.get("before") == "kept"
            # the write has reached the replica before the master dies
            assert redis.Redis(port=group.master_port).wait(1, 2000) == 1

            group.master.send_signal(signal.SIGKILL)
            group.master.wait(timeout=5)
            hurry_failover(group)
            await asyncio.to_thread(wait_until, "the failover to the replica",
                                    lambda: group.master_address()[1] == group.replica_port, 20)
            failures = 0
            deadline = time.monotonic() + 10
            while True:
                try:
                    await client.xadd("conv", {"text": "second"})
                    break
                except RedisError:
                    failures += 1
                    assert time.monotonic() < deadline, "the gateway client never recovered"
                    await asyncio.sleep(0.2)
            return await client.get("before"), await client.xrange("conv"), failures
        finally:
            await client.aclose()

    before, entries, failures = asyncio.run(scenario())
    assert before == "kept"
    assert [fields["text"] for _, fields in entries] == ["first", "second"]
    print(f"commands refused during failover: {failures}")
    assert failures <= 3, failures
    wait_until("the blocking client writing to the new master",
               lambda: blocking.set("after", "written"), 10)
    assert blocking.get("after") == "written"
    promoted = redis.Redis(port=group.replica_port, decode_responses=True)
    assert promoted.info("replication")["role"] == "master"
    assert promoted.get("after") == "written" and promoted.xlen("conv") == 2
    blocking.close()


@pytest.mark.parametrize("text", ["localhost", "host:", ":26379", "h:70000", "h:port"])
def test_a_bad_sentinel_list_is_refused_with_the_setting_named(text: str) -> None:
    with pytest.raises(ValueError, match="REDIS_SENTINELS"):
        sentinel_addresses(text)


def test_sentinel_list_parses_and_empty_means_none() -> None:
    assert sentinel_addresses("") == []
    assert sentinel_addresses(" a:26379, b:26380 ,") == [("a", 26379), ("b", 26380)]


RASA_SIDE = """
import asyncio, json, sys
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from rasa.core.lock_store import LockStore
from privacy.rasa_tracker_store import RedactingRedisTrackerStore
from stack import rasa_redis

phase = sys.argv[1]
rasa_redis.install()  # what stack.rasa_server does before running Rasa
# Rasa's own host and port point nowhere: only the Sentinels can lead to Redis.
lock = LockStore.create(EndpointConfig(url="127.0.0.1", type="redis", port=1, db=0,
                                       key_prefix="csa"))
assert type(lock).__name__ == "SentinelRedisLockStore", type(lock)
store = RedactingRedisTrackerStore(domain=Domain.empty(), host="127.0.0.1", port=1,
                                   key_prefix="csa", record_exp=600)
tracker = DialogueStateTracker.from_events("conv-" + phase, [UserUttered("hello " + phase)])
asyncio.run(store.save(tracker))
lock.issue_ticket("conv-" + phase, 60)
earlier = asyncio.run(store.retrieve("conv-before"))
users = [e.text for e in earlier.events if isinstance(e, UserUttered)] if earlier else None
print(json.dumps({"earlier": users, "lock": lock.red.exists("csa:lock:conv-" + phase)}))
"""


def rasa_side(group: Group, phase: str) -> dict[str, object]:
    """Run Rasa's tracker and lock stores (Rasa venv) through the Sentinel; their report."""
    from stack.settings import StackSettings

    settings = StackSettings()
    python = settings.rasa_bin.parent / "python"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.root),
           "REDIS_SENTINELS": f"127.0.0.1:{group.sentinel_port}",
           "REDIS_SENTINEL_MASTER": MASTER, "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([str(python), "-c", RASA_SIDE, phase], cwd=settings.root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_rasa_stores_follow_the_master_through_sentinel_failover(group: Group) -> None:
    """Rasa's tracker store and lock store (as bot/endpoints.yml and stack.rasa_server build
    them, in the Rasa venv) reach Redis only through the Sentinel: they write before the
    primary dies, and after the failover write again and read the tracker saved before."""
    assert rasa_side(group, "before") == {"earlier": ["hello before"], "lock": 1}
    assert redis.Redis(port=group.master_port).wait(1, 2000) == 1
    group.master.send_signal(signal.SIGKILL)
    group.master.wait(timeout=5)
    hurry_failover(group)
    wait_until("the failover to the replica",
               lambda: group.master_address()[1] == group.replica_port, 20)
    assert rasa_side(group, "after") == {"earlier": ["hello before"], "lock": 1}
    promoted = redis.Redis(port=group.replica_port, decode_responses=True)
    assert promoted.exists("csa:tracker:conv-after") == 1


def test_editor_command_reaches_the_master_through_sentinel(group: Group) -> None:
    """``python -m gateway.editor sync`` with only Sentinels to go by (REDIS_URL names no
    reachable server) stores the articles on the master."""
    from editorial.keys import EditorKeys

    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, REDIS_URL="redis://ignored-host:1/0",
               REDIS_SENTINELS=f"127.0.0.1:{group.sentinel_port}",
               REDIS_SENTINEL_MASTER=MASTER, REDIS_KEY_PREFIX="sentinel-test:")
    done = subprocess.run([sys.executable, "-m", "gateway.editor", "sync", "--dir",
                           str(root / "knowledge/articles")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "imported" in done.stdout
    master = redis.Redis(port=group.master_port, decode_responses=True)
    assert master.exists(EditorKeys("sentinel-test:").articles)
