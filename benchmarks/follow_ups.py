"""Follow-ups: a second message answered with the conversation's article as context.

ADR 0104, twenty-fourth session. Plays each exchange of ``knowledge/eval/followups/`` in
process as the live chat would: the first message answered without context, the second with
the article the first was quoted from (if any) as context. For each follow-up bonus it prints,
per half (the first messages' articles sorted by id, every other one to ``tune``): follow-ups
quoted from a strictly answering section, leniently, from their article, abstained on; new-topic
second messages answered from their own article. The bonus is chosen on the tune half (the
best tune score, ties to the smaller bonus), with no question asked again; then, with that
bonus, the spread under which a question names no topic and is asked again with the article's
title (``knowledge.follow_up``; ties to the smaller spread). ``--write`` stores both in the
committed calibration if each passes its bar on the held-out half: the bonus the bar written
before the set existed, the spread the same bar a second time (ADR 0104 says how it came).

    .venv/bin/python benchmarks/follow_ups.py [--write]
    .venv/bin/python benchmarks/follow_ups.py --live [--url URL]

``--live`` plays every exchange through the whole assistant instead (one conversation each,
both messages through gateway → Rasa → action server → knowledge, a private stack unless
``--url``), with the committed calibration, and prints the same row per half.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SET = ROOT / "knowledge" / "eval" / "followups" / "questions.jsonl"
BONUSES = (0.0, *(round(0.02 * k, 2) for k in range(1, 16)))
SPREADS = (0.0, 0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 1.0)


@dataclass(frozen=True)
class Exchange:
    """One labelled two-message exchange."""

    first: str
    second: str
    kind: str
    article_id: str
    second_article_id: str | None
    sections: tuple[str, ...]
    partial: tuple[str, ...]


@dataclass
class Tally:
    """What one half got at one bonus."""

    follow_ups: int = 0
    strict: int = 0
    lenient: int = 0
    article: int = 0
    abstained: int = 0
    new_topics: int = 0
    new_topic_right: int = 0

    @property
    def score(self) -> int:
        """The rule's score: strict follow-ups plus new topics answered from their article."""
        return self.strict + self.new_topic_right

    def add(self, e: Exchange, quoted: str | None, abstained: bool) -> None:
        """Count what the second message of ``e`` got: the section quoted (None: no answer)."""
        article = str(quoted).split("#")[0] if quoted else None
        if e.kind == "follow_up":
            self.follow_ups += 1
            self.strict += quoted in e.sections
            self.lenient += quoted in e.sections + e.partial
            self.article += article == e.article_id
            self.abstained += abstained
        elif e.kind == "new_topic":
            self.new_topics += 1
            self.new_topic_right += article is not None and article == e.second_article_id


def load(path: Path = SET) -> list[Exchange]:
    """The exchanges of the set."""
    from knowledge.evaluation import json_lines

    return [
        Exchange(
            row["first"], row["second"], row["kind"], row["article_id"],
            row.get("second_article_id"), tuple(row.get("sections") or ()),
            tuple(row.get("partial") or ()),
        )
        for _, row in json_lines(path)
    ]


def halves(exchanges: Sequence[Exchange]) -> dict[str, list[Exchange]]:
    """Every other first-message article (sorted by id) to ``tune``, the rest ``heldout``."""
    ids = sorted({e.article_id for e in exchanges})
    tune = set(ids[0::2])
    return {
        "tune": [e for e in exchanges if e.article_id in tune],
        "heldout": [e for e in exchanges if e.article_id not in tune],
    }


def play(service: object, exchanges: Sequence[Exchange]) -> Tally:
    """Both messages of each exchange, the second with the first's quoted article as context
    and the first message as ``earlier``, as the guidance action asks."""
    tally = Tally()
    for e in exchanges:
        first = service.answer(e.first)  # type: ignore[attr-defined]
        context = first.answer.article_id if first.status == "answer" and first.answer else None
        second = service.answer(  # type: ignore[attr-defined]
            e.second, context=context, earlier=e.first)
        quoted = second.answer.section if second.status == "answer" and second.answer else None
        tally.add(e, quoted, second.status == "abstain")
    return tally


async def play_live(url: str, exchanges: Sequence[Exchange], concurrency: int = 2) -> list[Any]:
    """Each exchange in its own conversation through the running assistant; the outcome of
    each second message (``benchmarks.live_chat.classify``)."""
    import asyncio
    import secrets

    import httpx

    from benchmarks.live_chat import classify, load_templates

    templates = load_templates()
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=60.0) as client:

        async def one(e: Exchange) -> Any:
            async with gate:
                created = await client.post("/api/conversations", json={})
                created.raise_for_status()
                path = f"/api/conversations/{created.json()['conversation_id']}/messages"
                replies = []
                for text in (e.first, e.second):
                    sent = await client.post(
                        path, json={"text": text, "client_id": secrets.token_hex(8)})
                    sent.raise_for_status()
                    replies = sent.json().get("messages", [])
                return classify(e.second, replies, templates)

        return list(await asyncio.gather(*(one(e) for e in exchanges)))


def live(url: str | None, only: str | None = None) -> int:
    """Play the set through the whole assistant and print a row per half (``only``: that
    half, so a check after a change need not look at the held-out half again)."""
    import asyncio
    import tempfile

    from benchmarks.live_chat import running_stack

    split = {k: v for k, v in halves(load()).items() if only in (None, k)}

    def run(base: str) -> dict[str, Tally]:
        out = {}
        for name, part in split.items():
            outcomes = asyncio.run(play_live(base, part))
            out[name] = Tally()
            for e, outcome in zip(part, outcomes, strict=True):
                out[name].add(e, outcome.section, outcome.kind == "fallback")
        return out

    if url:
        rows = run(url)
    else:
        with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp)) as base:
            rows = run(base)
    print("| half | follow-ups through the live chat: strict / lenient / article / no answer "
          "(of n) | new topics: own article (of n) |\n|---|---|---|")
    for name, t in rows.items():
        print(f"| {name} | {t.strict} / {t.lenient} / {t.article} / {t.abstained} "
              f"(of {t.follow_ups}) | {t.new_topic_right} (of {t.new_topics}) |")
    return 0


def main() -> int:
    """Play every exchange at every bonus; print; choose on tune; with ``--write`` store."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--url", default=None)
    parser.add_argument("--half", choices=("tune", "heldout"), default=None,
                        help="with --live: play only this half")
    args = parser.parse_args()
    if args.live:
        return live(args.url, args.half)

    from knowledge import calibration_store as store
    from knowledge.answering import GuidanceService
    from knowledge.calibration import Calibration
    from knowledge.settings import KnowledgeSettings

    settings = KnowledgeSettings()
    service = GuidanceService.load(settings, save=False)
    committed = replace(service.calibration, follow_up_bonus=0.0, follow_up_spread=0.0)
    split = halves(load())
    print("| bonus | spread | half | follow-ups: strict / lenient / article / abstained (of n) "
          "| new topics: own article (of n) | score |")
    print("|---|---|---|---|---|---|")

    def sweep(values: Sequence[float], field: str, base: Calibration) -> tuple[float, bool]:
        rows: dict[float, dict[str, Tally]] = {}
        for value in values:
            calibration = (replace(base, follow_up_bonus=value) if field == "follow_up_bonus"
                           else replace(base, follow_up_spread=value))
            played = service.with_calibration(calibration)
            rows[value] = {name: play(played, part) for name, part in split.items()}
            for name, t in rows[value].items():
                print(f"| {calibration.follow_up_bonus:.2f} | {calibration.follow_up_spread:.2f} "
                      f"| {name} | {t.strict} / {t.lenient} / {t.article} / {t.abstained} "
                      f"(of {t.follow_ups}) | {t.new_topic_right} (of {t.new_topics}) "
                      f"| {t.score} |", flush=True)
        chosen = max(values, key=lambda v: (rows[v]["tune"].score, -v))
        base_row, best = rows[values[0]]["heldout"], rows[chosen]["heldout"]
        passes = (chosen > 0 and best.score > base_row.score
                  and best.new_topic_right >= base_row.new_topic_right - 1)
        print(f"\n{field} chosen on tune: {chosen:.2f}; held-out score {best.score} against "
              f"{base_row.score} without, new topics {best.new_topic_right} against "
              f"{base_row.new_topic_right}: {'passes' if passes else 'does not pass'} the bar\n")
        return chosen, passes

    bonus, bonus_passes = sweep(BONUSES, "follow_up_bonus", committed)
    if not bonus_passes:
        return 0
    with_bonus = replace(committed, follow_up_bonus=bonus)
    spread, spread_passes = sweep(SPREADS, "follow_up_spread", with_bonus)
    if args.write:
        calibration = replace(with_bonus, follow_up_spread=spread if spread_passes else 0.0)
        calibration.fitted = {**committed.fitted, "follow_up_bonus": (
            "bonus and spread fitted on the tune half of knowledge/eval/followups by "
            "benchmarks/follow_ups.py (ADR 0104, twenty-fourth session)")}
        target = store.path_for_writing(
            settings.knowledge_dir, settings.knowledge_index_dir, settings.knowledge_calibration)
        calibration.save(target)
        print(f"wrote follow_up_bonus {calibration.follow_up_bonus:.2f} and follow_up_spread "
              f"{calibration.follow_up_spread:.2f} to {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
