"""The gateway's own safety net: the helplines when the bot cannot answer a crisis message.

Normally Rasa and the action server decide the crisis reply (ADR 0202): since the eighth and
ninth rounds both the classifier's second opinion and a crisis phrase go to the action server,
which can veto them with the learned check. So while Rasa or the action server is down or too
slow, a message in crisis would get only "part of our service isn't working". The gateway then
looks for a crisis phrase itself (``safety.detection``, the same patterns, no veto: it has no
message vector, and when the service is degraded a false alarm costs less than a missed crisis)
and puts the helplines first in its reply.

The helplines' words have one owner, Rasa's response ``utter_safety_helplines`` in
``bot/domain.yml``; the gateway reads them from there when it starts.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from safety.detection import detect_safety_concern

HELPLINES_RESPONSE = "utter_safety_helplines"


class HelplinesMissing(RuntimeError):
    """The domain file has no usable ``utter_safety_helplines`` text."""


def load_helplines(domain_file: Path) -> str:
    """The text of ``utter_safety_helplines`` in Rasa's domain file (its first variant)."""
    try:
        domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise HelplinesMissing(f"{domain_file}: cannot read the helplines ({exc})") from exc
    variants = (domain.get("responses") or {}).get(HELPLINES_RESPONSE) or []
    text = variants[0].get("text") if variants and isinstance(variants[0], dict) else None
    if not isinstance(text, str) or not text.strip():
        raise HelplinesMissing(f"{domain_file}: no text for {HELPLINES_RESPONSE}")
    return text


class CrisisFallback:
    """Says whether a message the bot could not answer needs the helplines."""

    def __init__(self, helplines: str) -> None:
        self.helplines = helplines

    def prefix_for(self, text: str) -> str | None:
        """The helplines when ``text`` holds a crisis phrase, else None."""
        return self.helplines if detect_safety_concern(text) is not None else None

    def with_helplines(self, text: str, notice: str) -> str:
        """``notice`` (why the bot could not answer), after the helplines when they are due."""
        helplines = self.prefix_for(text)
        return notice if helplines is None else f"{helplines}\n\n{notice}"
