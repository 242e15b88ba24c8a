"""Decide between answering, asking "did you mean", and abstaining, from calibrated gates.

Two gates, both with thresholds fitted on the labelled ``tune`` split (``calibration.py``):

1. off-topic gate: the best cosine similarity between the question and any chunk must reach
   ``offtopic_threshold`` — otherwise the question is not about anything we have guidance on;
2. answer-confidence gate: the chosen method's top article score must reach
   ``confidence_threshold``.

Past both gates, when the runner-up article scores within ``clarify_margin`` of the top one,
the answer is "clarify": both are offered so the dialogue can ask "did you mean".

Below the confidence gate but past the off-topic gate, a question whose top article still
reaches ``suggest_threshold`` is a near miss: "clarify" too, offering the top articles rather
than a flat "I don't know". This is the only place these decisions are made; the dialogue
renders the status it is given.

Two sets of gates may be calibrated: the usual ones, fitted where every section carries example
questions (a section's score is the best of its text and its questions), and text-only ones,
fitted on the same tune questions with every example question taken out (with the fusion weight
refitted there too). :func:`pick` chooses between them, and between the two weights, from whether
the evidence for the top article carries example questions, so a section (or a whole corpus)
without any is not held to a bar its text alone cannot reach.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal, TypeVar

Status = Literal["answer", "clarify", "abstain"]
T = TypeVar("T")


@dataclass(frozen=True)
class Gates:
    """Thresholds of the two gates and the clarify margin for one method."""

    offtopic_threshold: float
    confidence_threshold: float
    clarify_margin: float
    suggest_threshold: float | None = None

    def to_dict(self) -> dict[str, float | None]:
        """JSON-ready form."""
        return asdict(self)


def decide(offtopic: float, top: float | None, second: float | None, gates: Gates) -> Status:
    """Apply the gates to one question's scores."""
    if top is None or offtopic < gates.offtopic_threshold:
        return "abstain"
    if top < gates.confidence_threshold:
        near = gates.suggest_threshold is not None and top >= gates.suggest_threshold
        return "clarify" if near else "abstain"
    close = second is not None and abs(top - second) < gates.clarify_margin
    if close and second is not None and second >= gates.confidence_threshold:
        return "clarify"
    return "answer"


def pick(usual: T, text_only: T | None, examples: bool) -> T:
    """The gates (or fusion weight) for one question: ``text_only`` when the top article's
    evidence carries no example questions (``examples`` False) and a text-only value was
    calibrated, else ``usual``."""
    return usual if examples or text_only is None else text_only
