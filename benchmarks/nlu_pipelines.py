"""Compare NLU pipelines on the held-out set and pick the fallback threshold.

For each candidate pipeline this trains an NLU-only model from ``bot/data/nlu.yml`` and the
examples generated from the articles (``stack.model.generated_data``, as the served model is
trained; time measured), classifies ``tests/bot/nlu_heldout.yml`` and prints one table row: training
seconds, accuracy, macro F1, and accuracy on the handoff and safety intents. It then
sweeps the FallbackClassifier threshold for the chosen pipeline. The baseline row is a
word-count LogisticRegression, trained in the same run.

Run from the repository root (takes a few minutes on 2 cores):

    .venv/bin/python benchmarks/nlu_pipelines.py [--only lr_char,diet_small]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
TRAIN = ROOT / "bot" / "data" / "nlu.yml"
HELDOUT = ROOT / "tests" / "bot" / "nlu_heldout.yml"
CRITICAL = ("request_human", "request_callback", "safety_concern")

TOKENS = [{"name": "WhitespaceTokenizer"}]
WORDS = {"name": "CountVectorsFeaturizer"}
CHARS = {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4}
LOGREG = {"name": "LogisticRegressionClassifier", "max_iter": 200, "random_state": 42}
NO_FALLBACK = {"name": "FallbackClassifier", "threshold": 0.0}

PIPELINES: dict[str, list[dict[str, Any]]] = {
    "baseline_lr_words": [*TOKENS, WORDS, LOGREG, NO_FALLBACK],
    "lr_char": [*TOKENS, WORDS, CHARS, LOGREG, NO_FALLBACK],
    "diet_small": [
        *TOKENS,
        WORDS,
        CHARS,
        {
            "name": "DIETClassifier",
            "epochs": 60,
            "entity_recognition": False,
            "hidden_layers_sizes": {"text": [128]},
            "number_of_transformer_layers": 0,
            "random_seed": 42,
        },
        NO_FALLBACK,
    ],
}


def write_config(path: Path, pipeline: list[dict[str, Any]]) -> None:
    """Write an NLU-only Rasa config with ``pipeline``."""
    config = {"recipe": "default.v1", "language": "en", "pipeline": pipeline, "policies": []}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def run(cmd: list[str], cwd: Path) -> None:
    """Run a Rasa CLI command, failing loudly with its output."""
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd)}")


def predictions(out: Path) -> list[dict[str, Any]]:
    """All held-out predictions (successes and errors) written by ``rasa test nlu``."""
    rows: list[dict[str, Any]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():
            rows += json.loads(path.read_text(encoding="utf-8"))
    return rows


@dataclass
class Measured:
    """One pipeline's results on the held-out set."""

    name: str
    train_s: float
    accuracy: float
    macro_f1: float
    critical: str
    rows: list[dict[str, Any]]
    report: dict[str, Any]


def training_data(work: Path) -> Path:
    """A folder with the NLU training files the served model is trained on."""
    from stack.model import generated_data

    folder = work / "training-data"
    if not folder.exists():
        folder.mkdir()
        (folder / TRAIN.name).write_text(TRAIN.read_text(encoding="utf-8"), encoding="utf-8")
        for name, text in generated_data(ROOT / "bot").items():
            (folder / name).write_text(text, encoding="utf-8")
    return folder


def evaluate(name: str, pipeline: list[dict[str, Any]], work: Path) -> Measured:
    """Train ``pipeline`` and classify the held-out set; return metrics and predictions."""
    config = work / f"{name}.yml"
    write_config(config, pipeline)
    data = training_data(work)
    started = time.perf_counter()
    run(
        [
            str(RASA),
            "train",
            "nlu",
            "-c",
            str(config),
            "--nlu",
            str(data),
            "--out",
            str(work),
            "--fixed-model-name",
            name,
        ],
        cwd=work,
    )
    train_seconds = time.perf_counter() - started
    out = work / f"{name}-results"
    run(
        [
            str(RASA),
            "test",
            "nlu",
            "--model",
            str(work / f"{name}.tar.gz"),
            "--nlu",
            str(HELDOUT),
            "--out",
            str(out),
            "--successes",
            "--no-plot",
        ],
        cwd=work,
    )
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    rows = predictions(out)
    critical = [r for r in rows if r["intent"] in CRITICAL]
    critical_ok = sum(1 for r in critical if r["intent"] == r["intent_prediction"]["name"])
    return Measured(
        name=name,
        train_s=train_seconds,
        accuracy=report["accuracy"],
        macro_f1=report["macro avg"]["f1-score"],
        critical=f"{critical_ok}/{len(critical)}",
        rows=rows,
        report=report,
    )


def threshold_sweep(rows: list[dict[str, Any]]) -> list[tuple[float, float, int]]:
    """Accuracy and number sent to fallback if predictions below each threshold fall back.

    A fallback counts as wrong for every intent except ``ask_question`` and
    ``out_of_scope`` (low-confidence messages go to guidance, which abstains if nothing
    fits, so a fallback there still gives the right behaviour).
    """
    results = []
    for threshold in (0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        correct = fallback = 0
        for row in rows:
            predicted = row["intent_prediction"]
            if predicted["confidence"] < threshold:
                fallback += 1
                correct += row["intent"] in ("ask_question", "out_of_scope")
            else:
                correct += row["intent"] == predicted["name"]
        results.append((threshold, correct / len(rows), fallback))
    return results


def main() -> int:
    """Print the comparison table, per-intent F1 of the best pipeline and the sweep."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default=",".join(PIPELINES))
    args = parser.parse_args()
    chosen = [name for name in args.only.split(",") if name in PIPELINES]
    with tempfile.TemporaryDirectory(prefix="nlu-bench-") as tmp:
        results = [evaluate(name, PIPELINES[name], Path(tmp)) for name in chosen]
    print(f"{'pipeline':<20}{'train s':>9}{'accuracy':>10}{'macro F1':>10}{'handoff+safety':>16}")
    for r in results:
        print(
            f"{r.name:<20}{r.train_s:>9.1f}{r.accuracy:>10.3f}{r.macro_f1:>10.3f}{r.critical:>16}"
        )
    best = max(results, key=lambda r: r.accuracy)
    print(f"\nper-intent on the held-out set ({best.name}):")
    for intent, scores in sorted(best.report.items()):
        if isinstance(scores, dict) and "support" in scores and " avg" not in intent:
            print(
                f"  {intent:<22} P {scores['precision']:.2f}  R {scores['recall']:.2f}  "
                f"F1 {scores['f1-score']:.2f}  n {scores['support']}"
            )
    print(f"\nfallback threshold sweep ({best.name}): threshold, accuracy, sent to fallback")
    for threshold, accuracy, fallback in threshold_sweep(best.rows):
        print(f"  {threshold:.2f}  {accuracy:.3f}  {fallback}")
    errors = [row for row in best.rows if row["intent"] != row["intent_prediction"]["name"]]
    print(f"\nerrors ({len(errors)}):")
    for row in errors:
        p = row["intent_prediction"]
        print(f"  {row['intent']:<20} -> {p['name']:<20} {p['confidence']:.2f}  {row['text']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
