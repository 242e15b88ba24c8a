"""The gateway's view of redaction: one detection per message, several redacted copies.

Each citizen message is analysed once (Presidio + spaCy), then:

- ``full``: every kind removed, for analytics, gaps, logs and Rasa's stored tracker;
- ``transcript``: only the kinds no adviser needs (``TRANSCRIPT_KINDS``) removed, for the
  conversation transcript an adviser reads (names, addresses and phone numbers stay: a
  callback needs them, and the transcript expires with the conversation).

If the spaCy model cannot be loaded the regular expressions of ``privacy.redaction`` are used
and a warning is logged once; nothing is ever stored unredacted because of it.

Where the analysis runs (``redactions_async``): a message of up to ``INLINE_MAX_CHARS``
characters (every question of the guidance set; a few milliseconds at most, with names) is
analysed in the calling task, on the event loop; a longer one in one dedicated worker thread,
so a long message never holds the loop for tens of milliseconds. Handing each message to the
thread and back cost the gateway about 0.4 ms of CPU per turn (an executor call, a wake-up of
the loop, the GIL passed back and forth), and under the GIL the loop gained little while the
thread ran (ADR 0306, fifteenth session). Both places find the same spans.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from privacy.redaction import ALL_KINDS, RedactionResult, Span, apply_spans, find_spans

log = logging.getLogger("privacy.redactor")

TRANSCRIPT_KINDS: tuple[str, ...] = ("ni_number", "card_number", "bank_details",
                                     "date_of_birth", "email")
# Longer messages are analysed in the worker thread (about 5 ms of CPU at this length, with
# names; 20 ms at the 1,000-character limit).
INLINE_MAX_CHARS = 200


@dataclass(frozen=True)
class Redactions:
    """The redacted copies of one message."""

    full: RedactionResult
    transcript: RedactionResult


T = TypeVar("T")
_fallback_warned = threading.Event()
_worker_lock = threading.Lock()
_worker: ThreadPoolExecutor | None = None


def _detection_thread() -> ThreadPoolExecutor:
    """The one thread long messages are analysed in, started on first use.

    One thread, not ``asyncio.to_thread``: thinc keeps the current ops in a context variable,
    and ``to_thread`` runs each call in a fresh copy of the caller's context, where it is never
    set, so every call looked up thinc's backends again (entry points and failed imports,
    about 5 % of the gateway's CPU per turn). Here the thread's own context keeps it. spaCy
    gains nothing from a second thread under the GIL, and one thread never shares a pipeline.
    (On the event loop, ``warm_up`` sets it in the context every task copies: see there.)
    """
    global _worker
    with _worker_lock:
        if _worker is None:
            _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="redaction")
        return _worker


def find_all(text: str) -> list[Span]:
    """Every piece of personal data in ``text`` (spaCy through Presidio; regex if unavailable)."""
    try:
        from privacy.detection import shared_detector

        detector = shared_detector()
    except (ImportError, OSError) as exc:  # the model package is missing or broken
        if not _fallback_warned.is_set():
            _fallback_warned.set()
            log.warning("spaCy detector unavailable (%s); using regular expressions only",
                        type(exc).__name__)
        return find_spans(text, ALL_KINDS)
    return [Span(f.kind, f.start, f.end) for f in detector.find(text)]


def redactions(text: str) -> Redactions:
    """The full and transcript copies of ``text`` (one analysis)."""
    spans = find_all(text)
    return Redactions(
        full=apply_spans(text, spans),
        transcript=apply_spans(text, [s for s in spans if s.kind in TRANSCRIPT_KINDS]),
    )


async def _in_detection_thread(work: Callable[[str], T], text: str) -> T:
    """``work(text)`` in the detection thread, awaited."""
    return await asyncio.get_running_loop().run_in_executor(_detection_thread(), work, text)


async def redactions_async(text: str) -> Redactions:
    """``redactions``: here for a message of up to ``INLINE_MAX_CHARS`` characters, in the
    detection thread for a longer one (see the module docstring)."""
    if len(text) <= INLINE_MAX_CHARS:
        return redactions(text)
    return await _in_detection_thread(redactions, text)


async def redact_fully(text: str) -> RedactionResult:
    """Every kind removed (where: as ``redactions_async``)."""
    return (await redactions_async(text)).full


def warm_up() -> None:
    """Load the detector now (about a second) instead of on the first message.

    Also sets thinc's current ops in the calling context. Called before the event loop starts
    (``python -m gateway``), that context is the one every task copies, so analyses on the
    loop never look up thinc's backends again (``_detection_thread`` says why that matters).
    """
    find_all("warm up")


async def warm_up_async() -> None:
    """``warm_up`` in the detection thread, where every later analysis runs."""
    await _in_detection_thread(find_all, "warm up")
