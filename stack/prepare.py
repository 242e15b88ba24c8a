"""Bring derived artefacts up to date before a run: the Rasa model and the guidance index."""

from __future__ import annotations

import subprocess
import sys

from stack.model import ensure_model
from stack.settings import StackSettings


def prepare(settings: StackSettings) -> None:
    """Train the model if ``bot/`` changed and update the guidance index incrementally.

    ``var/index`` is derived data: when it was built by another version of the chunker or
    model, ``knowledge update`` refuses it, and we rebuild it from the articles.
    """
    ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    knowledge = [str(settings.app_python), "-m", "knowledge"]
    if subprocess.run([*knowledge, "update"], cwd=settings.root).returncode != 0:
        print("Rebuilding the guidance index from the articles.", file=sys.stderr)
        subprocess.run([*knowledge, "build", "--force"], check=True, cwd=settings.root)
