"""The action server's ``/metrics`` (Prometheus text format): how long each action took (the
guidance action's time is mostly retrieval) and how many calls failed.

Installed on rasa_sdk's Sanic app by ``actions.server.create_app``; names in docs/operations.md.
"""

from __future__ import annotations

import re
import time

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from sanic import Request, Sanic
from sanic.response import BaseHTTPResponse, HTTPResponse, raw

REGISTRY = CollectorRegistry(auto_describe=True)
ACTION_SECONDS = Histogram(
    "csa_action_seconds", "Time the action server took to run one action, by action.",
    ["action"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10), registry=REGISTRY)
ACTION_ERRORS = Counter(
    "csa_action_errors", "Action calls that ended with a server error, by action.", ["action"],
    registry=REGISTRY)
ACTION_NAME = re.compile(r"^(action|validate|utter)_[a-z0-9_]{1,60}$")


def action_label(body: object) -> str:
    """The action named in a webhook call, or ``other`` (the label set stays bounded)."""
    name = body.get("next_action") if isinstance(body, dict) else None
    return name if isinstance(name, str) and ACTION_NAME.match(name) else "other"


async def _started(request: Request) -> None:
    request.ctx.csa_started = time.perf_counter()


async def _finished(request: Request, response: BaseHTTPResponse) -> None:
    if request.path != "/webhook" or not hasattr(request.ctx, "csa_started"):
        return
    try:
        label = action_label(request.json)
    except Exception:  # an unreadable body is counted, not raised again
        label = "other"
    ACTION_SECONDS.labels(label).observe(time.perf_counter() - request.ctx.csa_started)
    if response.status >= 500:
        ACTION_ERRORS.labels(label).inc()


async def metrics_endpoint(request: Request) -> HTTPResponse:
    """The registry in the Prometheus text format."""
    return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


def install(app: Sanic) -> None:
    """Time every webhook call and serve ``GET /metrics``."""
    app.register_middleware(_started, "request")
    app.register_middleware(_finished, "response")
    app.add_route(metrics_endpoint, "/metrics", methods=["GET"], name="csa_metrics")
