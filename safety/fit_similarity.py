"""Fit the semantic crisis check's settings on the exemplars by cross-validation and save them.

    .venv/bin/python -m safety.fit_similarity [--compare]

Writes ``safety/similarity.json`` (k, threshold, margin, cross-validated recall and alarms,
counts). ``--compare`` also prints the cross-validated figures for other k and alarm budgets
(how ``NEIGHBOURS`` and ``MAX_ALARMS`` were chosen). Only exemplars are used (tune halves and
``safety/exemplars/``), never a held-out or blind line. Runs in the app environment (it needs
the embedding model); ``safety.similarity`` itself is pure numpy.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from safety.similarity import NEIGHBOURS, ROOT, SETTINGS_FILE, exemplar_texts, fit

# Left-out ordinary phrasings the fitted rule may flag in cross-validation (of about 1,000).
MAX_ALARMS = 2


def main() -> int:
    """Fit and save; print what was fitted."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--compare", action="store_true", help="print other k and budgets")
    args = parser.parse_args()
    from knowledge.embedding import load_embedder
    from safety.detection import detect_safety_concern

    embedder = load_embedder(ROOT / "var" / "onnx-cache")
    crisis, ordinary = exemplar_texts()
    crisis_vectors, ordinary_vectors = embedder.embed(crisis), embedder.embed(ordinary)
    # Recall is counted on every crisis phrasing, not only on those the patterns miss: the
    # patterns were written from these same phrasings, so their misses here are too few and
    # too odd to fit on.
    missed = sum(detect_safety_concern(text) is None for text in crisis)
    if args.compare:
        print("| k | ordinary alarms allowed | cross-validated recall (semantic check alone) |")
        print("|---|---|---|")
        for k in (1, 3, 5, 8, 12):
            for budget in (0, 1, 2, 3):
                found = fit(crisis_vectors, ordinary_vectors, k, budget)
                print(f"| {k} | {budget} | {found['recall']:.3f} "
                      f"(t {found['threshold']:.2f}, m {found['margin']:.2f}) |")
    best = fit(crisis_vectors, ordinary_vectors, NEIGHBOURS, MAX_ALARMS)
    settings = {
        **best,
        "k": NEIGHBOURS,
        "fitted": {
            "exemplars": "tune halves of safety/eval + safety/exemplars + knowledge tune questions",
            "crisis_phrasings": len(crisis),
            "crisis_missed_by_patterns": missed,
            "ordinary_phrasings": len(ordinary),
            "rule": f"5-fold cross-validation repeated 3 times; at most {MAX_ALARMS} left-out "
            "ordinary phrasings flagged on average",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    Path(SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(settings, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
