"""Sentence embeddings with the offline all-MiniLM-L6-v2 model, as tuned for the guidance.

Two models (``knowledge.tuned_model``, ADR 0107): ``tuned`` (the default: the base model
fine-tuned on the articles' example questions, used for guidance search) and ``base`` (the
package's model as shipped, used by the crisis check, whose thresholds were fitted on it).

Two backends give the same vectors (cosine 1.0 to 6 decimals, checked in the tests):

* ``onnx`` (default): the model's transformer exported once to ONNX from the offline model
  folder with torch's exporter and cached on disk, run by ONNX Runtime with one thread per
  query; mean pooling and normalisation as the sentence-transformers config says.
  About 3x faster than torch for one short query on this machine (ADR 0102).
* ``torch``: ``sentence_transformers.SentenceTransformer`` on the same folder.

Nothing is loaded or exported at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from knowledge.tuned_model import BASE, TUNED, base_model_path, served_model_path

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_CACHE = Path(__file__).resolve().parent.parent / "var" / "onnx-cache"


def model_name(model: str) -> str:
    """The name recorded in index metadata: the base model's, marked when tuned."""
    return MODEL_NAME if model == BASE else f"{MODEL_NAME} (tuned, knowledge/model)"
_ONNX_FILE = "model.onnx"


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str
    backend: str
    dim: int
    fingerprint: str
    calls: int
    texts_embedded: int

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Return L2-normalised float32 vectors, one row per text."""
        ...


def model_path(model: str = TUNED, cache_dir: Path | None = None) -> Path:
    """Folder of ``model``: ``tuned`` (assembled once under ``cache_dir``) or ``base``."""
    if model == BASE:
        return base_model_path()
    if model == TUNED:
        return served_model_path(Path(cache_dir) if cache_dir else DEFAULT_CACHE)
    raise ValueError(f"unknown embedding model {model!r}: use {TUNED!r} or {BASE!r}")


def model_fingerprint(path: Path) -> str:
    """A cheap, stable fingerprint of the model files (configs, vocabulary, weight ends)."""
    digest = hashlib.sha256()
    for name in ("config.json", "tokenizer.json", "1_Pooling/config.json", "modules.json"):
        file = path / name
        if file.exists():
            digest.update(file.read_bytes())
    weights = path / "model.safetensors"
    if weights.exists():
        size = weights.stat().st_size
        digest.update(str(size).encode())
        with weights.open("rb") as handle:
            digest.update(handle.read(1 << 20))
            handle.seek(max(0, size - (1 << 20)))
            digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def _check_pooling(path: Path) -> None:
    config = json.loads((path / "1_Pooling" / "config.json").read_text())
    if not config.get("pooling_mode_mean_tokens"):
        raise ValueError(f"{path}: only mean pooling is supported by the ONNX backend")


def export_onnx(path: Path, cache_dir: Path, fingerprint: str) -> Path:
    """Export the transformer to ONNX once into ``cache_dir`` (atomic rename); return the file."""
    target_dir = cache_dir / f"all-MiniLM-L6-v2-{fingerprint}"
    target = target_dir / _ONNX_FILE
    if target.exists():
        return target
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", module=r"torch\.onnx.*|transformers.*")
    target_dir.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(path))
    model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    sample = torch.ones(1, 8, dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    tmp = target_dir / f".{_ONNX_FILE}.{os.getpid()}.tmp"
    with torch.no_grad():
        torch.onnx.export(
            _Hidden(model),
            (sample, torch.ones_like(sample), torch.zeros_like(sample)),
            str(tmp),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "last_hidden_state": axes,
            },
            opset_version=17,
            dynamo=False,
        )
    os.replace(tmp, target)
    return target


class OnnxEmbedder:
    """ONNX Runtime embedder: one single-thread session for queries, a wider one for batches."""

    backend = "onnx"

    def __init__(
        self, cache_dir: Path, batch_threads: int | None = None, model: str = TUNED
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = model_path(model, cache_dir)
        _check_pooling(path)
        self.model = model
        self.name = model_name(model)
        self.fingerprint = model_fingerprint(path)
        self._file = export_onnx(path, Path(cache_dir), self.fingerprint)
        max_len = json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"]
        self._tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tokenizer.enable_truncation(int(max_len))
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._ort = ort
        self._query_session = self._session(1)
        self._batch_session: Any = None
        self._batch_threads = batch_threads or max(1, min(2, os.cpu_count() or 1))
        self._lock = threading.Lock()
        self.dim = int(self.embed(["dimension probe"]).shape[1])
        self.calls = 0
        self.texts_embedded = 0

    def _session(self, threads: int) -> Any:
        options = self._ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # Idle worker threads must not spin: the machine is shared with the rest of the stack.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        return self._ort.InferenceSession(
            str(self._file), options, providers=["CPUExecutionProvider"]
        )

    def _run(self, session: Any, texts: Sequence[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(list(texts))
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        hidden = session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed texts; one text uses the single-thread session, batches the wider one."""
        self.calls = getattr(self, "calls", 0) + 1
        self.texts_embedded = getattr(self, "texts_embedded", 0) + len(texts)
        if len(texts) == 0:
            return np.zeros((0, getattr(self, "dim", 384)), dtype=np.float32)
        if len(texts) == 1:
            return self._run(self._query_session, texts)
        with self._lock:
            if self._batch_session is None:
                self._batch_session = self._session(self._batch_threads)
        order = np.argsort([len(t) for t in texts])
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        batch = 32
        for start in range(0, len(texts), batch):
            idx = order[start : start + batch]
            out[idx] = self._run(self._batch_session, [texts[i] for i in idx])
            if progress:
                progress(len(idx))
        return out


class TorchEmbedder:
    """The reference backend: sentence-transformers on torch."""

    backend = "torch"

    def __init__(self, cache_dir: Path | None = None, model: str = TUNED) -> None:
        from sentence_transformers import SentenceTransformer

        path = model_path(model, cache_dir)
        self.model = model
        self.name = model_name(model)
        self.fingerprint = model_fingerprint(path)
        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        get_dim = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(get_dim() or 384)
        self.calls = 0
        self.texts_embedded = 0

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Embed texts with sentence-transformers (normalised)."""
        self.calls += 1
        self.texts_embedded += len(texts)
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self._model.encode(
            list(texts), batch_size=32, normalize_embeddings=True, convert_to_numpy=True
        )
        if progress:
            progress(len(texts))
        return np.asarray(vectors, dtype=np.float32)


def load_embedder(cache_dir: Path | None, backend: str = "onnx", model: str = TUNED) -> Embedder:
    """Load ``model`` once; ``cache_dir`` holds the ONNX export and the tuned model folder."""
    if backend == "onnx":
        return OnnxEmbedder(Path(cache_dir) if cache_dir else DEFAULT_CACHE, model=model)
    if backend == "torch":
        return TorchEmbedder(cache_dir, model=model)
    raise ValueError(f"unknown embedding backend {backend!r}: use 'onnx' or 'torch'")


def embedder_for(embedder: Embedder, cache_dir: Path | None, model: str) -> Embedder:
    """``embedder`` itself when it is ``model`` (or has no model name: a test's fake), else
    ``model`` loaded with the same backend.

    For parts fitted on a particular model's vectors: the grouping of content gaps on the base
    model's (ADR 0107), the semantic crisis check on the model its ``similarity.json`` names
    (ADR 0202); the guidance search serves the tuned one.
    """
    if getattr(embedder, "model", model) == model:
        return embedder
    return load_embedder(cache_dir, backend=embedder.backend, model=model)
