"""Fixtures for the knowledge tests: the real model, loaded once per session."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.answering import GuidanceService
from knowledge.embedding import Embedder, load_embedder

REPO = Path(__file__).resolve().parents[2]
ARTICLES = REPO / "knowledge" / "articles"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


class CountingEmbedder:
    """Wraps the real embedder and counts how many texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name, self.backend = inner.name, inner.backend
        self.dim, self.fingerprint = inner.dim, inner.fingerprint
        self.calls = 0
        self.texts_embedded = 0
        self.texts: list[str] = []

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.calls += 1
        self.texts_embedded += len(texts)
        self.texts += list(texts)
        return self.inner.embed(texts, progress)

    def reset(self) -> None:
        self.calls, self.texts_embedded, self.texts = 0, 0, []


def shared_onnx_cache() -> Path:
    """``var/onnx-cache``, where the models' ONNX exports are kept (made if missing). A folder
    given to the knowledge CLI or service keeps its exports beside its index: link this there
    so a test loads the export made once (``./assistant test``'s prepare step makes the tuned
    model's) instead of exporting the model again, 10 s or more each time."""
    cache = REPO / "var" / "onnx-cache"
    cache.mkdir(parents=True, exist_ok=True)
    return cache


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The real ONNX embedder of the served (tuned) model (export cached under var/onnx-cache)."""
    return load_embedder(shared_onnx_cache())


@pytest.fixture()
def embedder(real_embedder: Embedder) -> CountingEmbedder:
    """A fresh call counter around the session's real embedder."""
    return CountingEmbedder(real_embedder)


@pytest.fixture(scope="session")
def service_dirs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A private copy of the real articles and an index folder for it."""
    root = tmp_path_factory.mktemp("knowledge")
    articles = root / "articles"
    shutil.copytree(ARTICLES, articles)
    (root / "onnx-cache").symlink_to(shared_onnx_cache())  # what the CLI loads for this index
    saved = REPO / "var" / "index"
    if (saved / "CURRENT").exists():
        # Start from the developer's saved index when there is one: only chunks that differ
        # are embedded (a fresh clone builds everything once).
        shutil.copytree(saved, root / "index")
    return articles, root / "index"


@pytest.fixture(scope="session")
def service(service_dirs: tuple[Path, Path], real_embedder: Embedder) -> GuidanceService:
    """The real service over every real article (built once per session)."""
    articles, index = service_dirs
    return GuidanceService.load(articles, index, embedder=real_embedder)


def write_article(folder: Path, article_id: str, body: str, **front: str) -> Path:
    """Write a small valid article (fields overridable) and return its path."""
    fields = {
        "id": article_id,
        "title": f"Title of {article_id}",
        "summary": f"Summary of {article_id}.",
        "url": f"https://www.millbrook.example/{article_id}",
        "service_area": "Testing",
        "owner": "Test team",
        "last_reviewed": "2026-10-01",
        "status": "published",
        "language": "en",
        **front,
    }
    text = "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + "---\n" + body
    path = folder / f"{article_id}.md"
    path.write_text(text, encoding="utf-8")
    return path
