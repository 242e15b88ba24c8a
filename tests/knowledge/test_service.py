"""End to end through the real model, FAISS and BM25 on the real articles."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from knowledge.answering import GuidanceService, QuestionError, UnknownArticleError
from knowledge.articles import ArticleError

from .conftest import REPO


def test_missed_bin_question_returns_the_missed_bin_section(service: GuidanceService) -> None:
    result = service.answer("my bin wasn't collected")
    assert result.status == "answer"
    assert result.answer is not None
    assert result.answer.article_id == "missed-bin"
    # The introduction says how to tell us; the section model may quote it (ADR 0104).
    assert result.answer.url.startswith("https://www.millbrook.example/bins/missed-collection")
    assert result.answer.text and result.answer.last_reviewed
    article = service.kb.articles["missed-bin"]
    bodies = {s.anchor: s.body for s in article.sections} | {"": article.intro}
    assert result.answer.text.split("\n")[0] in bodies[result.answer.anchor]  # extractive
    assert json.dumps(result.to_dict())


def test_answer_from_one_article_quotes_its_best_section(service: GuidanceService) -> None:
    """What must hold: the citizen's pick from "did you mean" is answered from that article
    only, with the section retrieval ranks best there (else the first); an unknown id, or
    none, gets None; a bad question is refused as by ``answer``."""
    answer = service.answer_from("visitor-parking-permit", "how much is a visitor permit")
    assert answer is not None and answer.article_id == "visitor-parking-permit"
    assert "cost" in answer.heading.lower() and answer.url.endswith("#" + answer.anchor)
    first = service.answer_from("visitor-parking-permit")
    assert first is not None
    assert first.heading == service.kb.articles["visitor-parking-permit"].sections[0].heading
    assert service.answer_from("no-such-article", "parking") is None
    with pytest.raises(QuestionError):
        service.answer_from("visitor-parking-permit", "bin " * 400)


def test_an_answer_offers_its_articles_other_parts_the_likeliest_first(
    service: GuidanceService,
) -> None:
    """What must hold: an answer lists the other parts of its article (never the quoted one,
    no repeats, at most four, the introduction labelled with the title) in the section
    model's order for the question; picking one answers from exactly that part, and an anchor
    the article does not have falls back to the question's best section."""
    result = service.answer("how much does a visitor parking permit cost")
    assert result.answer is not None
    answer = result.answer
    article = service.kb.articles[answer.article_id]
    labels = {"": article.title} | {s.anchor: s.heading for s in article.sections}
    others = answer.other_sections
    assert 1 <= len(others) <= 4 and len({o.anchor for o in others}) == len(others)
    assert answer.anchor not in {o.anchor for o in others}
    assert all(labels[o.anchor] == o.label for o in others)

    evidence = service.section_candidates("how much does a visitor parking permit cost")
    model = service.calibration.section_model
    assert model is not None
    scores = model.scores("how much does a visitor parking permit cost", evidence)
    mine = [(scores[i], e.anchor) for i, e in enumerate(evidence)
            if e.article_id == answer.article_id and e.anchor != answer.anchor]
    assert [o.anchor for o in others] == [a for _, a in sorted(mine, key=lambda m: -m[0])][:4]

    picked = service.answer_from(answer.article_id, "cost", anchor=others[0].anchor)
    assert picked is not None and picked.anchor == others[0].anchor
    assert picked.heading == (article.title if not picked.anchor else others[0].label)
    assert picked.anchor not in {o.anchor for o in picked.other_sections}
    gone = service.answer_from(answer.article_id, "how much is a visitor permit",
                               anchor="no-such-part")
    best = service.answer_from(answer.article_id, "how much is a visitor permit")
    assert gone is not None and best is not None and gone.anchor == best.anchor


def test_off_topic_question_abstains(service: GuidanceService) -> None:
    result = service.answer("what is the capital of Peru")
    assert result.status == "abstain" and result.answer is None and result.candidates == []
    assert service.search("who won the football last night").abstained


def test_bad_questions_are_refused_clearly(service: GuidanceService) -> None:
    with pytest.raises(QuestionError, match="empty"):
        service.answer("   ")
    with pytest.raises(QuestionError, match="too long"):
        service.answer("bin " * 400)
    with pytest.raises(QuestionError, match="text"):
        service.answer(None)  # type: ignore[arg-type]


def test_upsert_markdown_and_delete_are_live(service: GuidanceService) -> None:
    text = (REPO / "knowledge" / "articles" / "missed-bin.md").read_text()
    new = text.replace("id: missed-bin", "id: test-ferry").replace(
        "## What happens next",
        "## Ferry timetable\n\nThe river ferry leaves the quay every 20 minutes.\n\n"
        "## What happens next",
    )
    new = new.replace("title: Report a missed bin collection", "title: Test ferry")
    service.upsert_markdown(new)
    try:
        hits = service.search("how often does the river ferry leave the quay").results
        assert hits[0].article_id == "test-ferry" and hits[0].url.endswith("#ferry-timetable")
    finally:
        service.delete("test-ferry")
    assert "test-ferry" not in [r.article_id for r in service.search("river ferry quay").results]
    with pytest.raises(UnknownArticleError):
        service.delete("test-ferry")
    with pytest.raises(ArticleError, match="published article:"):
        service.upsert_markdown("not an article")


def test_apply_overlay_from_real_redis(service: GuidanceService, redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    prefix = "test-knowledge:"
    text = (REPO / "knowledge" / "articles" / "libraries.md").read_text()
    changed = text.replace(
        "## ",
        "## Lost property at the library\n\nAsk at the front desk for lost umbrellas.\n\n## ",
        1,
    )
    client.hset(
        f"{prefix}knowledge:published",
        mapping={
            "libraries": changed,
            "pest-control": "__retired__",
            "not-libraries": changed,  # field and id disagree: ignored
            "broken": "---\nid: broken\n",  # invalid: ignored, nothing changes
        },
    )
    try:
        assert service.apply_overlay(client, key_prefix=prefix) == 2
        top = service.search("I left my umbrella at the library").results[0]
        assert top.url.endswith("#lost-property-at-the-library")
        assert "pest-control" not in service.kb.articles
    finally:
        client.delete(f"{prefix}knowledge:published")
        service.upsert_markdown((REPO / "knowledge" / "articles" / "pest-control.md").read_text())
        service.upsert_markdown(text)


def test_onnx_matches_sentence_transformers(real_embedder: object) -> None:
    from knowledge.embedding import TorchEmbedder

    texts = ["my bin was not collected", "Renew or replace an adult passport. Who can renew."]
    onnx = real_embedder.embed(texts)  # type: ignore[attr-defined]
    torch = TorchEmbedder().embed(texts)
    assert np.allclose((onnx * torch).sum(axis=1), 1.0, atol=1e-4)


def test_cli_search_json_reads_questions_from_stdin(
    service_dirs: tuple[Path, Path], service: GuidanceService
) -> None:
    articles, index = service_dirs
    service.save()  # the index is current, so the CLI only loads it
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge",
            "--articles",
            str(articles),
            "--index",
            str(index),
            "search",
            "--json",
            "-",
        ],
        input="my bin wasn't collected\n\nwhat is the capital of Peru\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["abstained"] is False and lines[0]["results"][0]["article_id"] == "missed-bin"
    assert set(lines[0]["results"][0]) == {"article_id", "title", "url", "heading", "score"}
    assert lines[1] == {"error": "The question is empty."}
    assert lines[2]["abstained"] is True


def test_cli_reports_a_bad_article_with_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("no front matter\n")
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "knowledge",
            "--articles",
            str(tmp_path),
            "--index",
            str(tmp_path / "i"),
            "build",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert run.returncode == 2
    assert f"error: {tmp_path / 'bad.md'}:1: the file must start with front matter" in run.stderr
    assert not (tmp_path / "i").exists()
