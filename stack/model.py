"""The trained Rasa model, cached by a hash of everything under ``bot/`` and of the training
data generated from other sources (the articles' example questions, ``bot/guidance_examples.py``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

TRAINING_FILES = ("*.yml", "*.yaml", "*.md", "*.json")


_GENERATED: dict[tuple[object, ...], dict[str, str]] = {}


def generated_data(bot_dir: Path) -> dict[str, str]:
    """Training files made at training time from the repository around ``bot_dir``.

    Name → contents: ``ask_question`` examples from the articles' example questions, so the
    classifier knows what a guidance question looks like (ADR 0200, "Later"). Remembered in
    this process while its source files are unchanged (building takes a few seconds, and the
    launcher asks for the model's hash more than once).
    """
    from bot.guidance_examples import FILE_NAME, build, sources

    root = bot_dir.resolve().parent
    key = (root, *((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in sources(root)))
    if key not in _GENERATED:
        _GENERATED.clear()
        _GENERATED[key] = {FILE_NAME: build(root)}
    return dict(_GENERATED[key])


def bot_hash(bot_dir: Path) -> str:
    """Hash the names and contents of the Rasa project's files (not its tests or caches) and
    of the generated training data."""
    digest = hashlib.sha256()
    for name, text in sorted(generated_data(bot_dir).items()):
        digest.update(f"generated/{name}".encode())
        digest.update(b"\0")
        digest.update(text.encode("utf-8"))
        digest.update(b"\0")
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
    with tempfile.TemporaryDirectory(prefix="bot-generated-") as generated:
        extra = []
        for name, text in generated_data(bot_dir).items():
            (Path(generated) / name).write_text(text, encoding="utf-8")
            extra.append(str(Path(generated) / name))
        _run_rasa_train(bot_dir, models_dir, rasa_bin, target, log, extra)


def _run_rasa_train(bot_dir: Path, models_dir: Path, rasa_bin: Path, target: Path,
                    log: BinaryIO | None, extra_data: list[str]) -> None:
    subprocess.run(
        [
            str(rasa_bin), "train",
            "--config", str(bot_dir / "config.yml"),
            "--domain", str(bot_dir / "domain.yml") if (bot_dir / "domain.yml").exists()
            else str(bot_dir / "domain"),
            "--data", str(bot_dir / "data"), *extra_data,
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
