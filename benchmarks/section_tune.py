"""What the section-model experiments share: the served service on the tune questions, and
the cross-validation table they print.

Used by ``section_knn.py``, ``section_kinds.py``, ``section_evidence.py``,
``section_learning_curve.py`` and ``section_text_only.py`` (ADR 0104). Nothing is read or
loaded at import.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge import calibration_store as store
from knowledge.answering import GuidanceService
from knowledge.articles import Article, load_articles
from knowledge.build import open_knowledge_base
from knowledge.calibration import Calibration
from knowledge.embedding import load_embedder
from knowledge.index import set_threads
from knowledge.knowledge_base import KnowledgeBase
from knowledge.section_eval import SectionLabel, load_labels
from knowledge.section_fit import STRENGTHS
from knowledge.section_ranking import SectionEvidence
from knowledge.self_exclusion import SelfExclusion

ROOT = Path(__file__).resolve().parents[1]


def add_paths(parser: argparse.ArgumentParser) -> None:
    """The articles, index and labelled questions every experiment reads."""
    parser.add_argument("--articles", type=Path, default=ROOT / "knowledge/articles")
    parser.add_argument("--index", type=Path, default=ROOT / "var/index")
    parser.add_argument("--questions", type=Path, default=ROOT / "knowledge/eval/questions.jsonl")


@dataclass(frozen=True)
class Tune:
    """The served service over the articles, and the answerable tune questions."""

    articles: dict[str, Article]
    kb: KnowledgeBase
    calibration: Calibration
    service: GuidanceService
    exclusion: SelfExclusion
    labels: list[SectionLabel]


def open_tune(articles_dir: Path, index_dir: Path, questions: Path) -> Tune:
    """Open the index as served (one BLAS thread), its calibration, and the tune questions
    with an article and at least one strictly answering section."""
    articles = load_articles(articles_dir)
    embedder = load_embedder(index_dir.parent / "onnx-cache")
    kb = open_knowledge_base(articles_dir, index_dir, embedder).kb
    set_threads(1)
    calibration = Calibration.load(store.path_for_reading(articles_dir, index_dir, None))
    labels = [
        lab
        for lab in load_labels(questions, articles)
        if lab.split == "tune" and lab.article_id and lab.sections
    ]
    return Tune(
        articles, kb, calibration, GuidanceService(kb, calibration, index_dir),
        SelfExclusion(kb), labels,
    )


def answerable(
    tune: Tune, vectors: np.ndarray
) -> Iterator[tuple[SectionLabel, np.ndarray, list[SectionEvidence], np.ndarray]]:
    """Each tune question with its vector, its candidate sections (found with the question
    masked) and which of them answer; a question no candidate answers is skipped, as
    ``section_fit`` skips it."""
    for lab, vector in zip(tune.labels, vectors, strict=True):
        with tune.exclusion.without(lab.question):
            evidence = tune.service.section_candidates(lab.question, vector)
        answers = np.array([e.ref in set(lab.sections) for e in evidence], dtype=bool)
        if answers.any():
            yield lab, vector, evidence, answers


def print_table(runs: Mapping[str, Mapping[float, int]], n: int, width: int) -> dict[str, int]:
    """Print right-of-``n`` per strength and the best, one row per candidate; return the best."""
    print(f"\n5-fold CV section accuracy, {n} answerable tune questions (right of n)")
    print("candidate".ljust(width) + "".join(f"{s:>8}" for s in STRENGTHS) + "    best")
    best = {}
    for name, hits in runs.items():
        best[name] = max(hits.values())
        cells = "".join(f"{hits[s]:>8}" for s in STRENGTHS)
        print(f"{name:<{width}}{cells}{best[name]:>8} ({best[name] / n:.3f})")
    return best
