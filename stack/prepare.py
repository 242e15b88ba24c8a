"""Bring derived artefacts up to date before a run: the Rasa model and the guidance index."""

from __future__ import annotations

import subprocess

from stack.model import ensure_model
from stack.settings import StackSettings


def prepare(settings: StackSettings) -> None:
    """Train the model if ``bot/`` changed and update the guidance index incrementally."""
    ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    if (settings.root / "knowledge" / "__main__.py").exists():
        subprocess.run([str(settings.app_python), "-m", "knowledge", "update"],
                       check=True, cwd=settings.root)
