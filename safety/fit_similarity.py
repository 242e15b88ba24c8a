"""Fit the semantic crisis check's settings on the exemplars by cross-validation and save them.

    .venv/bin/python -m safety.fit_similarity [--model tuned|base] [--compare]

Writes ``safety/similarity.json`` (the embedding model, k, threshold, margin, cross-validated
recall and alarms, counts). The model is the tuned search model by default, so the action
server embeds a message once for the search and this check (ADR 0202, fourth round).
``--compare`` also prints the cross-validated figures for other k and alarm budgets
(how ``NEIGHBOURS`` and ``MAX_ALARM_RATE`` were chosen), and whether checking each sentence
of a multi-sentence message as well as the whole message raises cross-validated recall (it did
not: docs/adr/0202, third round). Only exemplars are used (tune halves and
``safety/exemplars/``), never a held-out or blind line. Runs in the app environment (it needs
the embedding model); ``safety.similarity`` itself is pure numpy.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from safety.similarity import (
    NEIGHBOURS,
    ROOT,
    SETTINGS_FILE,
    Parts,
    exemplar_texts,
    fit,
    sentences,
)

# Share of left-out ordinary phrasings the fitted rule may flag in cross-validation: 2 of the
# 1,080 of the second round (docs/adr/0202); a share, so the budget grows with the exemplars.
MAX_ALARM_RATE = 0.002


def sentence_parts(embedder: Any, crisis: list[str], ordinary: list[str]) -> Parts:
    """The sentences of the multi-sentence exemplars, embedded, with their exemplar's row."""
    split_c = [(row, part) for row, text in enumerate(crisis) for part in sentences(text)]
    split_o = [(row, part) for row, text in enumerate(ordinary) for part in sentences(text)]
    return Parts(
        crisis=embedder.embed([part for _, part in split_c]),
        crisis_of=np.array([row for row, _ in split_c], int),
        ordinary=embedder.embed([part for _, part in split_o]),
        ordinary_of=np.array([row for row, _ in split_o], int),
    )


def main() -> int:
    """Fit and save; print what was fitted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", action="store_true", help="print other k and budgets")
    parser.add_argument("--model", choices=["tuned", "base"], default="tuned",
                        help="the embedding model to fit on (default: the search's tuned one)")
    args = parser.parse_args()
    from knowledge.embedding import load_embedder
    from safety.detection import detect_safety_concern

    embedder = load_embedder(ROOT / "var" / "onnx-cache", model=args.model)
    crisis, ordinary = exemplar_texts()
    crisis_vectors, ordinary_vectors = embedder.embed(crisis), embedder.embed(ordinary)
    # Recall is counted on every crisis phrasing, not only on those the patterns miss: the
    # patterns were written from these same phrasings, so their misses here are too few and
    # too odd to fit on.
    missed = sum(detect_safety_concern(text) is None for text in crisis)
    max_alarms = MAX_ALARM_RATE * len(ordinary)
    if args.compare:
        budgets = (0.0, 1.0, 2.0, 3.0, round(max_alarms, 2))
        print("| k | ordinary alarms allowed | cross-validated recall (semantic check alone) |")
        print("|---|---|---|")
        for k in (1, 3, 5, 8, 12):
            for budget in budgets:
                found = fit(crisis_vectors, ordinary_vectors, k, budget)
                print(f"| {k} | {budget:g} | {found['recall']:.3f} "
                      f"(t {found['threshold']:.2f}, m {found['margin']:.2f}) |")
        parts = sentence_parts(embedder, crisis, ordinary)
        print(f"\nEach sentence as well as the whole message ({len(parts.crisis)} crisis and "
              f"{len(parts.ordinary)} ordinary sentences of multi-sentence exemplars):\n")
        print("| k | ordinary alarms allowed | whole message | whole or any sentence |")
        print("|---|---|---|---|")
        for k in (5, 8, 12):
            for budget in budgets[1:]:
                whole = fit(crisis_vectors, ordinary_vectors, k, budget)
                split = fit(crisis_vectors, ordinary_vectors, k, budget, parts=parts)
                print(f"| {k} | {budget:g} | {whole['recall']:.3f} | {split['recall']:.3f} "
                      f"(t {split['threshold']:.2f}, m {split['margin']:.2f}) |")
    best = fit(crisis_vectors, ordinary_vectors, NEIGHBOURS, max_alarms)
    settings = {
        "model": args.model,
        "model_fingerprint": embedder.fingerprint,
        **best,
        "k": NEIGHBOURS,
        "fitted": {
            "exemplars": "tune halves of safety/eval + safety/exemplars + knowledge tune questions",
            "crisis_phrasings": len(crisis),
            "crisis_missed_by_patterns": missed,
            "ordinary_phrasings": len(ordinary),
            "rule": f"5-fold cross-validation repeated 3 times; at most {max_alarms:.1f} "
            f"({MAX_ALARM_RATE:.1%}) left-out ordinary phrasings flagged on average",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    Path(SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(settings, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
