"""``python -m gateway [--host H] [--port P]`` runs the service; ``create-user`` adds a user."""

from __future__ import annotations

import argparse
import logging
import sys

import uvicorn

from gateway.settings import Settings
from privacy import log_filter
from privacy.redactor import warm_up

# How long an idle HTTP connection stays open: longer than nginx keeps its idle upstream
# connections to a gateway (``keepalive_timeout`` in deploy/nginx/assistant.conf.template), so
# nginx, never the gateway, closes them. With uvicorn's default 5 s, nginx could send a POST on
# a connection the gateway was closing, and answer 502 without retrying it (seen under load).
KEEP_ALIVE_SECONDS = 75


def serve(argv: list[str]) -> int:
    """Run uvicorn on the app factory (127.0.0.1:8000 unless told otherwise)."""
    settings = Settings()
    parser = argparse.ArgumentParser(prog="python -m gateway")
    parser.add_argument("--host", default=settings.gateway_host)
    parser.add_argument("--port", type=int, default=settings.gateway_port)
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Rasa's URLs carry its token: keep them out.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Full conversation ids and session tokens never reach a log line (uvicorn's WebSocket
    # lines carry the path): uvicorn logs through the root handler, which shortens them.
    log_filter.install()
    # spaCy and Presidio load here, before the event loop: thinc's backend is then set in the
    # context every task copies, so short messages analysed on the loop never look it up again
    # (privacy/redactor.py). The app's lifespan warms the detection thread too.
    warm_up()
    uvicorn.run("gateway.app:served_app", factory=True, host=args.host, port=args.port,
                log_level=args.log_level, timeout_graceful_shutdown=3, access_log=False,
                timeout_keep_alive=KEEP_ALIVE_SECONDS,
                log_config=None,
                ws_max_size=16384)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Dispatch to the server or the user command."""
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "create-user":
        from gateway.auth.cli import create_user

        return create_user(argv[1:])
    return serve(argv)


if __name__ == "__main__":
    raise SystemExit(main())
