"""Measure the dialogue's "did you mean" band for questions the retrieval abstains on.

The knowledge service answers, clarifies or abstains with gates fitted in
``knowledge/calibration.json``. This script measures, on the labelled questions in
``knowledge/eval/questions.jsonl`` (``tune`` split to choose, ``heldout`` to check), what
the dialogue gains by offering "did you mean A or B?" when the service abstains but its
best articles still score at least ``floor`` (fused score), against what it costs: how many
off-topic questions would be offered choices instead of an honest "I don't know".

    .venv/bin/python benchmarks/nlu_clarify_band.py

Prints, per floor: in-scope abstentions rescued (right article among the 3 offered),
in-scope abstentions offered only wrong articles, and off-topic questions offered choices.
The baseline row (floor = inf) is the service alone. Then, for questions the service
answers, per margin: how often "did you mean A or B" would be asked because the top two
articles score within the margin, how often that rescues a wrong top-1 (right article
second) and how often it asks needlessly (top-1 already right). Margin 0 is the baseline.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

from knowledge.answering import GuidanceService

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "knowledge" / "eval" / "questions.jsonl"
FLOORS = (math.inf, 0.62, 0.60, 0.58, 0.56, 0.54, 0.52, 0.50)
MARGINS = (0.0, 0.005, 0.01, 0.02, 0.03, 0.05)
OFFERED = 3


def main() -> int:
    """Print the table for the tune split and the held-out split."""
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    service = GuidanceService.load(ROOT / "knowledge/articles", ROOT / "var/index", save=False)
    print(f"service loaded in {time.perf_counter() - started:.1f} s")
    measured = []
    for row in rows:
        result = service.answer(row["question"])
        top = service.search(row["question"], k=OFFERED).results
        measured.append((row, result.status, top))
    for split in ("tune", "heldout"):
        part = [m for m in measured if m[0]["split"] == split]
        in_scope_abstained = [m for m in part if m[0]["article_id"] and m[1] == "abstain"]
        off_topic = [m for m in part if not m[0]["article_id"]]
        print(
            f"\n{split}: {len(part)} questions, {len(in_scope_abstained)} in-scope abstentions, "
            f"{len(off_topic)} off-topic"
        )
        print(f"{'floor':>7}{'rescued':>9}{'wrong offer':>13}{'off-topic offered':>19}")
        for floor in FLOORS:
            rescued = wrong = 0
            for row, _, top in in_scope_abstained:
                if top and top[0].score >= floor:
                    if row["article_id"] in {c.article_id for c in top}:
                        rescued += 1
                    else:
                        wrong += 1
            offered = sum(
                1
                for _, status, top in off_topic
                if status == "abstain" and top and top[0].score >= floor
            )
            print(f"{floor:>7.2f}{rescued:>9}{wrong:>13}{offered:>19}")
        answered = [m for m in part if m[0]["article_id"] and m[1] == "answer" and len(m[2]) > 1]
        right = sum(1 for row, _, top in answered if top[0].article_id == row["article_id"])
        print(
            f"\n{split}: {len(answered)} in-scope answers, top-1 right {right}; "
            "asking 'did you mean' when the top two are within a margin:"
        )
        print(f"{'margin':>7}{'asked':>7}{'rescued':>9}{'needless':>10}{'top-1 right after':>19}")
        for margin in MARGINS:
            asked = rescued = needless = 0
            for row, _, top in answered:
                if top[0].score - top[1].score < margin:
                    asked += 1
                    if top[0].article_id == row["article_id"]:
                        needless += 1
                    elif top[1].article_id == row["article_id"]:
                        rescued += 1
            print(f"{margin:>7.3f}{asked:>7}{rescued:>9}{needless:>10}{right + rescued:>19}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
