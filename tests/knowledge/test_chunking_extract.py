"""Chunking by heading (anchors, stable ids, hashes) and extractive trimming."""

from __future__ import annotations

import re

from knowledge.articles import parse_article
from knowledge.chunking import chunk_article, plain_text, stable_id
from knowledge.extract import extract

from .conftest import ARTICLES

MISSED_BIN = (ARTICLES / "missed-bin.md").read_text(encoding="utf-8")


def test_one_chunk_per_section_plus_intro_with_anchors() -> None:
    article = parse_article(MISSED_BIN, "missed-bin.md")
    chunks = chunk_article(article)
    texts = [c for c in chunks if c.kind == "text"]
    assert texts[0].anchor == "" and texts[0].key == "missed-bin#"
    assert [c.anchor for c in texts[1:]] == [s.anchor for s in article.sections]
    assert "report-a-missed-bin-collection" in [c.anchor for c in chunks]
    assert all(c.id == stable_id(c.key) and 0 <= c.id < 2**63 for c in chunks)
    assert len({c.id for c in chunks}) == len(chunks)


def test_changing_one_section_changes_only_its_hash() -> None:
    before = chunk_article(parse_article(MISSED_BIN, "missed-bin.md"))
    edited = MISSED_BIN.replace("We aim to come back", "We try to come back")
    after = chunk_article(parse_article(edited, "missed-bin.md"))
    changed = [
        a.key for a, b in zip(before, after, strict=True) if a.content_hash != b.content_hash
    ]
    # Only the edited section's text; its example questions and heading are unchanged.
    assert changed == ["missed-bin#what-happens-next"]
    assert [c.id for c in before] == [c.id for c in after]


def test_long_sections_are_split_at_paragraphs() -> None:
    long_body = "\n\n".join(f"Paragraph {i}. " + "Words here. " * 40 for i in range(6))
    text = MISSED_BIN.replace(
        "## What happens next\n", "## What happens next\n\n" + long_body + "\n"
    )
    chunks = [
        c for c in chunk_article(parse_article(text, "x.md")) if c.anchor == "what-happens-next"
    ]
    assert len(chunks) > 1
    assert all(len(c.body) <= 1600 for c in chunks)
    assert len({c.key for c in chunks}) == len(chunks)


def test_extract_keeps_whole_sentences_from_the_section_only() -> None:
    article = parse_article(MISSED_BIN, "missed-bin.md")
    for section in article.sections:
        text = extract(section.body, limit=250)
        source = " ".join(plain_text(section.body).split())
        for sentence in re.split(r"\n+", text):
            sentence = sentence.removeprefix("- ").strip()
            assert sentence in source, sentence  # nothing invented
        assert text.rstrip()[-1] in ".!?:" or text.endswith("pm")
        assert not text.rstrip().endswith(":")


def test_extract_trims_long_sections_at_a_sentence_boundary() -> None:
    body = " ".join(f"Sentence number {i} is here." for i in range(100))
    text = extract(body, limit=200)
    assert len(text) <= 200 and text.endswith(".")
    assert text.startswith("Sentence number 0 is here.")


def test_example_questions_and_headings_point_to_their_section() -> None:
    article = parse_article(MISSED_BIN, "missed-bin.md")
    chunks = chunk_article(article)
    section = article.sections[0]
    asked = [c for c in chunks if c.kind == "question" and c.anchor == section.anchor]
    assert [c.embed_text for c in asked] == list(section.questions)
    assert all(c.section == f"missed-bin#{section.anchor}" and c.body == "" for c in asked)
    headings = [c for c in chunks if c.kind == "heading"]
    assert [c.embed_text for c in headings] == [s.heading for s in article.sections]
    text = next(c for c in chunks if c.kind == "text" and c.anchor == section.anchor)
    # Keyword search sees the questions too; the embedded text does not.
    assert section.questions[0] in text.keyword_text
    assert section.questions[0] not in text.embed_text


def test_editing_an_example_question_re_embeds_only_that_question() -> None:
    article = parse_article(MISSED_BIN, "missed-bin.md")
    question = article.sections[0].questions[0]
    edited = MISSED_BIN.replace(question, question + " please", 1)
    before = {c.key: c.content_hash for c in chunk_article(article)}
    after = {c.key: c.content_hash for c in chunk_article(parse_article(edited, "missed-bin.md"))}
    assert set(before) - set(after) and len(set(before) - set(after)) == 1
    assert [k for k in after if k in before and after[k] != before[k]] == []
