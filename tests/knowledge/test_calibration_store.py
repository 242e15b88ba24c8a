"""Calibration belongs to a corpus (issue 16 item 6): kept with its index, never written over
the committed default by a command aimed at another corpus, refused for unusable question sets,
and named (with its corpus) when a service starts."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from knowledge import calibration_store as store
from knowledge.answering import GuidanceService
from knowledge.calibration import CalibrationError
from knowledge.cli import main as cli_main
from knowledge.embedding import Embedder

from .conftest import REPO, shared_onnx_cache

GOVUK = REPO / "knowledge" / "eval" / "govuk" / "articles"
DEFAULT = REPO / "knowledge" / "calibration.json"


def _digest() -> str:
    return hashlib.sha256(DEFAULT.read_bytes()).hexdigest()


def _questions(path: Path, per_article: int, off_topic: int) -> Path:
    """A small tune set for the GOV.UK corpus, in the agreed question format."""
    asked = {
        "apply-blue-badge": ["how do i get a blue badge", "track my blue badge application"],
        "calculate-your-child-maintenance": [
            "child maintenance calculator",
            "work out maintenance",
        ],
        "chwilio-am-swydd": ["chwilio am swydd", "find a job online in welsh"],
        "correct-marriage-registration": ["mistake on marriage certificate", "fix wedding record"],
        "guidance-salary-sacrifice-and-the-effects-on-paye": [
            "what is salary sacrifice",
            "pay swap for pension",
        ],
        "gwasanaethau-ar-lein-cymraeg-cthem": ["hmrc services in welsh", "hunanasesiad ar-lein"],
        "help-cookies": ["does gov.uk use cookies", "google analytics cookies"],
        "national-curriculum": ["key stage 2 subjects", "when are sats"],
        "report-stray-dog": ["found a stray dog", "keep a stray dog"],
        "take-pet-abroad": ["bring my dog into the uk", "pet passport rules"],
    }
    lines: list[dict[str, object]] = [
        {"question": q, "article_id": a, "sections": [], "partial": [], "split": "tune"}
        for a, qs in asked.items()
        for q in qs[:per_article]
    ]
    lines += [
        {"question": q, "article_id": None, "sections": [], "partial": [], "split": "tune"}
        for q in (
            "recipe for lasagne",
            "who won the cup",
            "weather tomorrow",
            "tell me a joke",
            "price of bitcoin",
            "how tall is everest",
        )[:off_topic]
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_where_a_calibration_is_read_and_written() -> None:
    other, index = GOVUK, Path("/tmp/some-index")
    assert store.path_for_writing(REPO / "knowledge" / "articles", index, None) == DEFAULT
    assert store.path_for_writing(other, index, None) == index / "calibration.json"
    with pytest.raises(CalibrationError, match="belongs to the project's own articles"):
        store.path_for_writing(other, index, DEFAULT)
    assert store.path_for_reading(other, index, None) == DEFAULT  # nothing fitted there yet


def test_fitting_refuses_sets_without_off_topic_or_with_too_few_per_article() -> None:
    ids = ["a", "b", "c"]
    with pytest.raises(CalibrationError, match="no off-topic questions"):
        store.check_fitting_set(["a", "a", "b", "b", "c", "c"], ids, "q.jsonl")
    with pytest.raises(CalibrationError, match=r"0\.7 per article, 1 articles with none"):
        store.check_fitting_set(["a", "b"] + [None] * 5, ids, "q.jsonl")
    store.check_fitting_set(["a", "a", "b", "b", "c", "c"] + [None] * 5, ids, "q.jsonl")


def test_cli_refuses_before_touching_the_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest()
    base = ["--articles", str(GOVUK), "--index", str(tmp_path / "index"), "eval"]
    no_off = _questions(tmp_path / "no-off.jsonl", per_article=2, off_topic=0)
    assert cli_main([*base, "--questions", str(no_off), "--calibrate"]) == 2
    assert "no off-topic questions" in capsys.readouterr().err
    good = _questions(tmp_path / "good.jsonl", per_article=2, off_topic=6)
    named = ["--calibration", str(DEFAULT)]
    assert cli_main([named[0], named[1], *base, "--questions", str(good), "--calibrate"]) == 2
    assert "belongs to the project's own articles" in capsys.readouterr().err
    assert _digest() == before and not (tmp_path / "index").exists()  # nothing was done


def test_calibrating_another_corpus_keeps_it_with_its_index_and_the_service_says_so(
    tmp_path: Path, real_embedder: Embedder, caplog: pytest.LogCaptureFixture
) -> None:
    before = _digest()
    articles, index = tmp_path / "articles", tmp_path / "index"
    shutil.copytree(GOVUK, articles)
    # the CLI keeps the model's ONNX export beside the index: share the session's (the same
    # model, keyed by its fingerprint) rather than export it again for this folder
    (tmp_path / "onnx-cache").symlink_to(shared_onnx_cache())
    questions = _questions(tmp_path / "tune.jsonl", per_article=2, off_topic=6)
    argv = ["--articles", str(articles), "--index", str(index), "eval", "--questions"]
    assert cli_main([*argv, str(questions), "--calibrate"]) == 0
    assert _digest() == before  # the committed default is untouched
    saved = json.loads((index / "calibration.json").read_text())
    fitted = saved["fitted"]
    assert fitted["corpus"] == str(articles.resolve()) and fitted["off_topic"] == 6
    # Text-only gates are fitted too; a corpus without example questions has nothing to mask,
    # so they come out the same as the usual ones.
    assert saved["text_only_gates"] == saved["gates"]
    assert saved["text_only_fusion_weight"] == saved["fusion_weight"]
    with caplog.at_level(logging.INFO, logger="knowledge.answering"):
        GuidanceService.load(articles, index, embedder=real_embedder, save=False)
    assert (
        f"calibration {index / 'calibration.json'} for corpus {articles.resolve()}" in caplog.text
    )
