"""Small fakes for action tests: a tracker builder and a guidance service."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker

from knowledge.results import SectionChoice


def make_tracker(
    text: str = "",
    intent: str = "ask_question",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    active_loop: str | None = None,
    sender_id: str = "a" * 32,
) -> Tracker:
    """A Rasa SDK tracker whose latest message is ``text`` classified as ``intent``."""
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "metadata": metadata or {},
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": active_loop} if active_loop else {},
        latest_action_name="action_listen",
    )


@dataclass
class FakeAnswer:
    article_id: str
    title: str
    heading: str
    url: str
    text: str
    last_reviewed: str = "2026-09-14"
    related: list[Any] = field(default_factory=list)
    other_sections: list[SectionChoice] = field(default_factory=list)


@dataclass
class FakeCandidate:
    article_id: str
    title: str
    heading: str
    url: str
    score: float


@dataclass
class FakeResult:
    status: str
    answer: FakeAnswer | None
    candidates: list[FakeCandidate]


@dataclass
class FakeGuidance:
    """Answers from a fixed table: question substring -> result; everything else abstains."""

    table: dict[str, FakeResult]
    asked: list[str] = field(default_factory=list)
    picked: list[tuple[str, str | None]] = field(default_factory=list)
    contexts: list[str | None] = field(default_factory=list)
    earlier: list[str | None] = field(default_factory=list)

    def answer(self, question: str, context: str | None = None,
               earlier: str | None = None) -> FakeResult:
        self.asked.append(question)
        self.contexts.append(context)
        self.earlier.append(earlier)
        for needle, result in self.table.items():
            if needle in question.lower():
                return result
        return FakeResult("abstain", None, [])

    def answer_from(self, article_id: str, question: str,
                    anchor: str | None = None) -> FakeAnswer | None:
        """The table's answer from that article, if it has one; with ``anchor``, that part
        of it (its label as the heading) when the answer offers it."""
        self.picked.append((article_id, anchor))
        answer = next((r.answer for r in self.table.values()
                       if r.answer is not None and r.answer.article_id == article_id), None)
        part = next((p for p in (answer.other_sections if answer else [])
                     if p.anchor == anchor), None)
        if answer is None or part is None:
            return answer
        return FakeAnswer(answer.article_id, answer.title, part.label,
                          answer.url.split("#")[0] + "#" + part.anchor, "Another part.")


MISSED_BIN = FakeAnswer(
    article_id="missed-bin",
    title="Report a missed bin collection",
    heading="Report a missed bin collection",
    url="https://www.millbrook.example/bins/missed-collection#report-a-missed-bin-collection",
    text="You must report the missed bin within 2 working days.",
    other_sections=[SectionChoice("what-happens-next", "What happens next"),
                    SectionChoice("", "Report a missed bin collection")],
)


def standard_guidance() -> FakeGuidance:
    """A fake with one answer, one 'did you mean' and abstention for the rest."""
    return FakeGuidance(
        {
            "bin": FakeResult("answer", MISSED_BIN, []),
            "permit": FakeResult(
                "clarify",
                None,
                [
                    FakeCandidate(
                        "resident-parking-permit",
                        "Resident parking permits",
                        "Apply",
                        "https://x.example/r#apply",
                        0.61,
                    ),
                    FakeCandidate(
                        "visitor-parking-permit",
                        "Visitor parking permits",
                        "Apply",
                        "https://x.example/v#apply",
                        0.59,
                    ),
                ],
            ),
        }
    )
