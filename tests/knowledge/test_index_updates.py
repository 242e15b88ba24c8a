"""Incremental index updates through the real model and FAISS, build metadata, atomic saves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from knowledge import index_store
from knowledge.articles import ArticleError
from knowledge.build import open_knowledge_base
from knowledge.index_store import IndexMismatchError
from knowledge.keywords import BM25Index

from .conftest import CountingEmbedder, write_article

BODY = (
    "Intro for {name}.\n\n## Opening times\n\nWe open at 9am.\n\n"
    "## Prices\n\nIt costs {price} pounds.\n"
)


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "swimming", BODY.format(name="the pool", price=5), title="Swimming pool")
    write_article(folder, "museum", BODY.format(name="the museum", price=3), title="Town museum")
    return folder


def test_only_changed_chunks_are_embedded(tmp_path: Path, embedder: CountingEmbedder) -> None:
    folder, index = _folder(tmp_path), tmp_path / "index"
    first = open_knowledge_base(folder, index, embedder)
    # 6 section texts, plus the 2 headings both articles share (one vector per distinct text);
    # each article holds 3 text chunks and 2 heading chunks.
    assert embedder.texts_embedded == 8 and first.saved
    embedder.reset()

    again = open_knowledge_base(folder, index, embedder)  # nothing changed: nothing embedded
    assert embedder.texts_embedded == 0 and not again.saved
    assert again.kb.vectors.ntotal == 10

    write_article(folder, "swimming", BODY.format(name="the pool", price=7), title="Swimming pool")
    updated = open_knowledge_base(folder, index, embedder)
    assert embedder.texts_embedded == 1  # only the prices section of one article
    assert "It costs 7 pounds." in embedder.texts[0]
    assert updated.report.changed == ["swimming"]
    assert updated.report.chunks_reused == 9  # every other chunk comes from the saved vectors

    (folder / "museum.md").unlink()
    embedder.reset()
    removed = open_knowledge_base(folder, index, embedder)
    assert embedder.texts_embedded == 0 and removed.report.removed == ["museum"]
    assert removed.kb.vectors.ntotal == 5


def test_upsert_and_delete_are_searchable_at_once(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    from knowledge.articles import parse_article

    kb = open_knowledge_base(_folder(tmp_path), tmp_path / "index", embedder).kb
    text = (tmp_path / "articles" / "museum.md").read_text().replace("Town museum", "Town museum")
    text = text.replace(
        "## Prices",
        "## Dinosaur gallery\n\nThe dinosaur gallery has a T. rex skeleton.\n\n## Prices",
    )
    embedder.reset()
    kb.upsert(parse_article(text, "museum.md"))
    assert embedder.texts_embedded == 2  # the new section's text and its heading
    scores = kb.score("where can I see a dinosaur skeleton")
    best = max(scores.chunks, key=lambda c: c.dense)
    assert best.chunk.key == "museum#dinosaur-gallery"
    kb.delete("museum")
    assert all(c.chunk.article_id != "museum" for c in kb.score("dinosaur skeleton").chunks)


def test_metadata_records_the_build_and_mismatch_is_refused(
    tmp_path: Path, embedder: CountingEmbedder
) -> None:
    folder, index = _folder(tmp_path), tmp_path / "index"
    open_knowledge_base(folder, index, embedder)
    meta = index_store.read_metadata(index)
    assert meta is not None
    assert meta["model"] == "sentence-transformers/all-MiniLM-L6-v2 (tuned, knowledge/model)"
    assert set(meta["articles"]) == {"swimming", "museum"} and meta["chunks"] == 10
    assert "faiss-cpu" in meta["versions"]
    gen = index_store.current_generation(index)
    assert gen is not None
    meta["model_fingerprint"] = "0000000000000000"
    (gen / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(IndexMismatchError, match=r"model_fingerprint.*knowledge build --force"):
        open_knowledge_base(folder, index, embedder)
    rebuilt = open_knowledge_base(folder, index, embedder, force=True)
    after = index_store.read_metadata(index)
    assert rebuilt.saved and after is not None
    assert after["model_fingerprint"] != "0000000000000000"


def test_bad_article_leaves_the_index_intact(tmp_path: Path, embedder: CountingEmbedder) -> None:
    folder, index = _folder(tmp_path), tmp_path / "index"
    open_knowledge_base(folder, index, embedder)
    before = (index / "CURRENT").read_text()
    files_before = sorted(p.name for p in (index / before).iterdir())
    (folder / "museum.md").write_text(
        (folder / "museum.md").read_text().replace("status: published", "status: ???")
    )
    with pytest.raises(ArticleError, match=r"museum.md:9: status"):
        open_knowledge_base(folder, index, embedder)
    assert (index / "CURRENT").read_text() == before
    assert sorted(p.name for p in (index / before).iterdir()) == files_before
    assert not list(index.glob(".tmp-*"))
    saved = index_store.load(index, embedder)
    assert saved is not None and saved.vectors.ntotal == 10


def test_incremental_bm25_matches_a_fresh_build() -> None:
    docs = {i: f"document {i} about bins and recycling number {i % 3}" for i in range(20)}
    incremental = BM25Index()
    for i, text in docs.items():
        incremental.add(i, text + " extra words")
    for i, text in docs.items():
        incremental.add(i, text)  # replace
    incremental.remove([3, 4])
    fresh = BM25Index()
    fresh.add_many((i, t) for i, t in docs.items() if i not in (3, 4))
    a_scores, a_ids = incremental.search("recycling number 1", 5)
    b_scores, b_ids = fresh.search("recycling number 1", 5)
    assert list(a_ids) == list(b_ids)
    assert np.allclose(a_scores, b_scores)


def test_large_collections_move_to_ivf_and_stay_updatable(
    tmp_path: Path, embedder: CountingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    import knowledge.index

    monkeypatch.setattr(knowledge.index, "FLAT_LIMIT", 4)
    folder, index = _folder(tmp_path), tmp_path / "index"
    kb = open_knowledge_base(folder, index, embedder).kb
    assert kb.vectors.kind == "ivf" and kb.vectors.ntotal == 10
    assert index_store.read_metadata(index)["index_kind"] == "ivf"  # type: ignore[index]
    embedder.reset()
    reopened = open_knowledge_base(folder, index, embedder).kb  # loads the IVF index as saved
    assert reopened.vectors.kind == "ivf" and embedder.texts_embedded == 0
    write_article(folder, "museum", BODY.format(name="the museum", price=9), title="Town museum")
    updated = open_knowledge_base(folder, index, embedder).kb
    assert embedder.texts_embedded == 1 and updated.vectors.ntotal == 10
    best = max(updated.score("how much does the town museum cost").chunks, key=lambda c: c.dense)
    assert best.chunk.article_id == "museum"
