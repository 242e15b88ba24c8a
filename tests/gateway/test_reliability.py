"""Reliability: two citizens and two advisers exchange 1,000 messages through two real gateway
processes while connections drop at random and one gateway restarts.

What must hold: every message is stored exactly once, each sender's messages keep their order,
and every client ends with exactly the conversation's stream, in order, with no duplicate.
"""

from __future__ import annotations

import asyncio
import random
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from stack.redis_server import free_port
from tests.gateway.harness import (
    GatewayProcess,
    Party,
    create_advisers,
    gateway_env,
    sign_in,
)

pytestmark = [pytest.mark.slow]

PER_PARTY = 250  # 4 parties → 1,000 messages


async def wait_for(predicate: Callable[[], Awaitable[bool]], timeout: float,
                   what: str) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.1)


async def test_thousand_messages_survive_drops_and_a_restart(redis_url: str,
                                                             tmp_path: Path) -> None:
    rng = random.Random(20261129)
    prefix = f"rel{secrets.token_hex(3)}:"
    env = gateway_env(redis_url, prefix)
    a = GatewayProcess(free_port(), env, tmp_path / "a.log")
    b = GatewayProcess(free_port(), env, tmp_path / "b.log")
    await asyncio.gather(asyncio.to_thread(a.start), asyncio.to_thread(b.start))
    bases = [a.url, b.url]
    try:
        await create_advisers(redis_url, prefix, ["sam", "kim"])
        sessions = [await sign_in(a.url, "sam"), await sign_in(b.url, "kim")]
        async with httpx.AsyncClient(timeout=30) as http:
            cids = [(await http.post(f"{base}/api/conversations")).json()["conversation_id"]
                    for base in bases]
            advisers = [Party(f"adviser{i}", cids[i], True, cookie=sessions[i][0])
                        for i in range(2)]
            citizens = [Party(f"citizen{i}", cids[i], False) for i in range(2)]
            for i, party in enumerate(advisers + citizens):
                await party.connect([bases[i % 2]])
            for citizen in citizens:
                await citizen.ws.send('{"type": "handoff", "reason": "requested"}')

            async def queued() -> bool:
                states = [(await http.get(f"{a.url}/api/conversations/{c}/state")).json()
                          for c in cids]
                return all(s["mode"] == "queued" for s in states)

            await wait_for(queued, 20, "both conversations queued")
            for i, cid in enumerate(cids):
                claim = await http.post(f"{bases[i]}/api/console/conversations/{cid}/claim",
                                        headers={"X-CSRF-Token": sessions[i][1],
                                                 "Cookie": f"csa_session={sessions[i][0]}"})
                assert claim.status_code == 200, claim.text

            parties = advisers + citizens
            sent = {"count": 0}
            restarted = asyncio.Event()
            drops = {"abrupt": 0, "polite": 0}

            async def talk(party: Party) -> None:
                for n in range(PER_PARTY):
                    if not party.alive():
                        await party.connect(rng.sample(bases, 2))
                    await party.send(f"{party.name} {n}")
                    sent["count"] += 1
                    await asyncio.sleep(rng.uniform(0, 0.01))
                    if rng.random() < 0.04:
                        abrupt = rng.random() < 0.5
                        drops["abrupt" if abrupt else "polite"] += 1
                        await party.drop(abrupt)
                        await party.connect(rng.sample(bases, 2))

            async def restart_once() -> None:
                while sent["count"] < 400:
                    await asyncio.sleep(0.05)
                await asyncio.to_thread(a.stop)
                await asyncio.to_thread(a.start)
                restarted.set()

            await asyncio.gather(restart_once(), *(talk(p) for p in parties))
            assert restarted.is_set()

            async def all_acked() -> bool:
                for party in parties:
                    if not party.alive():
                        await party.connect(rng.sample(bases, 2))
                return all(not p.outbox for p in parties)

            await wait_for(all_acked, 60, "every message acknowledged")
            streams = {}
            for cid in cids:
                history = (await http.get(f"{b.url}/api/conversations/{cid}/messages")).json()
                streams[cid] = history["messages"]

            async def all_delivered() -> bool:
                for party in parties:
                    if not party.alive():
                        await party.connect(rng.sample(bases, 2))
                return all(len(p.received) >= len(streams[p.conversation_id]) for p in parties)

            await wait_for(all_delivered, 60, "every message delivered")
        stored = [m for cid in cids for m in streams[cid] if m["role"] in ("citizen", "adviser")]
        assert len(stored) == 4 * PER_PARTY  # zero lost, zero duplicated
        for party in parties:
            mine = [m["text"] for m in streams[party.conversation_id]
                    if m["text"].startswith(party.name + " ")]
            assert mine == [f"{party.name} {n}" for n in range(PER_PARTY)]  # order kept
            assert party.duplicates == 0 and party.out_of_order == 0
            assert party.received == [m["id"] for m in streams[party.conversation_id]]
        assert drops["abrupt"] + drops["polite"] > 10
        for party in parties:
            await party.drop(abrupt=False)
    finally:
        await asyncio.gather(asyncio.to_thread(a.stop), asyncio.to_thread(b.stop))
