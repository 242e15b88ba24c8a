"""Shared by the importers: compose an article file, validate it, write it atomically."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge.articles import MAX_ID_CHARS, ArticleError, parse_article


class ImportError_(ValueError):
    """Input that cannot be imported; the message names the file (and row or line)."""


@dataclass(frozen=True)
class Draft:
    """An article ready to be written: front matter fields and Markdown body."""

    id: str
    front: dict[str, Any]
    body: str

    def markdown(self) -> str:
        """The article file's text."""
        front = yaml.safe_dump(
            {"id": self.id, **self.front}, sort_keys=False, allow_unicode=True, width=10_000
        )
        return f"---\n{front}---\n{self.body.strip()}\n"


SUFFIX_ROOM = 4  # "-cy" or "-999" when two imported items share an id (import_run._free_id)


def make_id(text: str, prefix: str = "") -> str:
    """An article id (lower-case letters, digits, hyphens) from a path or a question.

    Short enough, prefix and a disambiguating suffix included, for the format's id limit.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    room = MAX_ID_CHARS - len(prefix) - SUFFIX_ROOM
    slug = re.sub(r"-{2,}", "-", slug)[:room].strip("-")
    return f"{prefix}{slug}" if prefix else slug


def validate(draft: Draft, source: str) -> str:
    """Run the article parser on the draft; raise :class:`ImportError_` naming ``source``."""
    text = draft.markdown()
    try:
        parse_article(text, f"{draft.id}.md")
    except ArticleError as exc:
        raise ImportError_(f"{source}: the imported article is not valid: {exc}") from None
    return text


def write_drafts(
    drafts: list[tuple[Draft, str]], out_dir: Path, overwrite: bool = False
) -> list[Path]:
    """Validate every draft first, then write them (each via a temporary file and rename)."""
    out_dir = Path(out_dir)
    seen: dict[str, str] = {}
    texts = []
    for draft, source in drafts:
        if draft.id in seen:
            raise ImportError_(
                f"{source}: duplicate article id '{draft.id}' (also from {seen[draft.id]})"
            )
        seen[draft.id] = source
        target = out_dir / f"{draft.id}.md"
        if target.exists() and not overwrite:
            raise ImportError_(f"{source}: {target} already exists (use --overwrite to replace it)")
        texts.append((target, validate(draft, source)))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for target, text in texts:
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
        written.append(target)
    return written
