"""Operators' metrics in Prometheus format (prometheus-client), one registry per process.

Counters and histograms are updated where things happen (the HTTP middleware here, the turn and
the Rasa call in ``gateway.turns``, refusals in ``gateway.refusals``); gauges that describe
shared state (queue lengths, advisers online) are read from Redis when ``/metrics`` is scraped.
Metric names and suggested alerts are in docs/operations.md.
"""

from __future__ import annotations

import ipaddress
import time
from typing import TYPE_CHECKING

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from gateway.runtime import Runtime

LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 21, 30, 60)
REGISTRY = CollectorRegistry(auto_describe=True)

TURN_SECONDS = Histogram(
    "csa_turn_seconds", "Time from a citizen's message to the stored reply, by stage "
    "(gateway: the whole turn; rasa: the call to Rasa, actions and retrieval included).",
    ["stage"], buckets=LATENCY_BUCKETS, registry=REGISTRY)
HTTP_REQUESTS = Counter(
    "csa_http_requests", "HTTP responses by status class (2xx, 4xx, 5xx).", ["status"],
    registry=REGISTRY)
HTTP_SECONDS = Histogram(
    "csa_http_request_seconds", "HTTP request duration.", buckets=LATENCY_BUCKETS,
    registry=REGISTRY)
ERRORS = Counter(
    "csa_errors", "Errors by where they happened (http_5xx, bot_unavailable).", ["kind"],
    registry=REGISTRY)
REFUSALS = Counter(
    "csa_refusals", "Requests refused by a rate limit or a cap, by kind.", ["kind"],
    registry=REGISTRY)
QUEUE_LENGTH = Gauge(
    "csa_queue_length", "Conversations waiting for an adviser, by queue.", ["queue"],
    registry=REGISTRY)
ADVISERS_ONLINE = Gauge("csa_advisers_online", "Advisers with the console open.",
                        registry=REGISTRY)
SOCKETS_OPEN = Gauge("csa_sockets_open", "Citizen WebSockets open on this process.",
                     registry=REGISTRY)


def status_class(status: int) -> str:
    """``2xx``, ``3xx``, ``4xx`` or ``5xx``."""
    return f"{status // 100}xx"


class MetricsMiddleware:
    """Count HTTP responses by status class and time them (WebSockets are not counted)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, noting the status it got."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, noting)
        finally:
            HTTP_REQUESTS.labels(status_class(status)).inc()
            HTTP_SECONDS.observe(time.perf_counter() - started)
            if status >= 500:
                ERRORS.labels("http_5xx").inc()


async def refresh(runtime: Runtime) -> None:
    """Read the shared gauges (queue lengths, advisers online, sockets open) now."""
    pipe = runtime.redis.pipeline(transaction=False)
    queues = list(runtime.settings.handoff_queues)
    for name in queues:
        pipe.zcard(runtime.queue.queue_key(name))
    lengths = await pipe.execute()
    for name, length in zip(queues, lengths, strict=True):
        QUEUE_LENGTH.labels(name).set(int(length))
    ADVISERS_ONLINE.set(await runtime.presence.count())
    SOCKETS_OPEN.set(runtime.sockets.total)


def may_scrape(address: str, public: bool) -> bool:
    """Whether a client may read ``/metrics``: any with ``METRICS_PUBLIC``, otherwise only
    loopback and private-network addresses (a monitoring network, not the internet)."""
    if public:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address == "testclient"  # Starlette's in-process test client
    return ip.is_loopback or ip.is_private


def exposition() -> tuple[bytes, str]:
    """The registry in the text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
