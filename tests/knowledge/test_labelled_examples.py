"""Labelled questions as example questions (ADR 0106), and leave-one-out when scoring them.

Attaching is pure text work (no model); the self-exclusion test uses the real model on a small
article written here.
"""

from __future__ import annotations

from pathlib import Path

from knowledge.articles import load_articles, parse_article
from knowledge.embedding import Embedder
from knowledge.example_questions import fold_question
from knowledge.knowledge_base import KnowledgeBase
from knowledge.labelled_examples import attach_labelled, plan, with_questions
from knowledge.section_eval import SectionLabel
from knowledge.self_exclusion import SelfExclusion

from .conftest import REPO, write_article

MISSED_BIN = (REPO / "knowledge" / "articles" / "missed-bin.md").read_text(encoding="utf-8")
BODY = (
    "Intro text about permits.\n\n## How much it costs\n\nA permit costs 40 pounds a year.\n\n"
    "## How to apply\n\nApply online with proof of address.\n"
)
QUESTIONS = (
    "questions:\n  How much it costs:\n    - what is the price of a permit\n"
    "  How to apply:\n    - where do I apply for a permit\n"
)


def _label(question: str, *sections: str, split: str = "tune") -> SectionLabel:
    article = sections[0].split("#")[0] if sections else "permits"
    return SectionLabel(question, article, sections, (), split, 1)


def _article_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    path = write_article(folder, "permits", BODY)
    text = path.read_text(encoding="utf-8").replace("---\nIntro", f"{QUESTIONS}---\nIntro", 1)
    path.write_text(text, encoding="utf-8")
    return folder


def test_plan_attaches_tune_questions_to_their_first_strict_section(tmp_path: Path) -> None:
    articles = load_articles(_article_dir(tmp_path))
    labels = [
        _label("how much is a permit", "permits#How much it costs", "permits#How to apply"),
        _label("What is the  PRICE of a permit", "permits#How much it costs"),  # already there
        _label("where do I apply for a permit", "permits#How much it costs"),  # elsewhere
        _label("permit cost held out", "permits#How much it costs", split="heldout"),
        _label("a question nothing answers"),
    ]
    fields, report = plan(labels, articles)
    assert fields == {
        "permits": {
            "How much it costs": ["what is the price of a permit", "how much is a permit"],
            "How to apply": ["where do I apply for a permit"],
        }
    }
    assert (report.added, report.already_listed, report.listed_elsewhere) == (1, 1, 1)
    assert (report.not_tune, report.no_section, report.section_full) == (1, 1, 0)
    _, full = plan(labels[:1], articles, limit=1)
    assert full.section_full == 1 and full.added == 0
    _, every = plan(labels[:1], articles, every_section=True)
    assert (every.added, every.listed_elsewhere) == (1, 1)  # an article lists it once


def test_attaching_writes_the_front_matter_editors_see(tmp_path: Path) -> None:
    folder = _article_dir(tmp_path)
    before = (folder / "permits.md").read_text(encoding="utf-8")
    articles = load_articles(folder)
    report = attach_labelled(
        folder, [_label("how much is a permit", "permits#How much it costs")], articles
    )
    assert report.written == ["permits"]
    after = (folder / "permits.md").read_text(encoding="utf-8")
    assert "    - how much is a permit\n" in after
    assert after.replace("    - how much is a permit\n", "", 1) == before  # nothing else moved
    costs = load_articles(folder)["permits"].sections[0]
    assert costs.questions[-1] == "how much is a permit"


def test_an_unchanged_questions_block_is_written_back_as_it_was() -> None:
    article = parse_article(MISSED_BIN, "missed-bin.md")
    listed = {"(introduction)": list(article.intro_questions)}
    listed.update({s.heading: list(s.questions) for s in article.sections if s.questions})
    assert with_questions(MISSED_BIN, listed) == MISSED_BIN


def test_a_question_never_matches_its_own_example(tmp_path: Path, real_embedder: Embedder) -> None:
    kb = KnowledgeBase(real_embedder)
    kb.sync(load_articles(_article_dir(tmp_path)))
    kb.keywords.prepare()
    asked = "What is the price of a permit"
    before = {c.key for c in kb.chunks.values()}

    def own_example_score() -> float:
        scores = kb.score(asked)
        return max(s.dense for s in scores.chunks if s.chunk.heading == "How much it costs")

    def price_in_keywords() -> float:
        costs = [i for i, c in kb.chunks.items() if c.kind == "text" and "40" in c.body]
        return max(kb.keywords.score("price", costs).values(), default=0.0)

    served = own_example_score()
    assert served > 0.99  # serving finds the example (its text, case aside)
    exclusion = SelfExclusion(kb)
    with exclusion.without(f"  {asked.upper()} "):
        assert all(c.embed_text != asked.lower() for c in kb.chunks.values())
        assert own_example_score() < 0.95
        assert price_in_keywords() == 0.0  # its words are out of the keyword index too
    assert exclusion.masked == {fold_question(asked)}
    assert {c.key for c in kb.chunks.values()} == before
    assert abs(own_example_score() - served) < 1e-5 and price_in_keywords() > 0
