"""Import GOV.UK Content API content items (``/api/content/<path>`` JSON) as articles.

Supported schemas are listed in :data:`SUPPORTED` (see ``govuk_formats`` for what each one
becomes). ``base_path`` becomes the URL on www.gov.uk; ``locale`` is kept as the article
language (``en`` or ``cy``) and a Welsh item names its English counterpart; a withdrawn item
is imported retired with its notice at the top (or skipped); ``review_by`` is the last update
plus ``review_months``, so the editor flags items nobody has reviewed for that long.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.importers.govuk_formats import BUILDERS, SUPPORTED
from knowledge.importers.govuk_markdown import plain_text, unique_headings
from knowledge.importers.writing import Draft, ImportError_, make_id

GOVUK = "https://www.gov.uk"
WITHDRAWN_CHOICES = ("retire", "skip")


class ImportSkipped(ImportError_):
    """An item deliberately not imported (unsupported schema, or withdrawn with ``skip``)."""


@dataclass(frozen=True)
class Imported:
    """One converted item: the draft and what the import report says about it."""

    draft: Draft
    origin: str
    key: str
    withdrawn: str = ""
    review_overdue: bool = False
    notes: tuple[str, ...] = ()
    english_path: str = ""
    base_path: str = ""
    locale: str = "en"
    updated_at: str = ""
    related: list[str] = field(default_factory=list)


def source_key(content_id: str, locale: str) -> str:
    """The id an imported article keeps across re-imports: content id plus non-English locale."""
    return f"govuk:{content_id}" if locale == "en" else f"govuk:{content_id}:{locale}"


def _date(value: object) -> str:
    text = str(value or "")[:10]
    return text if re.match(r"^\d{4}-\d{2}-\d{2}$", text) else ""


def _review_by(reviewed: str, months: int) -> str:
    day = dt.date.fromisoformat(reviewed)
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, 28)).isoformat()


def _withdrawn_notice(item: dict[str, Any], details: dict[str, Any]) -> str:
    for notice in (item.get("withdrawn_notice"), details.get("withdrawn_notice")):
        if isinstance(notice, dict) and (notice.get("explanation") or notice.get("withdrawn_at")):
            when = _date(notice.get("withdrawn_at"))
            words = plain_text(notice.get("explanation")) or "This page has been withdrawn."
            return f"Withdrawn on {when}: {words}" if when else f"Withdrawn: {words}"
    return ""


def _english_path(item: dict[str, Any], base_path: str) -> str:
    translations = (item.get("links") or {}).get("available_translations") or []
    for other in translations:
        if isinstance(other, dict) and other.get("locale") == "en":
            path = str(other.get("base_path") or "")
            if path.startswith("/") and path != base_path:
                return path
    return ""


def item_to_draft(
    item: Any,
    source: str,
    id_prefix: str = "",
    service_area: str = "GOV.UK",
    withdrawn: str = "retire",
    review_months: int = 12,
    today: dt.date | None = None,
) -> Imported:
    """Turn one content item into an article draft.

    Raises :class:`ImportSkipped` for an unsupported schema (or a withdrawn item when
    ``withdrawn="skip"``) and :class:`ImportError_` for an item that cannot be read; both
    messages name ``source``.
    """
    if not isinstance(item, dict):
        raise ImportError_(f"{source}: a content item must be a JSON object")
    schema = item.get("schema_name")
    if schema not in BUILDERS:
        raise ImportSkipped(
            f"{source}: schema {schema!r} is not supported; "
            f"supported schemas: {', '.join(SUPPORTED)}"
        )
    for key in ("base_path", "title"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise ImportError_(f"{source}: the content item has no '{key}'")
    base_path = item["base_path"].strip()
    if not base_path.startswith("/"):
        raise ImportError_(f"{source}: 'base_path' must start with '/', got {base_path!r}")
    url = GOVUK + base_path
    locale = item.get("locale") or "en"
    if locale not in ("en", "cy"):
        raise ImportError_(f"{source}: locale {locale!r} is not supported (en or cy)")
    details = item.get("details") or {}
    if not isinstance(details, dict):
        raise ImportError_(f"{source}: 'details' must be an object")
    notice = _withdrawn_notice(item, details)
    if notice and withdrawn == "skip":
        raise ImportSkipped(f"{source}: withdrawn ({notice})")
    content = BUILDERS[str(schema)](details, url, source)
    blocks = unique_headings(content.blocks)
    description = " ".join(str(item.get("description") or "").split())
    title = " ".join(item["title"].split())
    intro = content.intro or description or f"[{title}]({url})"
    if notice:
        intro = f"**{notice}**\n\n{intro}"
    body = intro + "".join(f"\n\n## {b.heading}\n\n{b.text}" for b in blocks)
    links = item.get("links") or {}
    organisations = links.get("organisations") or links.get("lead_organisations") or []
    first_org = organisations[0] if organisations else None
    owner = first_org.get("title") if isinstance(first_org, dict) else None
    reviewed = _date(details.get("reviewed_at")) or _date(
        item.get("public_updated_at") or item.get("updated_at")
    )
    if not reviewed:
        raise ImportError_(f"{source}: the content item has no public_updated_at date")
    review_by = _review_by(reviewed, review_months)
    content_id = str(item.get("content_id") or base_path)
    front: dict[str, Any] = {
        "title": title,
        "summary": description or title,
        "url": url,
        "service_area": service_area,
        "owner": " ".join(str(owner or "GOV.UK").split()),
        "last_reviewed": reviewed,
        "review_by": review_by,
        "status": "retired" if notice else "published",
        "language": locale,
        "source": source_key(content_id, locale),
    }
    questions = {b.heading: b.questions for b in blocks if b.questions}
    if questions:
        front["questions"] = questions
    return Imported(
        draft=Draft(id=make_id(base_path, id_prefix), front=front, body=body),
        origin=source,
        key=source_key(content_id, locale),
        withdrawn=notice,
        review_overdue=dt.date.fromisoformat(review_by) < (today or dt.date.today()),
        notes=tuple(content.notes),
        english_path=_english_path(item, base_path) if locale != "en" else "",
        base_path=base_path,
        locale=locale,
        updated_at=str(item.get("public_updated_at") or item.get("updated_at") or ""),
    )


def link_translations(items: list[Imported]) -> None:
    """Point each Welsh article and its English counterpart at each other (``related``)."""
    by_path = {(i.base_path, i.locale): i for i in items}
    by_key = {i.key: i for i in items}
    for item in items:
        if item.locale == "en":
            continue
        english = by_path.get((item.english_path, "en")) or by_key.get(item.key.rsplit(":", 1)[0])
        if english is None:
            continue
        item.related.append(english.draft.id)
        english.related.append(item.draft.id)
    for item in items:
        if item.related:
            item.draft.front["related"] = sorted(set(item.related))


def load_item(path: Path) -> Any:
    """Read one content item JSON file; :class:`ImportError_` names the file and line."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"{path}: cannot be read ({exc})") from None


def item_files(paths: list[Path]) -> list[Path]:
    """The content item files named (a folder means its ``*.json`` files)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise ImportError_("no content item files were given")
    return files


def import_files(
    paths: list[Path], id_prefix: str = "", service_area: str = "GOV.UK"
) -> list[tuple[Draft, str]]:
    """Drafts for every content item file; the first problem raises (see ``import_run``)."""
    items = [
        item_to_draft(load_item(f), str(f), id_prefix, service_area) for f in item_files(paths)
    ]
    link_translations(items)
    return [(i.draft, i.origin) for i in items]
