"""Text-only gates: a section without example questions is not held to their bar (issue 10, item 5).

The usual gates were fitted where every section carries example questions, so a section's score
is the best of its text and its questions. A section without any (a new one, or another
organisation's imported guidance) scores on its text alone, and those gates refused it. The
calibration now also holds gates fitted on the same tune questions with every example question
taken out, and ``abstention.pick`` applies them when the section that earned the top article
score carries no example questions; the fused ranking is then redone with a fusion weight
fitted there too (``fusion.rank_by_evidence``). What must hold:

* the choice is made from the ranking's own evidence, in one place, and falls back to the
  usual gates and weight when no text-only ones were fitted (older calibration files);
* every section of the sample council has example questions, so its answers are unchanged;
* through the real model and FAISS, a new section without example questions is answered where
  the usual gates refused it, and an off-topic question is still refused.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from knowledge.abstention import Gates, pick
from knowledge.answering import GuidanceService
from knowledge.articles import parse_article
from knowledge.calibration import Calibration, Features
from knowledge.chunking import Chunk
from knowledge.evaluation import metrics
from knowledge.fusion import ArticleHit, backed_by_examples, rank_by_evidence
from knowledge.knowledge_base import ChunkScore, KnowledgeBase, QueryScores
from knowledge.self_exclusion import without_examples

from .conftest import REPO, CountingEmbedder

USUAL = Gates(offtopic_threshold=0.4, confidence_threshold=0.7, clarify_margin=0.0)
TEXT_ONLY = Gates(offtopic_threshold=0.45, confidence_threshold=0.4, clarify_margin=0.0)
LIBRARIES = (REPO / "knowledge" / "articles" / "libraries.md").read_text(encoding="utf-8")
# A section the sample council does not have, written for this test, with no example questions.
TELESCOPE = (
    "\n\n## Borrowing a telescope\n\nEvery library lends a small telescope for stargazing. You "
    "can borrow it for two weeks with your library card, free of charge. Reserve it at the desk "
    "or online; it comes with a star chart and a red torch.\n"
)


def calibration(text_only: dict[str, Gates] | None) -> Calibration:
    """A calibration with fixed gates for the fused method."""
    return Calibration(
        method="fused", fusion_weight=0.7, gates={"fused": USUAL}, text_only_gates=text_only
    )


def chunk(article_id: str, anchor: str) -> Chunk:
    """A text chunk of one section (only its identity matters here)."""
    key = f"{article_id}#{anchor}"
    return Chunk(key, 0, article_id, anchor or "Intro", anchor, "", "", key)


def hit(article_id: str, anchor: str, score: float) -> ArticleHit:
    """An article in a ranking, earned by one section."""
    return ArticleHit(article_id, chunk(article_id, anchor), score, score, 0.0)


def scores(asked: set[str]) -> QueryScores:
    """Scores whose candidate sections in ``asked`` carry example questions."""
    return QueryScores("q", [], dense_top=0.5, bm25_top=0.0, asked=frozenset(asked))


# --- choosing the gates (pure) -----------------------------------------------------------------
def test_pick_uses_text_only_gates_only_without_example_questions() -> None:
    assert pick(USUAL, TEXT_ONLY, examples=True) == USUAL
    assert pick(USUAL, TEXT_ONLY, examples=False) == TEXT_ONLY
    assert pick(USUAL, None, examples=False) == USUAL  # none fitted: nothing changes
    assert pick(0.7, 0.8, examples=False) == 0.8 and pick(0.7, 0.8, examples=True) == 0.7


def test_calibration_chooses_per_method_and_falls_back() -> None:
    cal = calibration({"fused": TEXT_ONLY})
    assert cal.gates_for() == USUAL
    assert cal.gates_for(examples=False) == TEXT_ONLY
    assert calibration(None).gates_for(examples=False) == USUAL
    no_dense = replace(cal, gates={"fused": USUAL, "dense": USUAL})
    assert no_dense.gates_for("dense", examples=False) == USUAL  # no text-only gates for dense


def test_text_only_gates_survive_saving(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    calibration({"fused": TEXT_ONLY}).save(path)
    assert Calibration.load(path).text_only_gates == {"fused": TEXT_ONLY}
    older = json.loads(path.read_text())
    del older["text_only_gates"]  # a file written before text-only gates existed
    path.write_text(json.dumps(older))
    assert Calibration.load(path).text_only_gates is None


def test_the_text_only_weight_survives_saving_and_needs_its_gates(tmp_path: Path) -> None:
    path = tmp_path / "calibration.json"
    cal = replace(calibration({"fused": TEXT_ONLY}), text_only_fusion_weight=0.8)
    cal.save(path)
    loaded = Calibration.load(path)
    assert loaded.text_only_fusion_weight == 0.8 and loaded.text_only_weight == 0.8
    older = json.loads(path.read_text())
    del older["text_only_fusion_weight"]  # written before the weight was refitted there
    path.write_text(json.dumps(older))
    assert Calibration.load(path).text_only_weight is None
    assert replace(cal, text_only_gates=None).text_only_weight is None  # fitted together


def two_sections(asked: set[str]) -> QueryScores:
    """``a#x`` wins on meaning, ``b#y`` on keywords: the weight decides which goes first
    (w 0.7: a 0.63, b 0.65; w 0.8: a 0.72, b 0.60)."""
    chunks = [
        ChunkScore(chunk("a", "x"), dense=0.9, bm25=0.0),
        ChunkScore(chunk("b", "y"), dense=0.5, bm25=10.0),
    ]
    return QueryScores("q", chunks, dense_top=0.9, bm25_top=10.0, asked=frozenset(asked))


def test_the_text_only_weight_reranks_only_evidence_without_example_questions() -> None:
    hits, examples = rank_by_evidence(two_sections(set()), "fused", 0.7, 0.8)
    assert not examples and [h.article_id for h in hits] == ["a", "b"]
    # Decided from the usual ranking: "b" earned the top score there and has examples, so the
    # usual weight stays, though "a" (without) would lead with the text-only one.
    hits, examples = rank_by_evidence(two_sections({"b#y"}), "fused", 0.7, 0.8)
    assert examples and [h.article_id for h in hits] == ["b", "a"]
    hits, _ = rank_by_evidence(two_sections(set()), "fused", 0.7, None)
    assert [h.article_id for h in hits] == ["b", "a"]  # no text-only weight fitted
    hits, examples = rank_by_evidence(two_sections({"b#y"}), "dense", 0.7, 0.8)
    assert not examples and [h.article_id for h in hits] == ["a", "b"]  # dense has no weight


def test_the_calibration_ranks_and_gates_once() -> None:
    cal = replace(calibration({"fused": TEXT_ONLY}), text_only_fusion_weight=0.8)
    hits, gates = cal.rank(two_sections(set()))
    assert gates == TEXT_ONLY and hits[0].article_id == "a"
    assert hits[0].score == pytest.approx(0.72)
    hits, gates = cal.rank(two_sections({"b#y"}))
    assert gates == USUAL and hits[0].article_id == "b"
    older = replace(cal, text_only_fusion_weight=None)  # text-only gates, no weight: as before
    hits, gates = older.rank(two_sections(set()))
    assert gates == TEXT_ONLY and hits[0].article_id == "b"


def test_the_section_that_earned_the_top_score_decides() -> None:
    ranked = [hit("a", "how-to-apply", 0.8), hit("b", "", 0.7)]
    assert backed_by_examples(scores({"a#how-to-apply"}), ranked)
    assert not backed_by_examples(scores({"a#", "b#"}), ranked)  # other sections' do not count
    # A signpost may put the runner-up first; the top score is still the first article's.
    assert backed_by_examples(scores({"a#how-to-apply"}), ranked[::-1])
    assert backed_by_examples(scores(set()), [])  # nothing ranked: nothing to gate


def test_evaluation_applies_the_same_choice() -> None:
    between = Features(offtopic=0.5, top=0.55, second=None, ranked_ids=("a",), gold="a")
    feats = [between, replace(between, examples=False)]
    both = metrics(feats, calibration({"fused": TEXT_ONLY}), "fused")
    assert both["ontopic_abstained"] == 0.5  # the first is held to the usual bar
    assert metrics(feats, calibration(None), "fused")["ontopic_abstained"] == 1.0


# --- the knowledge base knows which sections carry example questions (real model) -------------
def test_sections_with_example_questions_and_the_text_only_copy(
    embedder: CountingEmbedder,
) -> None:
    kb = KnowledgeBase(embedder)
    kb.upsert(parse_article(LIBRARIES.rstrip("\n") + TELESCOPE, "libraries.md"))
    kb.keywords.prepare()
    assert "libraries#how-to-join-the-library" in kb.sections_asked
    assert "libraries#borrowing-a-telescope" not in kb.sections_asked
    question = "can I borrow a telescope from the library"
    asked = kb.score(question).asked
    assert "libraries#how-to-join-the-library" in asked
    assert "libraries#borrowing-a-telescope" not in asked

    embedder.reset()
    bare = without_examples(kb)
    assert embedder.texts_embedded == 0  # section text keeps its vectors
    assert not bare.sections_asked
    assert not any(c.kind == "question" for c in bare.chunks.values())
    assert not bare.score(question).asked
    assert kb.sections_asked and any(c.kind == "question" for c in kb.chunks.values())


# --- served: the real model, FAISS and the committed calibration ------------------------------
@pytest.fixture(scope="module")
def with_telescope(service: GuidanceService) -> GuidanceService:
    """A preview of the real articles with a new library section that has no example questions."""
    return service.with_draft(LIBRARIES.rstrip("\n") + TELESCOPE)


def test_committed_calibration_has_text_only_gates() -> None:
    committed = Calibration.load(REPO / "knowledge" / "calibration.json")
    assert committed.text_only_gates is not None
    assert set(committed.text_only_gates) == set(committed.gates)
    assert committed.text_only_weight is not None


def test_a_section_without_example_questions_is_answered(with_telescope: GuidanceService) -> None:
    question = "do you lend anything for watching the night sky"
    usual_only = with_telescope.with_calibration(
        replace(with_telescope.calibration, text_only_gates=None)
    )
    assert usual_only.answer(question).status == "abstain"  # what happened before
    result = with_telescope.answer(question)
    assert result.status == "answer" and result.answer is not None
    assert result.answer.section == "libraries#Borrowing a telescope"
    assert not with_telescope.search(question).abstained


def test_sections_with_example_questions_keep_the_usual_gates(
    service: GuidanceService, with_telescope: GuidanceService
) -> None:
    question = "how do I get a library card"
    scored = service.kb.score(question)
    hits, gates = service._rank(scored)
    assert backed_by_examples(scored, hits) and gates == service.calibration.gates_for()
    assert with_telescope.answer(question).status == service.answer(question).status == "answer"
    assert with_telescope.answer("what is the capital of peru").status == "abstain"
