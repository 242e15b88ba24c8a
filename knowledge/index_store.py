"""Save and load the vector index with its build metadata, atomically.

Layout of the index folder::

    CURRENT                 name of the live generation folder (replaced atomically)
    gen-<ns>/metadata.json  model, versions, article hashes, chunk count, build time
    gen-<ns>/vectors.faiss  the FAISS index (ids are stable chunk ids)
    gen-<ns>/chunks.json    chunk id -> key and content hash of each stored vector

A new generation is written completely in a temporary folder, renamed, and only then does
``CURRENT`` point at it, so readers never see a half-written index and a failed build leaves
the previous index untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any

from knowledge.chunking import CHUNKER_VERSION
from knowledge.embedding import Embedder
from knowledge.index import VectorIndex
from knowledge.knowledge_base import KnowledgeBase

FORMAT_VERSION = 1
KEEP_YOUNG_SECONDS = 600
_CURRENT = "CURRENT"


class IndexMismatchError(RuntimeError):
    """The saved index was built with another model, library version or format."""


@dataclass(frozen=True)
class SavedIndex:
    """An index read from disk: vectors, their content hashes and the metadata."""

    vectors: VectorIndex
    hashes: dict[int, str]
    metadata: dict[str, Any]


def _version(package: str) -> str:
    try:
        return importlib_metadata.version(package)
    except importlib_metadata.PackageNotFoundError:
        return "absent"


def expected_build(embedder: Embedder) -> dict[str, Any]:
    """The fields that must match between a saved index and this process."""
    faiss_version = _version("faiss-cpu")
    runtime = "onnxruntime" if embedder.backend == "onnx" else "sentence-transformers"
    return {
        "format": FORMAT_VERSION,
        "model": embedder.name,
        "model_fingerprint": embedder.fingerprint,
        "embedding_backend": embedder.backend,
        "dim": embedder.dim,
        "chunker_version": CHUNKER_VERSION,
        "versions": {
            "faiss-cpu": ".".join(faiss_version.split(".")[:2]),
            runtime: ".".join(_version(runtime).split(".")[:2]),
        },
    }


def current_generation(index_dir: Path) -> Path | None:
    """The live generation folder, or None when no index has been saved."""
    pointer = Path(index_dir) / _CURRENT
    if not pointer.exists():
        return None
    gen = Path(index_dir) / pointer.read_text().strip()
    return gen if gen.is_dir() else None


def save(kb: KnowledgeBase, index_dir: Path, extra: dict[str, Any] | None = None) -> Path:
    """Write the knowledge base's vectors and metadata as a new generation; return its folder."""
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"gen-{time.time_ns()}-{os.getpid()}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    try:
        kb.vectors.save(tmp / "vectors.faiss")
        chunks = [
            {"id": cid, "key": kb.chunks[cid].key if cid in kb.chunks else None, "hash": h}
            for cid, h in kb.stored_hashes.items()
        ]
        (tmp / "chunks.json").write_text(json.dumps(chunks), encoding="utf-8")
        meta = expected_build(kb.embedder)
        meta.update(
            {
                "index_kind": kb.vectors.kind,
                "chunks": kb.vectors.ntotal,
                "articles": {a.id: a.content_hash for a in kb.articles.values()},
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        )
        if extra:
            meta.update(extra)
        (tmp / "metadata.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        final = index_dir / name
        os.replace(tmp, final)
        pointer_tmp = index_dir / f".{_CURRENT}.{os.getpid()}.tmp"
        pointer_tmp.write_text(name, encoding="utf-8")
        previous = current_generation(index_dir)
        os.replace(pointer_tmp, index_dir / _CURRENT)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    keep = {name, previous.name if previous else ""}
    for old in index_dir.glob("gen-*"):
        # Young generations may belong to another process that is about to switch to them.
        if old.name not in keep and time.time() - old.stat().st_mtime > KEEP_YOUNG_SECONDS:
            shutil.rmtree(old, ignore_errors=True)
    return final


def read_metadata(index_dir: Path) -> dict[str, Any] | None:
    """The live generation's metadata, or None when there is no index."""
    gen = current_generation(index_dir)
    if gen is None:
        return None
    return dict(json.loads((gen / "metadata.json").read_text(encoding="utf-8")))


def check_compatible(meta: dict[str, Any], embedder: Embedder, where: Path) -> None:
    """Raise :class:`IndexMismatchError` with a clear message if ``meta`` does not match."""
    expected = expected_build(embedder)
    problems = []
    for key, want in expected.items():
        have = meta.get(key)
        if have != want:
            problems.append(f"{key}: index has {have!r}, this program uses {want!r}")
    if problems:
        raise IndexMismatchError(
            f"The knowledge index in {where} was built differently and cannot be used: "
            + "; ".join(problems)
            + ". Rebuild it with `.venv/bin/python -m knowledge build --force`."
        )


def load(index_dir: Path, embedder: Embedder) -> SavedIndex | None:
    """Load the live generation, or None if there is none; refuse a mismatched one."""
    gen = current_generation(index_dir)
    if gen is None:
        return None
    meta = json.loads((gen / "metadata.json").read_text(encoding="utf-8"))
    check_compatible(meta, embedder, Path(index_dir))
    vectors = VectorIndex.load(gen / "vectors.faiss", embedder.dim, meta.get("index_kind", "flat"))
    chunks = json.loads((gen / "chunks.json").read_text(encoding="utf-8"))
    hashes = {int(c["id"]): str(c["hash"]) for c in chunks}
    if len(hashes) != vectors.ntotal:
        raise IndexMismatchError(
            f"The knowledge index in {index_dir} is damaged: {vectors.ntotal} vectors but "
            f"{len(hashes)} chunk records. Rebuild it with `.venv/bin/python -m knowledge build`."
        )
    return SavedIndex(vectors=vectors, hashes=hashes, metadata=meta)
