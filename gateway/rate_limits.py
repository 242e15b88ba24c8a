"""Abuse limits: request rates counted in Redis (every instance shares them), the client's address,
and the per-process cap on open sockets.

Rates use the `limits` library's sliding-window counters on the gateway's own Redis pool, so a
limit holds whichever instance a request lands on. A refused request stores nothing: the citizen
gets a plain-words 429 (HTTP) or ``rate_limited`` error frame (WebSocket) and what they sent
earlier is untouched.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections import Counter
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.storage import RedisStorage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.requests import HTTPConnection

from gateway.errors import ApiError
from gateway.redis_client import StrRedis
from gateway.settings import Settings
from records.conversations import ConversationKeys

log = logging.getLogger("gateway.rate_limits")

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# WebSocket close codes (docs/contracts.md): this address has too many sockets open here;
# this gateway process is full (1013 is the standard "try again later").
CLOSE_TOO_MANY_FROM_ADDRESS = 4429
CLOSE_PROCESS_FULL = 1013

WORDS = {
    "conversations": "Too many conversations have been started from your connection. "
                     "Please wait {wait} and try again.",
    "messages": "You are sending messages faster than we can take them. Please wait {wait} and "
                "send this one again. Your earlier messages are safe.",
    "frames": "Too much is being sent on this connection. Please wait {wait}.",
    "feedback": "Thank you, we already have enough feedback from this conversation.",
}


def wait_words(seconds: int) -> str:
    """'a few seconds', '1 minute', '12 minutes' — how long to wait, in plain words."""
    if seconds <= 10:
        return "a few seconds"
    if seconds < 60:
        return f"{seconds} seconds"
    minutes = math.ceil(seconds / 60)
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class Limited(ApiError):
    """A request over one of the limits (429 ``rate_limited``), with when to try again."""

    def __init__(self, kind: str, retry_after: int) -> None:
        self.kind = kind
        self.retry_after = max(1, retry_after)
        super().__init__(429, "rate_limited",
                         WORDS[kind].format(wait=wait_words(self.retry_after)))


def parse_networks(entries: list[str]) -> list[IpNetwork]:
    """``TRUSTED_PROXIES`` entries as networks; a bad entry is a configuration error."""
    networks: list[IpNetwork] = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or range") from exc
    return networks


def _in(address: str, networks: list[IpNetwork]) -> bool | None:
    """Whether ``address`` is in ``networks``; None when it is not an IP address at all."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    return any(ip in network for network in networks)


def forwarded_client(peer: str, forwarded_for: str, trusted: list[IpNetwork]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    address in ``X-Forwarded-For`` (walking from the right) that is not a trusted proxy.

    Entries further left than that were written by the client and are never believed.
    """
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    nearest = peer
    for hop in reversed(hops):
        inside = _in(hop, trusted)
        if inside is None:  # garbage where a proxy should have written an address
            return nearest
        if not inside:
            return hop
        nearest = hop
    return nearest


@dataclass(frozen=True)
class RateLimitPolicy:
    """The parsed limits, by kind."""

    items: dict[str, list[RateLimitItem]]

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimitPolicy:
        """Parse the ``LIMIT_*`` settings (a clear error names a bad one)."""
        raw = {
            "conversations": settings.limit_conversations_per_address,
            "messages": settings.limit_messages_per_conversation,
            "messages_address": settings.limit_messages_per_address,
            "frames": settings.limit_frames_per_conversation,
            "feedback": settings.limit_feedback_per_conversation,
        }
        items: dict[str, list[RateLimitItem]] = {}
        for kind, text in raw.items():
            try:
                items[kind] = list(parse_many(text))
            except ValueError as exc:
                raise ValueError(f"limit for {kind}: {text!r} is not like '10/minute;100/hour'") \
                    from exc
        return cls(items)


class RateLimits:
    """Checks and counts requests against the limits, in Redis."""

    def __init__(self, redis: StrRedis, settings: Settings) -> None:
        self.settings = settings
        self.policy = RateLimitPolicy.from_settings(settings)
        self.trusted = parse_networks(settings.trusted_proxies)
        # The URI is required but unused: commands go through the gateway's own pool.
        # (limits documents ``connection_pool`` but annotates ``**options`` as float|str|bool.)
        storage = RedisStorage("async+redis://127.0.0.1:6379", implementation="redispy",
                               key_prefix=settings.key("limits"),
                               connection_pool=redis.connection_pool)  # type: ignore[arg-type]
        self.limiter = SlidingWindowCounterRateLimiter(storage)
        self.redis = redis

    def address(self, connection: HTTPConnection) -> str:
        """The client's address, believing X-Forwarded-For only from trusted proxies."""
        peer = connection.client.host if connection.client else "unknown"
        return forwarded_client(peer, connection.headers.get("x-forwarded-for", ""),
                                self.trusted)

    def _pseudonym(self, value: str) -> str:
        """Counters are keyed by a hash: no address or conversation id appears in a key (the
        keys expire with their longest window anyway)."""
        digest = hashlib.blake2b(value.encode(), digest_size=12,
                                 key=self.settings.redis_key_prefix.encode()[:64])
        return digest.hexdigest()

    async def _hit(self, kind: str, policy_kind: str, *identity: str) -> None:
        identity = tuple(self._pseudonym(part) for part in identity)
        for item in self.policy.items[policy_kind]:
            if not await self.limiter.hit(item, policy_kind, *identity):
                stats = await self.limiter.get_window_stats(item, policy_kind, *identity)
                retry = math.ceil(stats.reset_time - time.time())
                log.warning("rate limited: %s for %s", policy_kind, item)
                raise Limited(kind, retry)

    async def conversation_started(self, address: str) -> None:
        """Count a new conversation from ``address`` (raises Limited when over)."""
        await self._hit("conversations", "conversations", address)

    async def message(self, conversation_id: str, address: str) -> None:
        """Count a citizen message, per conversation and per address (raises Limited)."""
        await self._hit("messages", "messages", conversation_id)
        await self._hit("messages", "messages_address", address)

    async def frame(self, conversation_id: str) -> None:
        """Count one WebSocket frame of a conversation (raises Limited)."""
        await self._hit("frames", "frames", conversation_id)

    async def feedback(self, conversation_id: str, message_id: str) -> bool:
        """Count a feedback verdict: False when this message already has one (one verdict per
        message); raises Limited when over the rate.

        The verdict is remembered as ``feedback:{message id}`` in the conversation's
        ``client_ids`` hash, so it expires and is erased with the transcript.
        """
        key = ConversationKeys(self.settings.redis_key_prefix).client_ids(conversation_id)
        first = bool(await self.redis.hsetnx(key, f"feedback:{message_id}",
                                             str(int(time.time()))))
        if first:
            await self.redis.expire(key, self.settings.retention_seconds)
            await self._hit("feedback", "feedback", conversation_id)
        return first


class SocketCaps:
    """How many sockets this process holds, in total and per client address."""

    def __init__(self, settings: Settings) -> None:
        self.per_address = settings.max_sockets_per_address
        self.per_process = settings.max_sockets_per_process
        self.by_address: Counter[str] = Counter()
        self.total = 0

    def admit(self, address: str) -> int | None:
        """Take a place for a socket from ``address``; the close code when there is none."""
        if self.total >= self.per_process:
            return CLOSE_PROCESS_FULL
        if self.by_address[address] >= self.per_address:
            return CLOSE_TOO_MANY_FROM_ADDRESS
        self.by_address[address] += 1
        self.total += 1
        return None

    def release(self, address: str) -> None:
        """Give the place back when the socket closes."""
        self.total = max(0, self.total - 1)
        self.by_address[address] -= 1
        if self.by_address[address] <= 0:
            del self.by_address[address]

    @staticmethod
    def refusal_words(code: int) -> str:
        """What the refused client is told before the close."""
        if code == CLOSE_PROCESS_FULL:
            return "The service is very busy. Please try again in a minute."
        return "Too many chat windows are open from your connection. Please close some."
