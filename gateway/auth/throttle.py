"""Slow down password guessing without letting a guesser lock anyone out (issue 12).

Failures are counted per (username, address) and per address, never per username alone: someone
guessing ``sam``'s password from their own address cannot stop Sam signing in from his. Past a
threshold each further failure doubles the wait before the next attempt from there (1 s, 2 s,
4 s, … up to ``LOGIN_DELAY_MAX_SECONDS``). Counts are forgotten a day after the last failure;
a good sign-in clears its (username, address) count.
"""

from __future__ import annotations

import hashlib
import math
import time

from gateway.redis_client import StrRedis
from gateway.settings import Settings

FORGET_SECONDS = 24 * 3600

# KEYS: counter hash. ARGV: now. Counts one failure; returns the new count.
FAIL_SCRIPT = """
local n = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return n
"""


def delay_after(failures: int, threshold: int, max_seconds: int) -> int:
    """Seconds to wait after ``failures`` failures: none below ``threshold``, then doubling."""
    if failures < threshold:
        return 0
    return int(min(max_seconds, 2 ** min(failures - threshold, 30)))


class LoginThrottle:
    """Failure counters per (username, address) and per address, with growing delays."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.redis = redis
        self.settings = settings
        self._fail = redis.register_script(FAIL_SCRIPT)

    def _digest(self, *parts: str) -> str:
        """Keys carry a hash, not the address or username."""
        joined = "\x00".join(part[:256] for part in parts)
        return hashlib.blake2b(joined.encode(), digest_size=12,
                               key=self.settings.redis_key_prefix.encode()[:64]).hexdigest()

    def keys(self, username: str, address: str) -> tuple[str, str]:
        """The (username, address) counter and the address counter."""
        return (self.settings.key("login_fail", "ua", self._digest(username, address)),
                self.settings.key("login_fail", "a", self._digest(address)))

    async def wait_seconds(self, username: str, address: str, now: float | None = None) -> int:
        """How long this username from this address must wait before trying again (0: now)."""
        now = time.time() if now is None else now
        pair_key, address_key = self.keys(username, address)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(pair_key, "count", "last")
        pipe.hmget(address_key, "count", "last")
        pair, by_address = await pipe.execute()
        settings = self.settings
        waits = [0.0]
        for (count, last), threshold in ((pair, settings.login_failures_per_user_address),
                                         (by_address, settings.login_failures_per_address)):
            if count is None or last is None:
                continue
            delay = delay_after(int(count), threshold, settings.login_delay_max_seconds)
            waits.append(float(last) + delay - now)
        return max(0, math.ceil(max(waits)))

    async def failed(self, username: str, address: str, now: float | None = None) -> None:
        """Count one failure for the pair and for the address."""
        now = time.time() if now is None else now
        for key in self.keys(username, address):
            await self._fail(keys=[key], args=[f"{now:.3f}", FORGET_SECONDS])

    async def succeeded(self, username: str, address: str) -> None:
        """Forget this pair's failures after a good sign-in (the address count stays)."""
        await self.redis.delete(self.keys(username, address)[0])
