"""Extractive answers: a section's own words, trimmed at sentence boundaries.

Nothing is written here that is not in the guidance: the extract is a prefix of the
section's sentences and list items (Markdown links reduced to their text).
"""

from __future__ import annotations

import re

MAX_EXTRACT_CHARS = 600
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _units(markdown: str) -> list[tuple[str, bool, bool]]:
    """(text, is_list_item, starts_paragraph) units in reading order."""
    units: list[tuple[str, bool, bool]] = []
    for paragraph in re.split(r"\n\s*\n", markdown.strip()):
        lines = [ln for ln in paragraph.split("\n") if ln.strip()]
        first = True
        buffer: list[str] = []

        def flush(first_flag: bool, buffer: list[str] = buffer) -> bool:
            if not buffer:
                return first_flag
            text = " ".join(s.strip() for s in buffer)
            for i, sentence in enumerate(_SENTENCE_END.split(text)):
                units.append((sentence.strip(), False, first_flag and i == 0))
            buffer.clear()
            return False

        for line in lines:
            line = _EMPHASIS.sub("", _LINK.sub(r"\1", line)).rstrip()
            if line.lstrip().startswith("#"):
                first = flush(first)
                units.append((line.lstrip("# ").strip(), False, True))
                first = False
            elif _BULLET.match(line):
                first = flush(first)
                units.append(("- " + _BULLET.sub("", line).strip(), True, first))
                first = False
            else:
                buffer.append(line)
        flush(first)
    return units


def extract(markdown: str, limit: int = MAX_EXTRACT_CHARS) -> str:
    """The section's leading sentences and list items, at most ``limit`` characters.

    The first unit is always kept whole. A lead-in ending in ':' is kept only together
    with at least one of its list items.
    """
    units = _units(markdown)
    if not units:
        return ""
    kept: list[tuple[str, bool, bool]] = [units[0]]
    size = len(units[0][0])
    for unit in units[1:]:
        if size + len(unit[0]) + 1 > limit:
            break
        kept.append(unit)
        size += len(unit[0]) + 1
    while len(kept) > 1 and kept[-1][0].endswith(":"):
        kept.pop()
    parts: list[str] = []
    for text, is_item, starts in kept:
        if not parts:
            parts.append(text)
        elif is_item:
            parts.append("\n" + text)
        elif starts or parts[-1].startswith("\n- ") or parts[-1].startswith("- "):
            parts.append("\n\n" + text)
        else:
            parts.append(" " + text)
    return "".join(parts).strip()
