"""The trained Rasa model, cached by a hash of everything under ``bot/``."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

TRAINING_FILES = ("*.yml", "*.yaml", "*.md", "*.json")


def bot_hash(bot_dir: Path) -> str:
    """Hash the names and contents of the Rasa project's files (not its tests or caches)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in bot_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(bot_dir)
        if relative.parts[0].startswith(".") or "__pycache__" in relative.parts:
            continue
        digest.update(str(relative).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


def model_path(bot_dir: Path, models_dir: Path) -> Path:
    """Where the model for the current ``bot/`` lives (it may not exist yet)."""
    return models_dir / f"bot-{bot_hash(bot_dir)}.tar.gz"


def ensure_model(bot_dir: Path, models_dir: Path, rasa_bin: Path,
                 log_path: Path | None = None) -> Path:
    """Return the model for the current ``bot/``, training it first when ``bot/`` changed.

    With ``log_path`` the training output goes to that file (the run command keeps the
    terminal for progress lines); a failed training raises with the log's name.
    """
    target = model_path(bot_dir, models_dir)
    if target.exists():
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    if log_path is None:
        print(f"Training the Rasa model ({target.name}); this takes about a minute.",
              file=sys.stderr)
        _train(bot_dir, models_dir, rasa_bin, target, None)
    else:
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("ab") as log:
            _train(bot_dir, models_dir, rasa_bin, target, log)
    for old in models_dir.glob("bot-*.tar.gz"):
        if old != target:
            old.unlink()
    return target


def _train(bot_dir: Path, models_dir: Path, rasa_bin: Path, target: Path,
           log: BinaryIO | None) -> None:
    subprocess.run(
        [
            str(rasa_bin), "train",
            "--config", str(bot_dir / "config.yml"),
            "--domain", str(bot_dir / "domain.yml") if (bot_dir / "domain.yml").exists()
            else str(bot_dir / "domain"),
            "--data", str(bot_dir / "data"),
            "--out", str(models_dir),
            "--fixed-model-name", target.name.removesuffix(".tar.gz"),
            "--quiet",
        ],
        check=True,
        cwd=bot_dir,
        stdout=log, stderr=subprocess.STDOUT if log is not None else None,
        # bot/config.yml names a pipeline component from the repository (safety.rasa_gate)
        env={**os.environ, "PYTHONPATH": str(bot_dir.resolve().parent),
             "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "2"},
    )
