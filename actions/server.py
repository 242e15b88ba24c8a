"""The action server process: rasa_sdk's Sanic app plus a guidance warm-up in each worker.

``python -m actions -p 5055`` replaces ``python -m rasa_sdk --actions actions`` so the first
citizen question does not wait for the embedding model and index to load.
"""

from __future__ import annotations

import argparse
import logging
from functools import partial
from typing import Any

from rasa_sdk.endpoint import create_app_for_serve
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.worker.loader import AppLoader

from actions.metrics import install as install_metrics
from actions.resources import warm_up_guidance, warmed_up
from stack.heap import freeze_loaded

logger = logging.getLogger(__name__)


async def _warm_up(app: Sanic, loop: Any) -> None:
    """Start loading guidance in the background once the worker is serving; once loaded, the
    model and index are kept out of the garbage collector's full collections (``stack.heap``)."""
    warm_up_guidance(after_load=partial(freeze_loaded, "action server"))


async def ready(request: Request) -> HTTPResponse:
    """``GET /ready``: 200 once the warm-up has finished, 503 while it runs. The launcher and
    the load balancer wait for it (rasa_sdk's ``/health`` answers as soon as Sanic listens,
    and a question asked before the warm-up ends waited past Rasa's action timeout: "part of
    our service isn't working" for the first questions after a start with a cold cache)."""
    if warmed_up():
        return response.json({"status": "ready"})
    return response.json({"status": "warming up"}, status=503)


def create_app(action_executor: ActionExecutor, endpoints: str) -> Sanic:
    """Build rasa_sdk's app for one worker and add the warm-up listener and ``/ready``."""
    app = create_app_for_serve(action_executor, cors_origins=None, endpoints=endpoints)
    app.register_listener(_warm_up, "after_server_start")
    app.add_route(ready, "/ready", methods=["GET"])
    install_metrics(app)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the actions in this package on 127.0.0.1 (or ``--host``)."""
    parser = argparse.ArgumentParser(prog="python -m actions")
    parser.add_argument("-p", "--port", type=int, default=5055)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--endpoints", default="bot/endpoints.yml")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")

    executor = ActionExecutor()
    executor.register_package("actions")
    loader = AppLoader(factory=partial(create_app, executor, args.endpoints))
    app = loader.load()
    app.prepare(host=args.host, port=args.port, workers=1)
    logger.info("Action server on http://%s:%s", args.host, args.port)
    Sanic.serve(primary=app, app_loader=loader)
