"""Find personal data a citizen typed and replace it with a short placeholder (regex only).

The module is pure Python (it must import on Python 3.10 inside the Rasa venv and on 3.11).
It is the fallback used where spaCy cannot run (Rasa's tracker store, when the gateway's
redacted copy is missing); ``privacy.detection`` adds spaCy's named entities through Presidio.
Kinds (see ``privacy.patterns`` for the rules):

- ``ni_number``, ``card_number`` (Luhn), ``bank_details``, ``email``, ``phone``: formats
- ``postcode``, ``address`` (house number + street), ``date_of_birth`` (a date called one)
- ``person``: regex only finds names given as such ("my name is ..."); spaCy finds the rest

``redact`` uses ``DEFAULT_KINDS`` (the kinds never needed to help anyone) unless told otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from privacy.patterns import FINDERS, luhn_valid
from privacy.vocabulary import is_not_a_person

__all__ = ["PLACEHOLDERS", "RedactionResult", "Span", "apply_spans", "find_spans",
           "kinds_already_redacted", "luhn_valid", "redact"]

PLACEHOLDERS: dict[str, str] = {
    "ni_number": "[NI number removed]",
    "card_number": "[card number removed]",
    "bank_details": "[bank details removed]",
    "email": "[email removed]",
    "phone": "[phone number removed]",
    "date_of_birth": "[date of birth removed]",
    "postcode": "[postcode removed]",
    "address": "[address removed]",
    "person": "[name removed]",
}

# Order matters when two finds overlap: the earlier kind wins (a card number is never
# half-redacted as a phone number, a sort code and account are bank details even when the
# 14 digits happen to pass the Luhn check; an email's name part is never a person).
PRIORITY: tuple[str, ...] = ("email", "bank_details", "card_number", "ni_number",
                             "date_of_birth", "phone", "postcode", "address", "person")
DEFAULT_KINDS: tuple[str, ...] = ("ni_number", "card_number", "bank_details", "email")
ALL_KINDS: tuple[str, ...] = PRIORITY
# What the regex-only redaction covered before spaCy was added (the benchmark's baseline).
LEGACY_KINDS: tuple[str, ...] = ("ni_number", "card_number", "bank_details", "email", "phone")


@dataclass(frozen=True)
class Span:
    """One piece of personal data: its kind and where it is in the text."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class RedactionResult:
    """The text with personal data replaced, and which kinds were found (sorted, unique)."""

    text: str
    kinds: tuple[str, ...]

    @property
    def changed(self) -> bool:
        """True when anything was redacted."""
        return bool(self.kinds)


def check_kinds(kinds: Iterable[str]) -> set[str]:
    """The kinds as a set; ``ValueError`` naming any unknown kind."""
    wanted = set(kinds)
    unknown = wanted - PLACEHOLDERS.keys()
    if unknown:
        raise ValueError(f"unknown personal-data kinds: {sorted(unknown)}")
    return wanted


def resolve_overlaps(spans: Iterable[Span]) -> list[Span]:
    """Keep one span wherever finds overlap (by ``PRIORITY``, then the longer); sorted."""
    rank = {kind: position for position, kind in enumerate(PRIORITY)}
    kept: list[Span] = []
    for span in sorted(spans, key=lambda s: (rank.get(s.kind, 99), s.start - s.end)):
        if span.end > span.start and all(span.end <= k.start or span.start >= k.end
                                         for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def find_spans(text: str, kinds: Iterable[str] = DEFAULT_KINDS) -> list[Span]:
    """Every piece of personal data of the given ``kinds`` the regular expressions find."""
    wanted = check_kinds(kinds)
    found = [
        Span(kind, start, end)
        for kind in PRIORITY if kind in wanted
        for start, end in FINDERS[kind](text)
        if kind != "person" or not is_not_a_person(text, start, end)
    ]
    return resolve_overlaps(found)


def apply_spans(text: str, spans: Iterable[Span]) -> RedactionResult:
    """Replace each span (non-overlapping) by its kind's placeholder."""
    ordered = sorted(spans, key=lambda s: s.start)
    pieces: list[str] = []
    position = 0
    for span in ordered:
        pieces.append(text[position:span.start])
        pieces.append(PLACEHOLDERS[span.kind])
        position = span.end
    pieces.append(text[position:])
    return RedactionResult(text="".join(pieces),
                           kinds=tuple(sorted({span.kind for span in ordered})))


def redact(text: str, kinds: Iterable[str] = DEFAULT_KINDS) -> RedactionResult:
    """Replace the personal data of the given ``kinds`` in ``text`` with placeholders."""
    return apply_spans(text, find_spans(text, kinds))


def kinds_already_redacted(text: str) -> tuple[str, ...]:
    """Return the kinds whose placeholder already appears in ``text`` (redacted upstream)."""
    return tuple(sorted(kind for kind, mark in PLACEHOLDERS.items() if mark in text))
