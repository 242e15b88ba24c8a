"""Fit the semantic crisis check's settings on the tune phrasings and save them.

    .venv/bin/python -m safety.fit_similarity

Writes ``safety/similarity.json`` (threshold, margin, leave-one-out recall, counts). Runs in the
app environment (it needs the embedding model); ``safety.similarity`` itself is pure numpy.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from safety.similarity import ROOT, SETTINGS_FILE, exemplar_texts, fit


def main() -> int:
    """Fit and save; print what was fitted."""
    from knowledge.embedding import load_embedder

    embedder = load_embedder(ROOT / "var" / "onnx-cache")
    crisis, ordinary = exemplar_texts()
    best = fit(embedder.embed(crisis), embedder.embed(ordinary))
    settings = {
        **best,
        "fitted": {
            "split": "tune",
            "crisis_phrasings": len(crisis),
            "ordinary_phrasings": len(ordinary),
            "rule": "no ordinary tune phrasing flagged (leave-one-out)",
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
    }
    Path(SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(settings, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
