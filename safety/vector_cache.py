"""Exemplar vectors kept on disk, so the action server embeds the crisis check's phrasings once.

Since the check learns from every seen labelled set (ADR 0202, fifth round) it compares a
message with about 5,000 phrasings; embedding them took about 20 s of CPU at every start of an
action server. The vectors depend only on the model files and the texts, so they are stored
under a key made of both (the model's fingerprint and a digest of the texts in order): a
changed model, a refit on new phrasings or an edited line gives a new key and a fresh embedding;
nothing is ever read for the wrong texts. Written atomically (a temporary file, then a rename),
so action servers starting together at most embed twice, never read half a file.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

PREFIX = "crisis-exemplars-"


def cache_key(fingerprint: str, texts: list[str]) -> str:
    """The file-name key of ``texts`` embedded by the model with ``fingerprint``."""
    digest = hashlib.sha256(fingerprint.encode("utf-8"))
    for text in texts:
        digest.update(b"\0" + text.encode("utf-8"))
    return digest.hexdigest()[:24]


def cached_vectors(texts: list[str], embed: Callable[[list[str]], np.ndarray],
                   cache_dir: Path, fingerprint: str) -> np.ndarray:
    """``embed(texts)``, read from ``cache_dir`` when it was stored for the same model and
    texts, else computed and stored (float32, one row per text)."""
    path = Path(cache_dir) / f"{PREFIX}{cache_key(fingerprint, texts)}.npy"
    if path.exists():
        try:
            stored = np.load(path, allow_pickle=False)
            if stored.shape[0] == len(texts):
                return np.asarray(stored, dtype=np.float32)
        except (OSError, ValueError):
            pass  # unreadable: embed again and replace it
    vectors = np.asarray(embed(texts), dtype=np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npy")
    try:
        with os.fdopen(handle, "wb") as out:
            np.save(out, vectors, allow_pickle=False)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)  # a read-only cache still serves
    return vectors
