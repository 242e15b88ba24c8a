"""The tuned embedding model: how it is trained, stored and loaded (ADR 0107)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from knowledge.articles import load_articles
from knowledge.cli import main as knowledge_cli
from knowledge.embedding import load_embedder, model_fingerprint
from knowledge.example_questions import fold_question
from knowledge.model_tuning import batches, labelled_questions, training_pairs, tune
from knowledge.tuned_model import (
    MANIFEST_FILE,
    TUNED_DIR,
    WEIGHTS_FILE,
    TunedModelError,
    base_model_path,
    read_manifest,
    served_model_path,
)

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "knowledge" / "articles"
EVAL = REPO / "knowledge" / "eval"


def test_no_labelled_question_is_trained_on() -> None:
    """Every example question equal to a labelled evaluation question is left out, so the
    evaluation stays blind to training; every pair's negative is another section of the same
    article."""
    articles = load_articles(ARTICLES)
    labelled = labelled_questions(EVAL)
    pairs, left_out = training_pairs(articles, labelled)
    assert left_out > 0 and len(pairs) > 1000
    assert not any(fold_question(p.question) in labelled for p in pairs)
    assert all(p.negative != p.positive for p in pairs)


def test_a_batch_never_holds_one_section_twice() -> None:
    """An in-batch negative must never be the right answer; every pair is used once."""
    pairs, _ = training_pairs(load_articles(ARTICLES), set())
    seen = 0
    for batch in batches(pairs):
        positives = [p.positive for p in batch]
        assert len(set(positives)) == len(positives) <= 32
        seen += len(batch)
    assert seen == len(pairs)


def test_the_shipped_model_belongs_to_the_installed_base() -> None:
    """knowledge/model was tuned from the installed package's model (else loading refuses)."""
    manifest = read_manifest()
    assert manifest["base_fingerprint"] == model_fingerprint(base_model_path())


def test_served_folder_holds_the_tuned_weights(tmp_path: Path) -> None:
    """The assembled folder is the base folder with the tuned weights widened to float32,
    assembled once."""
    from safetensors.numpy import load_file

    folder = served_model_path(tmp_path)
    assert (folder / "tokenizer.json").exists() and (folder / "1_Pooling").is_dir()
    served = load_file(str(folder / "model.safetensors"))
    stored = load_file(str(TUNED_DIR / WEIGHTS_FILE))
    name = "encoder.layer.0.attention.self.query.weight"
    assert served[name].dtype == np.float32
    assert np.array_equal(served[name], stored[name].astype(np.float32))
    written = (folder / "model.safetensors").stat().st_mtime_ns
    assert served_model_path(tmp_path) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == written


def test_wrong_or_missing_tuned_model_is_refused_plainly(tmp_path: Path) -> None:
    """Weights tuned from another base, or no weights at all, give one clear message."""
    with pytest.raises(TunedModelError, match="tune-model"):
        served_model_path(tmp_path / "cache", tuned_dir=tmp_path / "nothing")
    other = tmp_path / "other"
    other.mkdir()
    (other / WEIGHTS_FILE).write_bytes((TUNED_DIR / WEIGHTS_FILE).read_bytes())
    (other / MANIFEST_FILE).write_text(json.dumps({"base_fingerprint": "0" * 16}))
    with pytest.raises(TunedModelError, match="another base model"):
        served_model_path(tmp_path / "cache", tuned_dir=other)
    assert not (tmp_path / "cache").exists()


def test_base_and_tuned_models_differ_and_unknown_is_refused(tmp_path: Path) -> None:
    """The crisis check's base model and the search's tuned model are two models."""
    cache = REPO / "var" / "onnx-cache"
    tuned, base = load_embedder(cache), load_embedder(cache, model="base")
    assert tuned.fingerprint != base.fingerprint and tuned.name != base.name
    text = ["how do I pay my council tax"]
    assert float(tuned.embed(text)[0] @ base.embed(text)[0]) < 0.999
    with pytest.raises(ValueError, match="unknown embedding model"):
        load_embedder(cache, model="bogus")


def test_tuning_writes_weights_that_load(tmp_path: Path) -> None:
    """A short run writes weights and a manifest the loader accepts, and the weights it writes
    are not the base model's: training moved them.

    The slice is the first article's introduction and first two sections, two example
    questions each: six pairs in two steps of three (the learning-rate schedule needs at least
    two steps), the same path as a full run's 3,300 pairs in seconds instead of a minute. What
    must hold: the pairs are counted in the manifest, every weight the embedding uses moved
    (compared at float16, as stored), and ``served_model_path`` assembles a folder from them.
    """
    from safetensors.numpy import load_file

    articles = load_articles(ARTICLES)
    first = articles[sorted(articles)[0]]
    sliced = replace(
        first,
        intro_questions=first.intro_questions[:2],
        sections=tuple(replace(s, questions=s.questions[:2]) for s in first.sections[:2]),
    )
    small = {sliced.id: sliced}
    pairs, _ = training_pairs(small, labelled_questions(EVAL))
    assert len(list(batches(pairs))) >= 2  # else the slice no longer exercises a schedule
    out = tmp_path / "model"
    manifest = tune(small, EVAL, out, epochs=1, learning_rate=5e-5, log=lambda _: None)
    assert manifest["pairs"] == len(pairs) > 0 and manifest["epochs"] == 1
    tuned = load_file(str(out / WEIGHTS_FILE))
    base = load_file(str(base_model_path() / "model.safetensors"))
    moved = {
        name
        for name, array in tuned.items()
        if not np.array_equal(array, base[name].astype(np.float16))
    }
    # every tensor the mean-pooled embedding uses moved; only the pooler, which mean pooling
    # never uses, gets no gradient, so AdamW leaves it as it was
    assert moved == {name for name in tuned if not name.startswith("pooler.")}
    folder = served_model_path(tmp_path / "cache", tuned_dir=out)
    assert model_fingerprint(folder) != model_fingerprint(base_model_path())
    served = load_file(str(folder / "model.safetensors"))
    assert all(np.array_equal(served[name], tuned[name].astype(np.float32)) for name in moved)


def test_bad_tuning_settings_change_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--epochs 0 is refused with a message, and nothing is written."""
    out = tmp_path / "model"
    assert knowledge_cli(["tune-model", "--epochs", "0", "--out", str(out)]) == 2
    assert "--epochs" in capsys.readouterr().err
    assert not out.exists()
