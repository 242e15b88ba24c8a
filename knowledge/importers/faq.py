"""Import a plain FAQ spreadsheet (CSV with a header row, or a JSON list of objects).

Columns: ``question`` and ``answer`` (required), ``url`` (optional). Each row becomes one
article whose title is the question and whose text is the answer. Rows without a url link to
``base_url`` with an anchor made from the question.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from knowledge.example_questions import INTRO_KEY, QuestionsFieldError, check_question_text
from knowledge.importers.writing import Draft, ImportError_, make_id

REQUIRED = ("question", "answer")
OPTIONAL = ("url",)
MAX_CELL = 20_000


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line or item number, row) pairs; errors name the file and line."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"{path}: cannot be read as UTF-8 text ({exc})") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportError_(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise ImportError_(
                f"{path}: a JSON FAQ must be a list of objects with question and answer"
            )
        return [(n, r) for n, r in enumerate(data, start=1)]
    if path.suffix.lower() != ".csv":
        raise ImportError_(f"{path}: use a .csv or .json file")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise ImportError_(f"{path}:1: the CSV has no header row")
    rows = []
    for row in reader:
        if None in row:
            raise ImportError_(f"{path}:{reader.line_num}: the row has more cells than the header")
        rows.append((reader.line_num, dict(row)))
    return rows


def _check_columns(path: Path, columns: set[str], where: str) -> None:
    unknown = sorted(c for c in columns if c not in REQUIRED + OPTIONAL)
    if unknown:
        raise ImportError_(
            f"{path}{where}: unknown column(s) {', '.join(repr(c) for c in unknown)}; "
            f"expected {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportError_(f"{path}{where}: missing column(s) {', '.join(missing)}")


def _summary(answer: str) -> str:
    first = re.split(r"(?<=[.!?])\s", " ".join(answer.split()), maxsplit=1)[0]
    return first if len(first) <= 200 else first[:197].rsplit(" ", 1)[0] + "…"


def import_faq(
    path: Path,
    base_url: str | None = None,
    id_prefix: str = "faq-",
    service_area: str = "Frequently asked questions",
    owner: str = "Content team",
    last_reviewed: str | None = None,
    language: str = "en",
) -> list[tuple[Draft, str]]:
    """Drafts for every FAQ row; :class:`ImportError_` names the file and line (or item)."""
    path = Path(path)
    rows = _rows(path)
    if not rows:
        raise ImportError_(f"{path}: the FAQ has no rows")
    if path.suffix.lower() == ".csv":
        _check_columns(path, {c.strip().lower() for c in rows[0][1]}, ":1")
    reviewed = last_reviewed or dt.date.today().isoformat()
    drafts = []
    for number, raw in rows:
        where = f":{number}" if path.suffix.lower() == ".csv" else f" item {number}"
        row = {str(k).strip().lower(): v for k, v in raw.items()}
        _check_columns(path, set(row), where)
        values = {}
        for key in REQUIRED + OPTIONAL:
            value = row.get(key)
            if value is not None and not isinstance(value, str):
                raise ImportError_(f"{path}{where}: '{key}' must be text")
            values[key] = (value or "").strip()
            if len(values[key]) > MAX_CELL:
                raise ImportError_(f"{path}{where}: '{key}' is longer than {MAX_CELL} characters")
        if not values["question"] or not values["answer"]:
            raise ImportError_(f"{path}{where}: question and answer must not be empty")
        article_id = make_id(values["question"], id_prefix)
        url = values["url"]
        if not url:
            if not base_url:
                raise ImportError_(f"{path}{where}: the row has no url; pass --base-url")
            url = f"{base_url.rstrip('/')}#{article_id.removeprefix(id_prefix)}"
        if urlparse(url).scheme != "https" or not urlparse(url).netloc:
            raise ImportError_(f"{path}{where}: url must be an https:// address, got {url!r}")
        question = " ".join(values["question"].split())
        front: dict[str, object] = {
            "title": question,
            "summary": _summary(values["answer"]),
            "url": url,
            "service_area": service_area,
            "owner": owner,
            "last_reviewed": reviewed,
            "status": "published",
            "language": language,
            "source": f"faq:{path.name}{where.replace(' ', ':')}",
        }
        # The FAQ's own question is an example question of its answer (unless it is too long
        # or carries Markdown: the title still has it).
        with contextlib.suppress(QuestionsFieldError):
            front["questions"] = {INTRO_KEY: [check_question_text(question)]}
        drafts.append((Draft(id=article_id, front=front, body=values["answer"]), f"{path}{where}"))
    return drafts
