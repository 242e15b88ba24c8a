"""Vector index: FAISS with stable 63-bit ids, so single chunks can be added or removed.

``flat`` is ``IndexIDMap2(IndexFlatIP)``: exact inner product (cosine on normalised vectors),
``remove_ids`` and ``reconstruct`` by id. ``ivf`` is ``IndexIVFFlat`` with a direct map, for
collections beyond a few hundred thousand chunks (ADR 0100). HNSW is not offered: it cannot
remove vectors, which incremental updates need.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

FLAT_LIMIT = 8_000
IVF_NPROBE = 16


def ivf_lists(n: int) -> int:
    """Number of IVF lists for ``n`` vectors (about 4 x sqrt(n))."""
    return max(1, min(n, max(64, int(4 * n**0.5))))


def set_threads(threads: int) -> None:
    """Set FAISS's OpenMP thread count (1 for single queries) for the **calling thread only**
    (libgomp keeps it per thread; other threads start from ``OMP_NUM_THREADS``, which the
    launcher sets to 1 for every process of the stack)."""
    import faiss

    faiss.omp_set_num_threads(threads)


def _stored_ids(index: Any) -> list[int]:
    """The ids held by an index read from disk."""
    import faiss

    if hasattr(index, "id_map"):
        return [int(i) for i in faiss.vector_to_array(index.id_map)]
    if hasattr(index, "invlists"):
        ivf: Any = faiss.extract_index_ivf(index)
        out: list[int] = []
        for lst in range(ivf.nlist):
            size = ivf.invlists.list_size(lst)
            if size:
                ptr = ivf.invlists.get_ids(lst)
                out += [int(i) for i in faiss.rev_swig_ptr(ptr, size)]
        return out
    return []


class VectorIndex:
    """A FAISS index keyed by stable int64 ids."""

    def __init__(self, dim: int, kind: str = "flat", index: Any = None) -> None:
        import faiss

        self.dim = dim
        self.kind = kind
        self._ids: set[int] = set()
        self._index: Any
        if index is not None:
            self._index = index
            self._ids = set(_stored_ids(index))
        elif kind == "flat":
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        else:
            raise ValueError(f"unknown index kind {kind!r}; build 'ivf' with VectorIndex.ivf()")

    @classmethod
    def ivf(cls, vectors: np.ndarray, ids: np.ndarray, nlist: int, nprobe: int) -> VectorIndex:
        """Train an IVF index on ``vectors`` and add them (for large collections)."""
        import faiss

        dim = vectors.shape[1]
        quantizer = faiss.IndexFlatIP(dim)
        index: Any = faiss.IndexIVFFlat(quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        index.nprobe = nprobe
        out = cls(dim, "ivf", index)
        out.add(ids, vectors)
        return out

    def to_ivf(self) -> VectorIndex:
        """The same vectors and ids in an IVF index trained on them (for large collections)."""
        import faiss

        if self.kind != "flat" or self.ntotal == 0:
            return self
        inner = faiss.downcast_index(self._index.index)
        vectors = inner.reconstruct_n(0, self.ntotal)
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        return VectorIndex.ivf(vectors, ids, nlist=ivf_lists(len(ids)), nprobe=IVF_NPROBE)

    @property
    def ntotal(self) -> int:
        """Number of vectors held."""
        return int(self._index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add (or replace) vectors under the given ids."""
        if len(ids) == 0:
            return
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dim):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dim}")
        present = [i for i in ids.tolist() if i in self._ids]
        if present:  # removal compacts the whole array: only when replacing
            self.remove(np.array(present, dtype=np.int64))
        self._index.add_with_ids(vectors, ids)
        self._ids.update(ids.tolist())

    def remove(self, ids: np.ndarray) -> int:
        """Remove the given ids; return how many were present."""
        import faiss

        if len(ids) == 0:
            return 0
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        # IVF with a hash-table direct map only accepts an array selector.
        selector = (
            faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))
            if self.kind == "ivf"
            else faiss.IDSelectorBatch(ids)
        )
        self._ids.difference_update(ids.tolist())
        return int(self._index.remove_ids(selector))

    def reconstruct(self, chunk_id: int) -> np.ndarray:
        """The stored vector for one id."""
        return np.asarray(self._index.reconstruct(int(chunk_id)), dtype=np.float32)

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for several ids (rows in the same order)."""
        if len(ids) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = np.ascontiguousarray(ids, dtype=np.int64)
        return np.asarray(self._index.reconstruct_batch(keys), dtype=np.float32)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) for one query vector; missing slots are dropped."""
        if self.ntotal == 0 or k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        scores, ids = self._index.search(q, min(k, self.ntotal))
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def save(self, path: Path) -> None:
        """Write the index to ``path``."""
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dim: int, kind: str) -> VectorIndex:
        """Read an index written by :meth:`save`."""
        import faiss

        index: Any = faiss.read_index(str(path))
        if index.d != dim:
            raise ValueError(f"{path}: vectors have dimension {index.d}, expected {dim}")
        if kind == "ivf":
            index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        return cls(dim, kind, index)
