"""Would fine-tuning the embedding model on the tune split's labelled questions help? Out of fold.

ADR 0107 tuned the model on the articles' own example questions only, so that no labelled
question is ever in training (its option 2, the tune split's questions, was set aside). This
experiment measures option 2 honestly, by five-fold cross-validation over the tune split's
answerable questions (ADR 0107, sixteenth session, holds the rule fixed before any figure):

- each fold's model starts from the shipped tuned weights (``knowledge/model``) and is trained
  for ``EPOCHS`` at ``LEARNING_RATE`` on the other four folds' questions, each paired with
  each of its strictly answering sections (a hard negative: a section of the same article that
  is neither strict nor partial), mixed with as many example-question pairs
  (:func:`knowledge.model_tuning.training_pairs`, seeded) so the model keeps what it learnt
  from them; in-batch softmax, as ``model_tuning``;
- each tune question is then scored once, by the model that did not see it: the section whose
  text chunk or example question is nearest the question (example questions equal to the
  question masked), over every section of every article. The shipped model is scored the same
  way, so the two rows differ only in the weights.

Nothing is written to ``knowledge/``; no held-out, kept or GOV.UK question is read.

    nice -n 5 .venv/bin/python benchmarks/embedding_tune_split_cv.py
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.articles import Article, load_articles
from knowledge.chunking import chunk_article
from knowledge.example_questions import fold_question, section_ref
from knowledge.model_tuning import (
    Pair,
    batches,
    labelled_questions,
    train_steps,
    training_pairs,
)
from knowledge.tuned_model import served_model_path

ROOT = Path(__file__).resolve().parents[1]
SEED = 13
FOLDS = 5
EPOCHS = 2
LEARNING_RATE = 2e-5


@dataclass(frozen=True)
class Tuned:
    """One answerable tune question and its labels (``article-id#Heading`` refs)."""

    question: str
    article_id: str
    strict: frozenset[str]
    partial: frozenset[str]


@dataclass(frozen=True)
class Corpus:
    """What is scored against: each text chunk and each example question, with its section."""

    texts: list[str]
    sections: list[str]
    is_question: list[bool]
    section_text: dict[str, str]


def tune_questions(path: Path) -> list[Tuned]:
    """The tune split's questions that some section answers, strictly."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line) if line.strip() else {}
        if row.get("split") == "tune" and row.get("sections"):
            out.append(Tuned(row["question"].strip(), row["article_id"],
                             frozenset(row["sections"]), frozenset(row.get("partial") or ())))
    return out


def corpus(articles: Mapping[str, Article]) -> Corpus:
    """Every text chunk and example question of ``articles``, keyed by label ref."""
    texts: list[str] = []
    sections: list[str] = []
    is_question: list[bool] = []
    section_text: dict[str, str] = {}
    for article in articles.values():
        for chunk in chunk_article(article):
            if chunk.kind not in ("text", "question"):
                continue
            ref = section_ref(article.id, chunk.heading if chunk.anchor else None)
            texts.append(chunk.embed_text)
            sections.append(ref)
            is_question.append(chunk.kind == "question")
            if chunk.kind == "text":
                section_text.setdefault(ref, chunk.embed_text)
    return Corpus(texts, sections, is_question, section_text)


def labelled_pairs(questions: Sequence[Tuned], texts: Mapping[str, str], seed: int) -> list[Pair]:
    """A pair per (question, strict section) with a same-article non-answering negative."""
    rng = random.Random(seed)
    by_article: dict[str, list[str]] = {}
    for ref in texts:
        by_article.setdefault(ref.split("#", 1)[0], []).append(ref)
    pairs = []
    for q in questions:
        wrong = [s for s in by_article[q.article_id] if s not in q.strict | q.partial]
        for ref in sorted(q.strict):
            if ref in texts:
                negative = rng.choice(wrong or [s for s in texts if s not in q.strict])
                pairs.append(Pair(q.question, texts[ref], texts[negative]))
    return pairs


def train(start: Path, pairs: list[Pair], out: Path, log: Any = print) -> Path:
    """Train ``start`` on ``pairs`` (seeded); save a loadable model folder at ``out``."""
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    model = SentenceTransformer(str(start), device="cpu", local_files_only=True)
    plan = [b for _ in range(EPOCHS) for b in batches(rng.sample(pairs, len(pairs)))]
    started = time.perf_counter()
    loss = train_steps(model, plan, LEARNING_RATE)
    log(f"  {len(plan)} steps, last loss {loss:.3f}, {time.perf_counter() - started:.0f} s")
    model.save(str(out))
    return out


def score(model_dir: Path, questions: Sequence[Tuned], docs: Corpus) -> list[tuple[int, int, int]]:
    """(strict, lenient, article) hit of each question's nearest section, 0 or 1 each."""
    import numpy as np
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    doc_vecs = model.encode(docs.texts, batch_size=64, normalize_embeddings=True)
    q_vecs = model.encode([q.question for q in questions], batch_size=64,
                          normalize_embeddings=True)
    folded_docs = [fold_question(t) if flag else None
                   for t, flag in zip(docs.texts, docs.is_question, strict=True)]
    sims = q_vecs @ doc_vecs.T
    hits = []
    for i, q in enumerate(questions):
        row = sims[i].copy()
        own = fold_question(q.question)
        for j, folded in enumerate(folded_docs):
            if folded == own:
                row[j] = -np.inf  # the question itself, as an example question: masked
        best = docs.sections[int(np.argmax(row))]
        hits.append((int(best in q.strict), int(best in q.strict | q.partial),
                     int(best.split("#", 1)[0] == q.article_id)))
    return hits


def table(rows: Mapping[str, Sequence[tuple[int, int, int]]]) -> str:
    """Strict / lenient / article counts and shares per row."""
    lines = ["| model | strict | lenient | article |", "|---|---|---|---|"]
    for name, hits in rows.items():
        n = len(hits)
        cells = [f"{sum(h[k] for h in hits) / n:.3f} ({sum(h[k] for h in hits)})" for k in range(3)]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the five folds and print the table (shipped model against fold-trained models)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=FOLDS, help="folds to run (information)")
    args = parser.parse_args(argv)
    articles = load_articles(ROOT / "knowledge" / "articles")
    docs = corpus(articles)
    questions = tune_questions(ROOT / "knowledge" / "eval" / "questions.jsonl")
    examples, _ = training_pairs(articles, labelled_questions(ROOT / "knowledge" / "eval"))
    shipped = served_model_path(ROOT / "var" / "cache")
    order = list(range(len(questions)))
    random.Random(SEED).shuffle(order)
    folds = [order[i::FOLDS] for i in range(FOLDS)][: args.folds]
    scored = [i for fold in folds for i in fold]
    print(f"{len(questions)} answerable tune questions; {len(docs.texts)} chunks and example "
          f"questions; {len(examples)} example-question pairs")
    base_hits = score(shipped, [questions[i] for i in scored], docs)
    fold_hits: list[tuple[int, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, fold in enumerate(folds):
            held = set(fold)
            seen = [questions[i] for i in order if i not in held]
            labelled = labelled_pairs(seen, docs.section_text, SEED + n)
            mixed = labelled + random.Random(SEED + n).sample(examples, len(labelled))
            print(f"fold {n + 1}: {len(labelled)} labelled pairs + {len(labelled)} example pairs")
            model_dir = train(shipped, mixed, Path(tmp) / f"fold{n}")
            fold_hits += score(model_dir, [questions[i] for i in fold], docs)
    print(table({"shipped tuned model": base_hits,
                 f"+ tune questions, out of fold ({EPOCHS} epochs, {LEARNING_RATE:g})": fold_hits}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
