"""Train a cross-encoder that scores (question, section) pairs, from weights we already have.

An experiment (ADR 0104 set the idea aside because no cross-encoder ships offline): the tuned
all-MiniLM-L6-v2 (``knowledge/model``, assembled by :mod:`knowledge.tuned_model`) reads the
question and one section's embedded text together (``[CLS] question [SEP] title. heading.
text [SEP]``); its mean-pooled last layer goes through one linear unit, the pair's logit.

Training data are the articles' own example questions only, as in :mod:`knowledge.model_tuning`:
each question forms a group with its section's text (positive) and ``NEGATIVES`` other
sections — all but one from the same article (hard negatives), one from another article — and
the loss is a softmax over the group (listwise, like the section model's conditional logit).
Example questions equal to any labelled evaluation question are left out
(:func:`knowledge.model_tuning.labelled_questions`). Seeded; CPU only.

    nice -n 10 .venv/bin/python benchmarks/cross_encoder_training.py --out var/cross-encoder

The weights go to ``--out`` (git-ignored ``var/``), never to ``knowledge/model``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.articles import Article
from knowledge.chunking import chunk_article
from knowledge.example_questions import fold_question

SEED = 13
NEGATIVES = 3  # per group: NEGATIVES - 1 from the same article, 1 from another article
GROUPS_PER_BATCH = 8
MAX_LENGTH = 128
EPOCHS = 0.7  # sized to the 40-minute time box: ~4.7 s per step of 8 groups on 2 shared cores
LEARNING_RATE = 5e-5
HEAD_FILE = "head.json"
MANIFEST_FILE = "cross.json"


@dataclass(frozen=True)
class Group:
    """One example question, its section's text first, then the negatives' texts."""

    question: str
    texts: tuple[str, ...]


def section_texts(articles: Mapping[str, Article]) -> dict[str, str]:
    """Each section's embedded text (``title. heading. text``; first part of a long one),
    keyed ``article-id#anchor``."""
    texts: dict[str, str] = {}
    for article in articles.values():
        for chunk in chunk_article(article):
            if chunk.kind == "text":
                texts.setdefault(chunk.section, chunk.embed_text)
    return texts


def training_groups(
    articles: Mapping[str, Article],
    excluded: set[str],
    negatives: int = NEGATIVES,
    seed: int = SEED,
) -> tuple[list[Group], int]:
    """A group per example question not in ``excluded`` (folded); also how many were left out."""
    rng = random.Random(seed)
    texts = section_texts(articles)
    by_article: dict[str, list[str]] = {}
    for section in texts:
        by_article.setdefault(section.split("#", 1)[0], []).append(section)
    groups, left_out = [], 0
    for article in articles.values():
        for chunk in chunk_article(article):
            if chunk.kind != "question":
                continue
            if fold_question(chunk.embed_text) in excluded:
                left_out += 1
                continue
            same = [s for s in by_article[article.id] if s != chunk.section]
            chosen = rng.sample(same, min(negatives - 1, len(same)))
            others = [s for a, secs in by_article.items() if a != article.id for s in secs]
            chosen.append(rng.choice(others))
            texts_of = (texts[chunk.section], *(texts[s] for s in chosen))
            groups.append(Group(chunk.embed_text, texts_of))
    return groups, left_out


class CrossEncoder:
    """A BERT-style encoder plus a linear unit over its mean-pooled last layer."""

    def __init__(self, model_dir: Path, head: Sequence[float] | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
        self.encoder = AutoModel.from_pretrained(str(model_dir))
        hidden = int(self.encoder.config.hidden_size)
        self.head = torch.nn.Linear(hidden, 1)
        with torch.no_grad():
            if head is None:
                self.head.weight.zero_()
                self.head.bias.zero_()
            else:
                self.head.weight.copy_(torch.tensor([list(head[:-1])]))
                self.head.bias.fill_(float(head[-1]))

    def parameters(self) -> list[Any]:
        """Every trainable tensor (encoder and head)."""
        return [*self.encoder.parameters(), *self.head.parameters()]

    def train(self, mode: bool = True) -> None:
        """Switch dropout on (training) or off."""
        self.encoder.train(mode)
        self.head.train(mode)

    def tokenize(self, questions: Sequence[str], texts: Sequence[str],
                 max_length: int = MAX_LENGTH) -> Any:
        """Question-section pairs as padded tensors (only the section is truncated)."""
        return self.tokenizer(list(questions), list(texts), truncation="only_second",
                              max_length=max_length, padding=True, return_tensors="pt")

    def forward(self, features: Any) -> Any:
        """One logit per pair."""
        import torch

        states = self.encoder(**features).last_hidden_state
        mask = features["attention_mask"].unsqueeze(-1).to(states.dtype)
        pooled = (states * mask).sum(1) / torch.clamp(mask.sum(1), min=1e-9)
        return self.head(pooled).squeeze(-1)

    def score(self, question: str, texts: Sequence[str],
              max_length: int = MAX_LENGTH) -> list[float]:
        """Logit of each text answering ``question`` (inference mode)."""
        import torch

        if not texts:
            return []
        with torch.inference_mode():
            logits = self.forward(self.tokenize([question] * len(texts), texts, max_length))
        return [float(v) for v in logits]

    def save(self, out_dir: Path) -> None:
        """Encoder folder (config, tokenizer, weights) plus the head as JSON."""
        out_dir.mkdir(parents=True, exist_ok=True)
        self.encoder.save_pretrained(str(out_dir))
        self.tokenizer.save_pretrained(str(out_dir))
        head = [*self.head.weight.detach()[0].tolist(), float(self.head.bias.detach()[0])]
        (out_dir / HEAD_FILE).write_text(json.dumps(head))

    @classmethod
    def load(cls, out_dir: Path) -> CrossEncoder:
        """What :meth:`save` wrote, in evaluation mode."""
        model = cls(out_dir, json.loads((out_dir / HEAD_FILE).read_text()))
        model.train(False)
        return model


def train(
    model_dir: Path,
    groups: Sequence[Group],
    out_dir: Path | None,
    epochs: float = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    max_length: int = MAX_LENGTH,
    max_steps: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train from ``model_dir`` on ``groups`` and save to ``out_dir``; return the settings.

    ``epochs`` may be fractional (the shuffled groups are cut); ``max_steps`` stops early
    without saving (to time a few batches).
    """
    import torch

    rng = random.Random(SEED)
    torch.manual_seed(SEED)
    order = [g for e in range(int(epochs) + 1) for g in rng.sample(list(groups), len(groups))]
    order = order[: round(epochs * len(groups))]
    plan = [order[i:i + GROUPS_PER_BATCH] for i in range(0, len(order), GROUPS_PER_BATCH)]
    model = CrossEncoder(model_dir)
    warm = max(1, len(plan) // 10)
    optimiser = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser,
        lambda s: min((s + 1) / warm, max(0.0, (len(plan) - s) / max(1, len(plan) - warm))),
    )
    model.train(True)
    started = time.perf_counter()
    for step, batch in enumerate(plan):
        if max_steps is not None and step >= max_steps:
            break
        questions = [g.question for g in batch for _ in g.texts]
        texts = [t for g in batch for t in g.texts]
        logits = model.forward(model.tokenize(questions, texts, max_length))
        size = len(batch[0].texts)
        loss = torch.nn.functional.cross_entropy(
            logits.view(len(batch), size), torch.zeros(len(batch), dtype=torch.long))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        if step % 25 == 0 or step == len(plan) - 1:
            log(f"step {step + 1}/{len(plan)}: loss {loss.item():.3f} "
                f"({time.perf_counter() - started:.0f} s)")
    manifest = {
        "start": str(model_dir), "groups": len(groups), "steps": len(plan),
        "groups_per_batch": GROUPS_PER_BATCH, "negatives": len(groups[0].texts) - 1,
        "epochs": epochs, "learning_rate": learning_rate, "max_length": max_length,
        "seed": SEED, "seconds": round(time.perf_counter() - started),
    }
    if out_dir is not None and max_steps is None:
        model.save(out_dir)
        (out_dir / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def export_onnx(out_dir: Path) -> Path:
    """The trained cross-encoder (encoder, pooling and head) as ``out_dir/cross.onnx``."""
    import torch

    model = CrossEncoder.load(out_dir)

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder, self.head = model.encoder, model.head

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return model.forward({"input_ids": input_ids, "attention_mask": attention_mask,
                                  "token_type_ids": token_type_ids})

    sample = model.tokenize(["a question"], ["a section's text"])
    target = out_dir / "cross.onnx"
    axes = {0: "pairs", 1: "tokens"}
    torch.onnx.export(
        Wrapped(), (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"]),
        str(target), input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["logit"], dynamic_axes={"input_ids": axes, "attention_mask": axes,
                                              "token_type_ids": axes, "logit": {0: "pairs"}},
        opset_version=17, dynamo=False,
    )
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: train (or time a few steps with ``--max-steps``), then export to ONNX."""
    from knowledge.articles import load_articles
    from knowledge.model_tuning import labelled_questions
    from knowledge.tuned_model import base_model_path, served_model_path

    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=Path, default=root / "knowledge/articles")
    parser.add_argument("--out", type=Path, default=root / "var/cross-encoder")
    parser.add_argument("--start", choices=("tuned", "base"), default="tuned")
    parser.add_argument("--epochs", type=float, default=EPOCHS)
    parser.add_argument("--max-steps", type=int, default=None)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(2)
    start = (served_model_path(root / "var/onnx-cache") if args.start == "tuned"
             else base_model_path())
    groups, left_out = training_groups(load_articles(args.articles),
                                       labelled_questions(root / "knowledge/eval"))
    print(f"{len(groups)} groups of 1 + {NEGATIVES} ({left_out} left out: equal to a labelled "
          f"question); start: {args.start}")
    manifest = train(start, groups, args.out, epochs=args.epochs, max_steps=args.max_steps)
    manifest.update(left_out=left_out, start=args.start)
    if args.max_steps is None:
        (args.out / MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        print(f"exported {export_onnx(args.out)}")
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
