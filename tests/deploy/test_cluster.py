"""The multi-instance profile through real processes (issue 12): two gateways behind Debian's
nginx on one Redis. Conversations, live messages and limits work whichever gateway a request
lands on; nginx passes WebSockets and the client's address; losing a gateway loses nothing.

The inner hops go through nginx too: every gateway calls the Rasa pool and every Rasa the
action-server pool, each instance's own ports still being what its readiness checks use; bare
Rasa in the load benchmark calls its action server directly. Through real nginx, a pool skips a
server that refuses connections and never resends a POST that reached one."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets

from benchmarks.load_stack import stack_processes
from deploy.cluster import (
    Pool,
    cluster_processes,
    nginx_binary,
    render_cluster_nginx,
    render_nginx,
)
from gateway.settings import Settings
from stack.processes import ProcessSpec, StackLayout
from stack.redis_server import free_port
from tests.gateway.harness import GatewayProcess, gateway_env

ROOT = Path(__file__).resolve().parents[2]
RASA_POOL, ACTIONS_POOL = "http://127.0.0.1:5100", "http://127.0.0.1:5150/webhook"


def needs_nginx() -> None:
    """Fail (not skip) without nginx: ``./assistant test`` installs Debian's package."""
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.fail("nginx is missing: ./assistant test installs it (apt-get install nginx)")


def loose_pool() -> Pool:
    """A pool on free loopback ports with nothing behind it (the gateway tests need no Rasa)."""
    return Pool(free_port(), [free_port()])


@dataclass
class Cluster:
    """Two gateways and the nginx in front of them."""

    gateways: list[GatewayProcess]
    nginx: subprocess.Popen[bytes]
    url: str


@pytest.fixture(scope="module")
def cluster(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    needs_nginx()
    tmp = tmp_path_factory.mktemp("cluster")
    env = {**gateway_env(redis_url, f"c{secrets.token_hex(3)}:"),
           "TRUSTED_PROXIES": '["127.0.0.1"]', "LIMIT_CONVERSATIONS_PER_ADDRESS": "3/minute"}
    gateways = [GatewayProcess(free_port(), env, tmp / f"gateway-{n}.log") for n in (1, 2)]
    starters = [threading.Thread(target=g.start, kwargs={"timeout": 180}) for g in gateways]
    for thread in starters:
        thread.start()
    for thread in starters:
        thread.join()
    port = free_port()
    conf = render_nginx(tmp / "nginx", f"127.0.0.1:{port}", [g.port for g in gateways],
                        rasa=loose_pool(), actions=loose_pool())
    nginx = subprocess.Popen([nginx_binary(), "-p", str(conf.parent), "-c", str(conf), "-g",
                              "daemon off;"], stderr=subprocess.STDOUT,
                             stdout=(tmp / "nginx.out").open("wb"))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        yield Cluster(gateways, nginx, url)
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for gateway in gateways:
            gateway.stop()


def create(base: str, address: str) -> httpx.Response:
    return httpx.post(f"{base}/api/conversations", headers={"x-forwarded-for": address},
                      timeout=10)


def test_messages_reach_sockets_on_every_gateway_and_through_nginx(cluster: Cluster) -> None:
    """A socket through nginx and one straight on gateway 1 both get a message sent to
    gateway 2 (and the reply stored for it), once each and in order."""
    one, two = cluster.gateways
    cid = create(cluster.url, "198.51.100.20").json()["conversation_id"]

    async def scenario() -> tuple[list[str], list[str]]:
        ws_url = cluster.url.replace("http", "ws")
        async with websockets.connect(f"{ws_url}/ws/conversations/{cid}") as via_nginx, \
                websockets.connect(f"{one.url.replace('http', 'ws')}/ws/conversations/{cid}") \
                as direct:
            for ws in (via_nginx, direct):
                await ws.send(json.dumps({"type": "resume", "after": None}))
            async with httpx.AsyncClient(base_url=two.url, timeout=10) as client:
                sent = await client.post(f"/api/conversations/{cid}/messages",
                                         json={"text": "hello from gateway two"})
                assert sent.status_code == 200

            async def roles(ws: websockets.ClientConnection) -> list[str]:
                seen: list[str] = []
                while len(seen) < 2:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if frame["type"] == "message":
                        seen.append(frame["message"]["role"])
                return seen

            return await roles(via_nginx), await roles(direct)

    via_nginx, direct = asyncio.run(scenario())
    assert via_nginx == direct == ["citizen", "system"]  # Rasa is down here: the notice


def test_limits_hold_across_gateways_for_the_forwarded_address(cluster: Cluster) -> None:
    """nginx appends the peer; the gateways believe it (trusted) and count the citizen's own
    address on both gateways: the fourth conversation in a minute is refused, another address
    is not."""
    codes = [create(cluster.url, "198.51.100.30").status_code for _ in range(4)]
    assert codes == [201, 201, 201, 429]
    assert create(cluster.url, "198.51.100.31").status_code == 201


def test_losing_a_gateway_loses_no_request(cluster: Cluster) -> None:
    """With gateway 1 stopped, nginx sends everything to gateway 2: every request succeeds."""
    cluster.gateways[0].stop()
    codes = [create(cluster.url, f"198.51.100.{40 + n}").status_code for n in range(10)]
    assert codes == [201] * 10


# --- the inner hops: Rasa and action-server pools ------------------------------------------------


def layout() -> StackLayout:
    """A layout as ``layout_for`` makes it, without training a model."""
    return StackLayout(root=ROOT, redis_url="redis://127.0.0.1:6390/0", model=Path("model.tar.gz"),
                       rasa_bin=ROOT / ".venv-rasa" / "bin" / "rasa",
                       app_python=ROOT / ".venv" / "bin" / "python", rasa_token="token")


def listening_port(spec: ProcessSpec) -> int:
    """The port a Rasa or action server spec is started on (``-p``)."""
    return int(spec.command[spec.command.index("-p") + 1])


def upstream_ports(conf: str, upstream: str) -> list[int]:
    """The server ports of one ``upstream`` block."""
    block = re.search(r"upstream " + upstream + r" \{(.*?)\}", conf, re.S)
    assert block is not None, upstream
    return [int(port) for port in re.findall(r"server 127\.0\.0\.1:(\d+) ", block.group(1))]


def server_block(conf: str, listen: str) -> str:
    """The ``server`` block listening on ``listen`` (up to its location's end)."""
    block = re.search(r"listen " + re.escape(listen) + r";(.*?)\n        \}", conf, re.S)
    assert block is not None, listen
    return block.group(1)


def test_the_rendered_pools_hold_every_instance_and_nginx_accepts_the_configuration(
        tmp_path: Path) -> None:
    """For three instances the Rasa pool (127.0.0.1:5100) holds exactly the ports the three
    Rasa servers listen on and the action pool (5150) the three action servers'; retries move
    on only on errors and timeouts, never resending a POST; upstream connections are kept
    alive; the Rasa pool waits longer than the gateway does for a turn; nginx -t accepts it."""
    needs_nginx()
    conf_path = render_cluster_nginx(tmp_path, "127.0.0.1:18000", 3)
    conf = conf_path.read_text()
    specs = {spec.name: spec for spec in cluster_processes(layout(), 3)}
    assert upstream_ports(conf, "rasa_servers") == \
        [listening_port(specs[f"rasa-{n}"]) for n in (1, 2, 3)] == [5101, 5102, 5103]
    assert upstream_ports(conf, "action_servers") == \
        [listening_port(specs[f"actions-{n}"]) for n in (1, 2, 3)] == [5151, 5152, 5153]
    assert "{{" not in conf
    directives = [line.split("#")[0] for line in conf.splitlines()]
    assert not [line for line in directives if "non_idempotent" in line]
    for listen, upstream in (("127.0.0.1:5100", "rasa_servers"),
                             ("127.0.0.1:5150", "action_servers")):
        block = server_block(conf, listen)
        assert f"proxy_pass http://{upstream};" in block
        assert "proxy_next_upstream error timeout;" in block
        assert "proxy_http_version 1.1;" in block and 'proxy_set_header Connection "";' in block
        read = re.search(r"proxy_read_timeout (\d+)s;", block)
        assert read is not None
        assert int(read.group(1)) > Settings.model_fields["rasa_timeout_seconds"].default
    for upstream in ("rasa_servers", "action_servers"):
        kept = re.search(r"upstream " + upstream + r" \{(.*?)\n    \}", conf, re.S)
        assert kept is not None and re.search(r"keepalive \d+;", kept.group(1))
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path), "-c", str(conf_path)],
                             capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr


def test_every_instance_calls_the_pools_but_is_checked_on_its_own_ports() -> None:
    """Each gateway's RASA_URL is the Rasa pool and each Rasa's ACTION_SERVER_URL the action
    pool; readiness still asks instance i's own Rasa (510i) and action server (515i)."""
    specs = {spec.name: spec for spec in cluster_processes(layout(), 2)}
    for n in (1, 2):
        for part in ("gateway", "rasa", "actions"):
            env = specs[f"{part}-{n}"].env
            assert (env["RASA_URL"], env["ACTION_SERVER_URL"]) == (RASA_POOL, ACTIONS_POOL)
        assert specs[f"rasa-{n}"].ready_url == f"http://127.0.0.1:510{n}/status?token=token"
        assert specs[f"actions-{n}"].ready_url == f"http://127.0.0.1:515{n}/ready"
        assert specs[f"gateway-{n}"].ready_url == f"http://127.0.0.1:810{n}/healthz"


def test_bare_load_stack_rasa_calls_action_server_one_directly() -> None:
    """Bare mode starts no nginx, so its Rasa 1 must call action server 1 itself; the normal
    load stack uses the pools."""
    bare = stack_processes(layout(), 2, bare=True)
    assert [spec.name for spec in bare] == ["actions-1", "rasa-1"]
    for spec in bare:
        assert spec.env["ACTION_SERVER_URL"] == "http://127.0.0.1:5151/webhook"
        assert spec.env["RASA_URL"] == "http://127.0.0.1:5101"
    pooled = stack_processes(layout(), 2, bare=False)
    assert len(pooled) == 6
    assert {spec.env["ACTION_SERVER_URL"] for spec in pooled} == {ACTIONS_POOL}


STUB = """
import os, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as nginx's upstream connections expect

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as seen:
            seen.write(body + b"\\n")
        if body == b"die":
            os._exit(1)  # received, then gone before answering
        reply = sys.argv[1].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass

ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on {port}")


def test_a_pool_skips_a_dead_server_and_never_sends_a_post_twice(tmp_path: Path) -> None:
    """Three stand-in Rasa servers behind the rendered Rasa pool, each recording every POST
    body it receives. One is SIGKILLed: it refuses connections, nginx tries it and moves on,
    and every further POST is answered by another server and recorded exactly once. Then a
    server receives a POST and dies before answering: nginx answers 502 and does not pass that
    POST on (it may have been processed), so it too is recorded once."""
    needs_nginx()
    ports = [free_port() for _ in range(3)]
    pool = Pool(free_port(), ports)
    conf = render_nginx(tmp_path / "nginx", f"127.0.0.1:{free_port()}", [free_port()],
                        rasa=pool, actions=loose_pool())
    stubs = {port: subprocess.Popen([sys.executable, "-c", STUB, str(port),
                                     str(tmp_path / f"{port}.seen")]) for port in ports}
    nginx = subprocess.Popen([nginx_binary(), "-p", str(conf.parent), "-c", str(conf), "-g",
                              "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)

    def seen(*among: int) -> list[str]:
        paths = [tmp_path / f"{port}.seen" for port in among]
        return sorted(body for path in paths if path.exists() for body in path.read_text().split())

    try:
        for port in (*ports, pool.port):
            wait_listening(port)
        # One client connection, so one nginx worker sees every request (and every failure).
        with httpx.Client(base_url=f"http://127.0.0.1:{pool.port}", timeout=10) as client:
            def post(body: str) -> httpx.Response:
                return client.post("/webhooks/rest/webhook", content=body)

            warm = [f"warm-{n}" for n in range(6)]
            assert [post(body).status_code for body in warm] == [200] * 6
            assert seen(*ports) == sorted(warm)  # all three reached, each body once

            killed, *alive = ports
            stubs[killed].kill()
            stubs[killed].wait()
            time.sleep(0.3)  # nginx drops its kept connections to the dead server
            bodies = [f"after-{n}" for n in range(20)]
            answers = [post(body) for body in bodies]
            assert all(a.status_code == 200 and int(a.text) in alive for a in answers)
            assert seen(*ports) == sorted(warm + bodies)  # each body received once
            assert not [body for body in seen(killed) if body.startswith("after-")]
            log = (conf.parent / "nginx-error.log").read_text()
            assert "Connection refused" in log  # the killed one was tried, and skipped

            assert post("die").status_code == 502
            died = next(port for port in alive if "die" in seen(port))
            assert stubs[died].wait(timeout=10) == 1
            assert seen(*ports).count("die") == 1  # not resent to the server still up
    finally:
        nginx.terminate()
        nginx.wait(timeout=10)
        for stub in stubs.values():
            stub.kill()
            stub.wait()


def test_nginx_closes_idle_gateway_connections_before_the_gateway_does() -> None:
    """Otherwise nginx may send a POST on a connection the gateway is closing, and a POST
    is not retried: the citizen gets a 502 (seen under load with uvicorn's 5 s default)."""
    from gateway.__main__ import KEEP_ALIVE_SECONDS

    template = (ROOT / "deploy" / "nginx" / "assistant.conf.template").read_text()
    block = template[template.index("upstream gateways {"):]
    block = block[: block.index("\n    }")]  # the block's own closing brace
    found = re.search(r"keepalive_timeout (\d+)s;", block)
    assert found, "the gateways upstream must say how long nginx keeps idle connections"
    assert int(found.group(1)) < KEEP_ALIVE_SECONDS

