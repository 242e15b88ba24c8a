"""The Rasa project: clean data, every story passes, and the held-out NLU set is classified.

These run the real Rasa CLI on the model trained (once, cached by a hash of ``bot/``) by
the ``rasa_model`` fixture.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from safety.detection import detect_safety_concern
from tests.bot.rasa_cli import ROOT, run_rasa

pytestmark = pytest.mark.slow

HELDOUT = ROOT / "tests" / "bot" / "nlu_heldout.yml"
STORIES = ROOT / "tests" / "bot" / "test_stories.yml"
MUST_ROUTE = ("request_human", "request_callback", "safety_concern")


def test_data_validates_without_warnings() -> None:
    result = run_rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_every_test_story_passes(rasa_model: Path, tmp_path: Path) -> None:
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(rasa_model),
        "--stories",
        str(STORIES),
        "--fail-on-prediction-errors",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def heldout_predictions(rasa_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Classify the held-out set with the trained model (includes the fallback threshold)."""
    out = tmp_path_factory.mktemp("nlu-heldout")
    result = run_rasa(
        "test",
        "nlu",
        "--model",
        str(rasa_model),
        "--nlu",
        str(HELDOUT),
        "--out",
        str(out),
        "--successes",
        "--no-plot",
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


def test_heldout_set_is_large_enough_and_separate() -> None:
    heldout = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))["nlu"]
    training = yaml.safe_load((ROOT / "bot/data/nlu.yml").read_text(encoding="utf-8"))["nlu"]
    trained = {
        line.strip()[2:].lower()
        for block in training
        if "intent" in block
        for line in block["examples"].splitlines()
        if line.strip()
    }
    for block in heldout:
        examples = [line.strip()[2:] for line in block["examples"].splitlines() if line.strip()]
        assert len(examples) >= 15, block["intent"]
        assert not [e for e in examples if e.lower() in trained], block["intent"]


def test_heldout_accuracy_is_at_least_95_percent(heldout_predictions: Path) -> None:
    report = json.loads((heldout_predictions / "intent_report.json").read_text())
    assert report["accuracy"] >= 0.95, report["accuracy"]


def test_every_handoff_and_danger_utterance_is_routed(heldout_predictions: Path) -> None:
    """Every held-out handoff and danger utterance is routed: predicted as its intent, or, for
    a danger one, holding a crisis phrase. Since ADR 0202's ninth round the gate sends a phrase
    to guidance (``nlu_fallback``, reason ``phrase``), where the action server sends the
    helplines; ``rasa test nlu`` undoes a fallback and reports the classifier's own intent, so
    such an utterance shows up among its errors though it is routed as a crisis."""
    errors_file = heldout_predictions / "intent_errors.json"
    errors = json.loads(errors_file.read_text()) if errors_file.exists() else []
    missed = [
        (e["text"], e["intent_prediction"]["name"]) for e in errors
        if e["intent"] in MUST_ROUTE
        and not (e["intent"] == "safety_concern" and detect_safety_concern(e["text"]))
    ]
    # An utterance wrongly *predicted* as one of them would hand off needlessly: allowed
    # only for safety (over-caution), never silently the other way round.
    assert missed == []
