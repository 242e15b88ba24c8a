"""Estimated wait in the advisers' queue, from recent history (see ADR 0301)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable


def parse_claims(raw: Iterable[str]) -> list[tuple[float, float, int]]:
    """Parse ``"claimed_ms:waited_ms:position"`` records, skipping broken ones."""
    parsed = []
    for record in raw:
        try:
            claimed, waited, position = record.split(":")
            parsed.append((float(claimed), max(0.0, float(waited)), max(1, int(position))))
        except ValueError:
            continue
    return parsed


def estimate_wait(claims: Iterable[str], position: int, now_ms: float, history_ms: float,
                  default_per_person: float) -> int:
    """Seconds until an adviser reaches the citizen at ``position`` (1 = next).

    Each recent claim says how long a conversation waited and where it joined the queue; its
    wait divided by that position is the time one place in the queue took. The estimate is the
    median of those per-place times over claims within ``history_ms``, times the position. With
    no recent claims, ``default_per_person`` seconds per place.
    """
    recent = [c for c in parse_claims(claims) if now_ms - c[0] <= history_ms]
    if not recent:
        per_place = default_per_person
    else:
        per_place = statistics.median(waited / 1000 / joined for _, waited, joined in recent)
    return max(0, round(per_place * max(1, position)))
