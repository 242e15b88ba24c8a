"""Reading untrusted JSON without surprises: UTF-8 only, nesting bounded before parsing.

Python's parser recurses once per level, so a few kilobytes of ``[[[[…`` raise RecursionError
(which is not a ValueError and used to drop sockets). The nesting is measured first, without
recursion, and anything over ``MAX_DEPTH`` is refused like any other unreadable body.
"""

from __future__ import annotations

import json

MAX_DEPTH = 32


class BadJson(ValueError):
    """Input that is not UTF-8, not JSON, or nested too deeply; ``detail`` says which."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting outside strings (no recursion; invalid JSON allowed)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return 0  # cannot be deeper than the limit: skip the scan
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def loads(raw: str | bytes) -> object:
    """Parse ``raw`` as JSON, or raise BadJson (never RecursionError or UnicodeDecodeError)."""
    if isinstance(raw, bytes):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadJson("The request could not be read: it is not UTF-8 text.") from exc
    else:
        text = raw
    if nesting_depth(text) > MAX_DEPTH:
        raise BadJson(f"The request could not be read: it is nested more than {MAX_DEPTH} "
                      "levels deep.")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise BadJson("The request could not be read: it is not valid JSON.") from exc
    if "\\u" in text:  # an escaped lone surrogate (half a character) cannot be stored
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadJson("The request could not be read: it contains half a character "
                          "(a lone surrogate).") from exc
    return value
