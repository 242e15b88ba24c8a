"""The crisis decision for one message: lexical phrases first, the classifier second.

The NLU classifier alone is not trusted with the crisis reply: on the tune half of
``safety/eval/benign.jsonl`` it put ``safety_concern`` on top, often at 0.9 or more, for
ordinary questions about disability, eviction, debt, savings and lost passports
(docs/adr/0202-crisis-detection-lexical-first.md). So:

1. a crisis phrase (``detect_safety_concern``) means crisis, whatever the classifier says.
   Since ADR 0202's ninth round it goes to guidance (``nlu_fallback``, reason ``phrase``),
   where the action server, which has the message's vector, sends the crisis reply unless the
   learned check scores the message below its phrase veto threshold (lower than any crisis
   phrasing a pattern catches scored out of fold; with no check loaded the phrase decides);
2. the classifier's ``safety_concern`` counts only as a second opinion: it holds when it is
   confident (``SECOND_OPINION_MIN``) *and* the message holds a risk word; otherwise it is
   overruled and the message goes to guidance as a low-confidence one (``nlu_fallback``).
   Since ADR 0202's eighth round a second opinion that holds goes to guidance too, marked
   ``second_opinion``: the guidance backstop, which has the message's vector, sends the crisis
   reply unless the learned check scores the message below its veto threshold
   (``safety.similarity``; with no check loaded the second opinion decides, as before).
"""

from __future__ import annotations

from dataclasses import dataclass

from safety.detection import detect_safety_concern, has_risk_words

SAFETY_INTENT = "safety_concern"
FALLBACK_INTENT = "nlu_fallback"
SECOND_OPINION_MIN = 0.80
# The gate's reason for a second opinion sent to guidance (in the parse's ``gate``), where the
# action server decides it (``actions.crisis_opinion``).
SECOND_OPINION = "second_opinion"
# The gate's reason for a crisis phrase, sent to guidance since the ninth round, where the
# action server decides it (``actions.crisis_opinion.crisis_by_phrase``).
PHRASE = "phrase"


@dataclass(frozen=True)
class Verdict:
    """The gate's decision: the intent to use and why."""

    intent: str
    confidence: float
    reason: str  # PHRASE | SECOND_OPINION | "overruled" | "unchanged"
    category: str | None = None
    matched: str | None = None

    @property
    def crisis(self) -> bool:
        """True when the message is routed as a crisis: guidance deciding on a crisis phrase or
        on the classifier's second opinion (no other rewrite may apply)."""
        return self.intent == SAFETY_INTENT or self.reason in (PHRASE, SECOND_OPINION)


def second_opinion(text: str, top: tuple[str, float]) -> bool:
    """True when the classifier's top intent ``top`` is a second opinion that holds: its own
    ``safety_concern``, confident, and backed by a risk word in ``text``."""
    name, confidence = top
    return bool(name == SAFETY_INTENT and confidence >= SECOND_OPINION_MIN
                and has_risk_words(text))


def decide(
    text: str,
    ranking: list[tuple[str, float]],
    fallback_threshold: float,
) -> Verdict:
    """Decide the intent for ``text`` from the classifier's ``ranking`` (best first).

    ``ranking`` is the classifier's own (without ``nlu_fallback``). The verdict's intent is
    ``nlu_fallback`` (guidance) for a crisis phrase (reason ``phrase``, with its category and
    match), and when the classifier's ``safety_concern`` is overruled or holds as a second
    opinion (reason ``second_opinion``); otherwise the classifier's top intent, or
    ``nlu_fallback`` below ``fallback_threshold``.
    """
    finding = detect_safety_concern(text)
    if finding is not None:
        return Verdict(FALLBACK_INTENT, fallback_threshold, PHRASE, finding.category,
                       finding.matched)
    top, confidence = ranking[0] if ranking else (FALLBACK_INTENT, 0.0)
    if top != SAFETY_INTENT:
        intent = top if confidence >= fallback_threshold else FALLBACK_INTENT
        return Verdict(intent, confidence, "unchanged")
    if second_opinion(text, (top, confidence)):
        return Verdict(FALLBACK_INTENT, fallback_threshold, SECOND_OPINION)
    return Verdict(FALLBACK_INTENT, fallback_threshold, "overruled")
