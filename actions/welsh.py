"""Recognising Welsh (pure Python, also imported by the Rasa pipeline in ``bot/nlu_gate.py``)."""

from __future__ import annotations

import re

# Words that are Welsh and not English: one is enough.
_WELSH_STRONG = frozenset({
    "diolch", "shwmae", "cymraeg", "gymraeg", "gwelwch", "ailgylchu", "sbwriel", "cyngor",
    "ydych", "allwch", "hoffwn", "eisiau", "gwastraff", "casglu", "biniau", "helpu", "cymorth",
    "siarad", "ffonio", "ffôn", "treth", "dwi", "ydw", "ydy", "prynhawn", "noswaith", "rhywun",
    "saesneg", "galla", "gallwch", "gennych",
})
# Short Welsh words that could appear in English text (a name, a typo): two are needed.
_WELSH_WEAK = frozenset({
    "dw", "mae", "sut", "beth", "ble", "pryd", "pam", "yw", "fy", "eich", "chi", "gyda",
    "wedi", "ddim", "oes", "da", "yn", "yr", "y", "i'r", "a'r", "ac", "os", "bore",
})
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def looks_welsh(text: str) -> bool:
    """True when ``text`` reads as Welsh (a distinctly Welsh word, or two common ones)."""
    words = _WORD.findall(text.lower().replace("\u2019", "'"))
    if any(word in _WELSH_STRONG for word in words):
        return True
    return sum(1 for word in words if word in _WELSH_WEAK) >= 2 and not _mostly_english(words)


def _mostly_english(words: list[str]) -> bool:
    english = {"the", "is", "my", "i", "to", "and", "of", "a", "you", "it", "for", "how", "what"}
    return sum(1 for word in words if word in english) >= 2
