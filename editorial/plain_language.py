"""Plain-language advice for an article: readability, long sentences, passive voice, jargon.

Advice only — it never blocks a save. Readability is the Flesch reading ease score: word and
sentence counts come from ``textstat``; syllables are counted with the ``pyphen`` en_GB
hyphenation dictionary, because textstat's own English syllable counter fetches the NLTK
``cmudict`` corpus from the internet on first use, and nothing may download at run time.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

LONG_SENTENCE_WORDS = 25
TARGET_READING_EASE = 60.0
JARGON_FILE = Path(__file__).with_name("jargon.yml")

_BE = r"(?:am|is|are|was|were|be|been|being|get|gets|got|getting)"
_IRREGULAR = (
    "born|bought|brought|built|caught|chosen|done|drawn|driven|eaten|fallen|felt|found|given|"
    "gone|grown|heard|held|hidden|kept|known|laid|led|left|lent|lost|made|meant|met|paid|put|"
    "read|run|said|seen|sent|set|shown|shut|sold|spent|spoken|stolen|taken|taught|told|thought|"
    "thrown|understood|withdrawn|won|worn|written"
)
_PASSIVE = re.compile(
    rf"\b{_BE}\s+(?:(?:not|also|then|only|usually|often|always|never|\w+ly)\s+)?"
    rf"((?:\w+ed)|(?:{_IRREGULAR}))\b(?:\s+by\b)?",
    re.IGNORECASE,
)
# Words ending in -ed that read as adjectives after "be", not as passives.
_NOT_PASSIVE = {
    "interested",
    "married",
    "tired",
    "worried",
    "retired",
    "disabled",
    "qualified",
    "concerned",
    "pleased",
    "related",
    "supposed",
    "used",
    "based",
    "closed",
    "prepared",
    "registered",
    "self-employed",
    "employed",
    "unemployed",
    "needed",
    "bed",
    "red",
    "shed",
    "ned",
}
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(]?[A-Z0-9])")
_MD_INLINE = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class Advice:
    """One suggestion: ``kind`` is ``readability``, ``long_sentence``, ``passive`` or ``jargon``."""

    kind: str
    message: str
    line: int | None = None
    excerpt: str = ""
    suggestion: str = ""


@dataclass
class PlainLanguageReport:
    """The result of a check; ``advice`` is empty when nothing needs attention."""

    reading_ease: float | None
    reading_band: str
    words: int
    sentences: int
    advice: list[Advice] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


@lru_cache(maxsize=1)
def jargon_terms(path: Path = JARGON_FILE) -> tuple[tuple[str, str, re.Pattern[str]], ...]:
    """The jargon list as ``(term, plain alternative, pattern)``; read once."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    out = []
    for entry in entries:
        term = str(entry["term"])
        pattern = re.compile(rf"(?<![\w.]){re.escape(term)}(?![\w])", re.IGNORECASE)
        out.append((term, str(entry["plain"]), pattern))
    return tuple(out)


@lru_cache(maxsize=1)
def _hyphenator() -> Any:
    import pyphen

    return pyphen.Pyphen(lang="en_GB")


def count_syllables(word: str) -> int:
    """Syllables in one word (at least 1), from the en_GB hyphenation patterns."""
    return max(1, len(_hyphenator().positions(word.lower())) + 1)


def prose_lines(body: str) -> list[tuple[int, str]]:
    """``(line number, text)`` for each line of prose: no headings, fences or blank lines."""
    out: list[tuple[int, str]] = []
    in_fence = False
    for number, raw in enumerate(body.split("\n"), start=1):
        line = raw.strip()
        if line.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence or not line or line.startswith("#") or set(line) <= {"-", "*", "_", "|"}:
            continue
        line = re.sub(r"^(?:[-*+]|\d+[.)])\s+", "", line)
        out.append((number, _MD_INLINE.sub(lambda m: m.group(1) or "", line)))
    return out


def sentences(body: str) -> list[tuple[int, str]]:
    """Sentences with the line each starts on. A list item counts as its own sentence."""
    out = []
    for number, text in prose_lines(body):
        out += [(number, s.strip()) for s in _SENTENCE_END.split(text) if s.strip()]
    return out


def reading_ease(text_sentences: list[str]) -> tuple[float | None, int]:
    """Flesch reading ease of the sentences, and the word count."""
    import textstat

    text = " ".join(s if s.endswith((".", "!", "?", ":")) else s + "." for s in text_sentences)
    words = [w for w in _WORD.findall(text)]
    if not words:
        return None, 0
    sentence_total = max(1, len(text_sentences))
    word_total = max(1, int(textstat.lexicon_count(text)))
    syllables = sum(count_syllables(w) for w in words)
    score = 206.835 - 1.015 * (word_total / sentence_total) - 84.6 * (syllables / len(words))
    return round(score, 1), word_total


def band(score: float | None) -> str:
    """Plain words for a reading ease score."""
    if score is None:
        return "no text to score"
    if score >= 70:
        return "easy to read"
    if score >= TARGET_READING_EASE:
        return "plain"
    if score >= 50:
        return "fairly hard to read"
    return "hard to read"


def check_plain_language(body: str, line_offset: int = 0) -> PlainLanguageReport:
    """Advise on ``body`` (Markdown); ``line_offset`` turns body lines into file lines."""
    found = sentences(body)
    score, words = reading_ease([s for _, s in found])
    report = PlainLanguageReport(score, band(score), words, len(found))
    if score is not None and score < TARGET_READING_EASE:
        report.advice.append(
            Advice(
                "readability",
                f"Reading ease is {score:.0f} ({band(score)}). "
                f"Aim for {TARGET_READING_EASE:.0f} or "
                "more: use shorter sentences and everyday words.",
            )
        )
    for number, sentence in found:
        line = number + line_offset
        count = len(_WORD.findall(sentence))
        if count > LONG_SENTENCE_WORDS:
            report.advice.append(
                Advice(
                    "long_sentence",
                    f"This sentence has {count} words. Try to keep sentences under "
                    f"{LONG_SENTENCE_WORDS + 1} words: split it in two.",
                    line,
                    _clip(sentence),
                )
            )
        for match in _PASSIVE.finditer(sentence):
            if match.group(1).lower() in _NOT_PASSIVE:
                continue
            report.advice.append(
                Advice(
                    "passive",
                    f"'{match.group(0)}' may be passive voice. Say who does it: 'we will send' "
                    "rather than 'it will be sent'.",
                    line,
                    _clip(sentence),
                )
            )
        for term, plain, pattern in jargon_terms():
            if pattern.search(sentence):
                report.advice.append(
                    Advice(
                        "jargon",
                        f"'{term}' is jargon. Try '{plain}'.",
                        line,
                        _clip(sentence),
                        plain,
                    )
                )
    return report


def _clip(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
