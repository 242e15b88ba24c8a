"""The kind of question, read from each section's example questions, as section evidence.

ADR 0104, "Later (2026-12-05, eighteenth session): the kind of question, read from the
section's example questions": the rule was written there before this script first ran. Prints,
for the answerable tune questions, the 5-fold cross-validated strict section accuracy of

- (a) the section model as served (27 features);
- (b) (a) plus ``kind_share`` (for the question's kinds, the mean share of the section's
  example questions of the same kind) and ``kind_share_rel`` (minus the best candidate's);

at every strength of ``section_fit.STRENGTHS`` (folds and fit as ``benchmarks/section_knn.py``),
and applies the rule. Only tune questions are scored; nothing is written.

    nice -n 5 .venv/bin/python benchmarks/section_kinds.py
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_knn import Group, cross_validate  # noqa: E402
from benchmarks.section_tune import add_paths, open_tune, print_table  # noqa: E402
from knowledge.articles import Article  # noqa: E402
from knowledge.example_questions import fold_question, section_ref  # noqa: E402
from knowledge.section_ranking import SectionEvidence, feature_rows, question_kinds  # noqa: E402

MARGIN_QUESTIONS = 6  # the rule: at least 6 of 285 over (a)


def asked_by_section(articles: Mapping[str, Article]) -> dict[str, list[str]]:
    """Each searchable section's example questions, by ``article-id#Heading``."""
    out: dict[str, list[str]] = {}
    for a in articles.values():
        if not a.searchable:
            continue
        out[section_ref(a.id, None)] = list(a.intro_questions)
        for s in a.sections:
            out[section_ref(a.id, s.heading)] = list(s.questions)
    return out


def kind_features(
    question: str, evidence: Sequence[SectionEvidence], asked: Mapping[str, list[str]]
) -> list[list[float]]:
    """``kind_share`` and ``kind_share_rel`` for each candidate section."""
    kinds = [k for k, has in question_kinds(question).items() if has]
    own = fold_question(question)
    shares = []
    for e in evidence:
        examples = [q for q in asked.get(e.ref, []) if fold_question(q) != own]
        if not kinds or not examples:
            shares.append(0.0)
            continue
        marked = [question_kinds(q) for q in examples]
        shares.append(sum(sum(m[k] for m in marked) / len(marked) for k in kinds) / len(kinds))
    top = max(shares, default=0.0)
    return [[s, s - top] for s in shares]


def main() -> int:
    """Gather the evidence, cross-validate the two candidates, apply the rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    args = parser.parse_args()
    tune_set = open_tune(args.articles, args.index, args.questions)
    asked = asked_by_section(tune_set.articles)
    tune = []
    for lab in tune_set.labels:
        with tune_set.exclusion.without(lab.question):
            evidence = tune_set.service.section_candidates(lab.question)
        g = Group(
            base=np.array(feature_rows(lab.question, evidence), dtype=np.float64),
            extra=np.array(kind_features(lab.question, evidence, asked), dtype=np.float64),
            answers=np.array([e.ref in set(lab.sections) for e in evidence], dtype=bool),
        )
        if g.answers.any():  # as section_fit: a question no candidate answers is not fitted
            tune.append(g)
    runs = {
        "(a) as served": cross_validate(tune, [], use_extra=False),
        "(b) + kind of question from examples": cross_validate(tune, [], use_extra=True),
    }
    best = print_table(runs, len(tune), 40)
    a, b = best.values()
    verdict = (
        "check the served figures next" if b - a >= MARGIN_QUESTIONS else "nothing changes"
    )
    print(f"\nrule: (b) − (a) = {b - a:+d} questions (at least {MARGIN_QUESTIONS}); {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
