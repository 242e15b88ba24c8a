"""How often the answer is one tap away: the quoted section, or one of the article's other
parts offered after "That's not what I asked" (``Answer.other_sections``, at most four).

Asks ``GuidanceService.answer`` (the served pipeline, gates included) every labelled question
of a split, each with its own example questions masked (leave-one-out, as
``python -m knowledge eval`` does), and prints, per split: strict and lenient section accuracy
of the first quote (the baseline, the same figures ``knowledge eval`` prints) and within one
tap (the first quote or any offered part answers), and how many parts were offered on average.
A tap needs the citizen to read the button labels (section headings), so this is a ceiling on
what the buttons can give, not a measured behaviour.

    .venv/bin/python benchmarks/one_tap.py [--split tune|heldout|all]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.answering import GuidanceService  # noqa: E402
from knowledge.articles import load_articles  # noqa: E402
from knowledge.example_questions import section_ref  # noqa: E402
from knowledge.section_eval import SPLITS, load_labels  # noqa: E402
from knowledge.self_exclusion import SelfExclusion  # noqa: E402
from knowledge.settings import KnowledgeSettings  # noqa: E402


def main(split: str) -> int:
    """Print one table: first quote against within one tap, per split."""
    settings = KnowledgeSettings()
    service = GuidanceService.load(settings)
    articles = load_articles(settings.knowledge_dir)
    labels = load_labels(ROOT / "knowledge" / "eval" / "questions.jsonl", articles)
    exclusion = SelfExclusion(service.kb)
    print("| split | on-topic | strict, first quote | strict, within one tap | lenient, first "
          "quote | lenient, within one tap | parts offered (mean) |")
    print("|---|---|---|---|---|---|---|")
    for name in SPLITS if split == "all" else (split,):
        chosen = [lab for lab in labels if lab.split == name and lab.article_id is not None]
        first = tap = first_lenient = tap_lenient = offered = 0
        for label in chosen:
            with exclusion.without(label.question):
                result = service.answer(label.question)
            answer = result.answer if result.status == "answer" else None
            if answer is None:
                continue
            refs = [answer.section] + [
                section_ref(answer.article_id, part.label if part.anchor else None)
                for part in answer.other_sections
            ]
            offered += len(answer.other_sections)
            strict = [ref in label.sections for ref in refs]
            lenient = [ref in label.sections or ref in label.partial for ref in refs]
            first += strict[0]
            tap += any(strict)
            first_lenient += lenient[0]
            tap_lenient += any(lenient)
        n = max(1, len(chosen))
        print(f"| {name} | {len(chosen)} | {first / n:.3f} | {tap / n:.3f} | "
              f"{first_lenient / n:.3f} | {tap_lenient / n:.3f} | {offered / n:.1f} |")
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=(*SPLITS, "all"), default="tune")
    sys.exit(main(parser.parse_args().split))
