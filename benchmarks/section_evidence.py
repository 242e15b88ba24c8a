"""Evidence the section model does not have yet: the closest sentence, and the answer's kind.

ADR 0104, "Later (2026-12-05, eighteenth session): evidence the section model does not have
yet": the rule was written there before this script first ran. Prints, for the answerable tune
questions, the 5-fold cross-validated strict section accuracy of

- (a) the section model as served (27 features);
- (b) (a) plus ``sentence_cos`` and ``sentence_cos_rel`` (the section's closest sentence);
- (c) (a) plus ``text_<kind>`` (the question's kind meets a section text holding that kind of
  answer);
- (d) (a) plus both;

at every strength of ``section_fit.STRENGTHS`` (folds and fit as ``benchmarks/section_knn.py``),
and applies the rule. Only tune questions are scored; nothing is written.

    nice -n 5 .venv/bin/python benchmarks/section_evidence.py
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.section_knn import Group, add_four, judge  # noqa: E402
from benchmarks.section_tune import add_paths, answerable, open_tune  # noqa: E402
from knowledge.articles import Article  # noqa: E402
from knowledge.chunking import plain_text  # noqa: E402
from knowledge.embedding import Embedder  # noqa: E402
from knowledge.example_questions import section_ref  # noqa: E402
from knowledge.section_ranking import SectionEvidence, feature_rows, question_kinds  # noqa: E402

PREFERENCE = ("(c)", "(b)", "(d)")  # within one question of the best: no new vectors first
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ANSWER_KINDS = {  # fixed in the ADR before the first run
    "cost": r"£ ?\d|\bfree\b|\bno charge\b|%|\bper cent\b|\bdiscount\b|\bfees?\b",
    "time": rf"\d+ (?:working )?(?:days?|weeks?|months?|years?)\b|\b(?:{_MONTHS})\b|\bwithin\b"
    r"|\bdeadline\b|\d(?:am|pm)\b",
    "howto": r"\bonline\b|\bphone\b|\bcall\b|\bform\b|\bapply\b|\bfill in\b|\bbook\b|\bvisit\b",
    "who": r"\byou can (?:apply|get|claim)\b|\byou must be\b|\bif you are\b|\beligible\b"
    r"|\bonly if\b|\baged?\b",
    "need": r"\byou(?: will|'ll)? need\b|\bbring\b|\bdocuments?\b|\bproof\b|\bevidence\b",
    "problem": r"\bif\b[^.]*\b(?:not|cannot|lost|stolen|late|refused|rejected|wrong|damaged"
    r"|missed)\b",
}
_ANSWERS = {k: re.compile(p, re.I) for k, p in ANSWER_KINDS.items()}
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def section_texts(articles: Mapping[str, Article]) -> dict[str, tuple[str, str, str]]:
    """(title, heading, plain text) of each searchable section, by ``article-id#Heading``."""
    out = {}
    for a in articles.values():
        if not a.searchable:
            continue
        out[section_ref(a.id, None)] = (a.title, "", plain_text(a.intro))
        for s in a.sections:
            out[section_ref(a.id, s.heading)] = (a.title, s.heading, plain_text(s.body))
    return out


def sentence_vectors(
    texts: Mapping[str, tuple[str, str, str]], embedder: Embedder
) -> dict[str, np.ndarray]:
    """Each section's sentences embedded as "title. heading. sentence"."""
    keyed = []
    for ref, (title, heading, text) in texts.items():
        lead = ". ".join(x.rstrip(".") for x in (title, heading) if x)
        for sentence in _SENTENCE.split(text):
            if len(sentence.split()) >= 2:
                keyed.append((ref, f"{lead}. {sentence.strip()}"))
    vectors = embedder.embed([t for _, t in keyed])
    out: dict[str, list[np.ndarray]] = {}
    for (ref, _), v in zip(keyed, vectors, strict=True):
        out.setdefault(ref, []).append(v)
    return {ref: np.vstack(vs) for ref, vs in out.items()}


def sentence_features(
    vector: np.ndarray, evidence: Sequence[SectionEvidence], sentences: Mapping[str, np.ndarray]
) -> list[list[float]]:
    """``sentence_cos`` and ``sentence_cos_rel`` for each candidate section."""
    best = [
        float((sentences[e.ref] @ vector).max()) if e.ref in sentences else e.text_cos
        for e in evidence
    ]
    top = max(best, default=0.0)
    return [[b, b - top] for b in best]


def answer_features(
    question: str, evidence: Sequence[SectionEvidence], texts: Mapping[str, tuple[str, str, str]]
) -> list[list[float]]:
    """``text_<kind>`` for each candidate section, in ``ANSWER_KINDS`` order."""
    asked = question_kinds(question)
    rows = []
    for e in evidence:
        text = texts.get(e.ref, ("", "", ""))[2]
        rows.append([float(asked[k] and bool(_ANSWERS[k].search(text))) for k in ANSWER_KINDS])
    return rows


def gather_groups(articles_dir: Path, index_dir: Path, questions: Path) -> dict[str, list[Group]]:
    """Every answerable tune question's candidates, with each candidate's extra features."""
    tune = open_tune(articles_dir, index_dir, questions)
    texts = section_texts(tune.articles)
    sentences = sentence_vectors(texts, tune.kb.embedder)
    print(f"{sum(len(v) for v in sentences.values())} sentences embedded", file=sys.stderr)
    vectors = tune.kb.embedder.embed([lab.question for lab in tune.labels])
    groups: dict[str, list[Group]] = {"(a)": [], "(b)": [], "(c)": [], "(d)": []}
    for lab, vector, evidence, answers in answerable(tune, vectors):
        base = np.array(feature_rows(lab.question, evidence), dtype=np.float64)
        sent = np.array(sentence_features(vector, evidence, sentences), dtype=np.float64)
        kind = np.array(answer_features(lab.question, evidence, texts), dtype=np.float64)
        add_four(groups, base, answers, sent, kind)
    return groups


def main() -> int:
    """Gather the evidence, cross-validate the four candidates, apply the rule."""
    parser = argparse.ArgumentParser(description=__doc__)
    add_paths(parser)
    args = parser.parse_args()
    groups = gather_groups(args.articles, args.index, args.questions)
    names = {
        "(a)": "(a) as served",
        "(b)": "(b) + closest sentence",
        "(c)": "(c) + kind of answer in the text",
        "(d)": "(d) + both",
    }
    judge(groups, names, PREFERENCE, 36)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
