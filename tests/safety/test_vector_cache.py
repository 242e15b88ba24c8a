"""Kept exemplar vectors: what must hold is that a stored file is used only for the same model
and the same texts in the same order, and that a damaged file is replaced, never trusted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from safety.vector_cache import PREFIX, cache_key, cached_vectors


class CountingEmbedder:
    """Embeds each text as [len, number of words], counting calls."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.array([[len(t), len(t.split())] for t in texts], dtype=np.float32)


def test_second_build_reads_the_stored_vectors(tmp_path: Path) -> None:
    model = CountingEmbedder()
    texts = ["I want it all to end", "when is the tip open"]
    first = cached_vectors(texts, model.embed, tmp_path, "fp1")
    again = cached_vectors(texts, model.embed, tmp_path, "fp1")
    assert model.calls == 1
    np.testing.assert_array_equal(first, again)
    assert len(list(tmp_path.glob(f"{PREFIX}*.npy"))) == 1
    assert not list(tmp_path.glob(".tmp-*"))  # nothing half-written is left behind


def test_other_model_other_texts_or_order_embed_again(tmp_path: Path) -> None:
    model = CountingEmbedder()
    texts = ["a b", "c d e"]
    cached_vectors(texts, model.embed, tmp_path, "fp1")
    cached_vectors(texts, model.embed, tmp_path, "fp2")  # retrained model
    cached_vectors([*texts, "f"], model.embed, tmp_path, "fp1")  # refit on a new line
    reordered = cached_vectors(list(reversed(texts)), model.embed, tmp_path, "fp1")
    assert model.calls == 4
    assert reordered[0, 0] == len("c d e")
    assert len({cache_key("fp1", texts), cache_key("fp2", texts),
                cache_key("fp1", list(reversed(texts)))}) == 3


def test_damaged_or_wrong_sized_file_is_replaced(tmp_path: Path) -> None:
    model = CountingEmbedder()
    texts = ["one", "two words"]
    path = tmp_path / f"{PREFIX}{cache_key('fp', texts)}.npy"
    path.write_bytes(b"not numpy")
    vectors = cached_vectors(texts, model.embed, tmp_path, "fp")
    assert model.calls == 1 and vectors.shape == (2, 2)
    np.save(path, np.zeros((5, 2), dtype=np.float32))  # rows for other texts
    assert cached_vectors(texts, model.embed, tmp_path, "fp")[1, 1] == 2
    assert model.calls == 2
    np.testing.assert_array_equal(np.load(path), model.embed(texts))
