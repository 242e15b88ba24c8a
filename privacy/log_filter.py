"""A logging filter that keeps full conversation ids and session tokens out of log lines."""

from __future__ import annotations

import logging

from privacy.refs import shorten_tokens


class ShortenTokens(logging.Filter):
    """Rewrites each record's message with every id- or token-like string cut to 8 characters.

    Installed on the handlers, so it also covers libraries' lines (uvicorn's WebSocket lines
    carry the path, and so the conversation id).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Shorten in place; never drops a record."""
        message = record.getMessage()
        shortened = shorten_tokens(message)
        if shortened != message:
            record.msg = shortened
            record.args = None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of ``logger`` (the root logger by default)."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, ShortenTokens) for f in handler.filters):
            handler.addFilter(ShortenTokens())
