"""The multi-instance profile through real processes (issue 12): two gateways behind Debian's
nginx on one Redis. Conversations, live messages and limits work whichever gateway a request
lands on; nginx passes WebSockets and the client's address; losing a gateway loses nothing."""

from __future__ import annotations

import asyncio
import json
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets

from deploy.cluster import nginx_binary, render_nginx
from stack.redis_server import free_port
from tests.gateway.harness import GatewayProcess, gateway_env


@dataclass
class Cluster:
    """Two gateways and the nginx in front of them."""

    gateways: list[GatewayProcess]
    nginx: subprocess.Popen[bytes]
    url: str


@pytest.fixture(scope="module")
def cluster(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        pytest.fail("nginx is missing: ./assistant test installs it (apt-get install nginx)")
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
    conf = render_nginx(tmp / "nginx", f"127.0.0.1:{port}", [g.port for g in gateways])
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
