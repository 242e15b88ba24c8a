"""Import GOV.UK Content API content items (``/api/content/<path>`` JSON) as articles.

Supported schemas: ``guide`` (``details.parts`` become ``##`` sections), ``answer``,
``help_page``, ``detailed_guide`` (``details.body``), ``transaction`` and
``local_transaction`` (their introduction, need-to-know and more-information blocks).
HTML becomes Markdown; ``h2`` headings become sections; ``base_path`` becomes the URL on
www.gov.uk; ``locale`` is kept as the article language (``en`` or ``cy``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

from markdownify import MarkdownConverter

from knowledge.articles import slugify
from knowledge.importers.writing import Draft, ImportError_, make_id

GOVUK = "https://www.gov.uk"
SUPPORTED = ("guide", "answer", "help_page", "detailed_guide", "transaction", "local_transaction")


class _Converter(MarkdownConverter):
    """Markdown the article parser accepts: ATX headings, '-' bullets, https links only."""

    def __init__(self, base_url: str, heading_shift: int = 0) -> None:
        super().__init__(
            heading_style="ATX", bullets="-", strip_document="strip", escape_misc=False
        )
        self.base_url = base_url
        self.heading_shift = heading_shift

    def convert_a(self, el: Any, text: str, parent_tags: Any) -> str:
        text = " ".join((text or "").split())
        href = (el.get("href") or "").strip()
        if not text:
            return ""
        if href.startswith(("mailto:", "tel:")):
            return f"[{text}]({href})"
        absolute = urljoin(self.base_url, href) if href else ""
        parsed = urlparse(absolute)
        if parsed.scheme == "http" and parsed.netloc:
            absolute = "https" + absolute[4:]
            parsed = urlparse(absolute)
        if parsed.scheme != "https" or not parsed.netloc or re.search(r"[\s()]", absolute):
            return text
        return f"[{text}]({absolute})"

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        return el.get("alt") or ""

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: Any) -> str:
        level = min(6, max(2, n + self.heading_shift))
        words = " ".join((text or "").split()).strip("# ")
        return f"\n\n{'#' * level} {words}\n\n" if words else ""


def html_to_markdown(html: str | None, base_url: str, heading_shift: int = 0) -> str:
    """Convert a GOV.UK HTML fragment to Markdown the article parser accepts."""
    if not html:
        return ""
    text = _Converter(base_url, heading_shift).convert(html)
    text = text.replace("<", "‹").replace(">", "›")  # no stray HTML survives conversion
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def _sections(markdown: str) -> tuple[str, list[tuple[str, str]]]:
    """Split Markdown into intro and non-empty, uniquely named ``##`` sections."""
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    for line in markdown.split("\n"):
        if line.startswith("## "):
            sections.append((line[3:].strip(), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            intro.append(line)
    out: list[tuple[str, str]] = []
    used: set[str] = set()
    for heading, lines in sections:
        body = "\n".join(lines).strip()
        if not body:
            continue
        name, n = heading, 2
        while slugify(name) in used or not slugify(name):
            name, n = f"{heading} ({n})", n + 1
        used.add(slugify(name))
        out.append((name, body))
    return "\n".join(intro).strip(), out


def _body(item: dict[str, Any], url: str, source: str) -> str:
    schema = item["schema_name"]
    details = item.get("details") or {}
    if not isinstance(details, dict):
        raise ImportError_(f"{source}: 'details' must be an object")
    if schema == "guide":
        parts = details.get("parts") or []
        if not isinstance(parts, list):
            raise ImportError_(f"{source}: 'details.parts' must be a list")
        blocks = []
        for number, part in enumerate(parts, start=1):
            if not isinstance(part, dict) or not part.get("title"):
                raise ImportError_(f"{source}: part {number} has no title")
            text = html_to_markdown(part.get("body"), f"{url}/{part.get('slug', '')}", 1)
            if text:
                blocks.append(f"## {' '.join(str(part['title']).split())}\n\n{text}")
        return "\n\n".join(blocks)
    if schema in ("answer", "help_page", "detailed_guide"):
        return html_to_markdown(details.get("body"), url)
    if schema == "transaction":
        blocks = [html_to_markdown(details.get("introductory_paragraph"), url)]
        start = details.get("transaction_start_link")
        label = details.get("start_button_text") or "Start now"
        if isinstance(start, str) and start.startswith(("https://", "http://")):
            target = "https" + start[4:] if start.startswith("http://") else start
            where = details.get("will_continue_on")
            suffix = f" (on {where})" if where else ""
            blocks.append(f"[{label}]({target}){suffix}")
        for key in ("what_you_need_to_know", "other_ways_to_apply", "more_information"):
            text = html_to_markdown(details.get(key), url)
            if text and not text.lstrip().startswith("## "):
                heading = "Other ways to apply" if key == "other_ways_to_apply" else "What you need"
                text = f"## {heading}\n\n{text}"
            blocks.append(text)
        return "\n\n".join(b for b in blocks if b)
    # local_transaction
    blocks = [html_to_markdown(details.get("introduction"), url)]
    need = html_to_markdown(details.get("need_to_know"), url)
    if need:
        blocks.append(f"## What you need to know\n\n{need}")
    blocks.append(html_to_markdown(details.get("more_information"), url))
    return "\n\n".join(b for b in blocks if b)


def item_to_draft(
    item: Any, source: str, id_prefix: str = "", service_area: str = "GOV.UK"
) -> Draft:
    """Turn one content item into an article draft; :class:`ImportError_` names ``source``."""
    if not isinstance(item, dict):
        raise ImportError_(f"{source}: a content item must be a JSON object")
    schema = item.get("schema_name")
    if schema not in SUPPORTED:
        raise ImportError_(
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
    markdown = _body(item, url, source)
    intro, sections = _sections(markdown)
    description = " ".join(str(item.get("description") or "").split())
    title = " ".join(item["title"].split())
    if not intro:
        intro = description or title
    if not sections and intro == title and not description:
        intro = f"[{title}]({url})"
    body = intro + "".join(f"\n\n## {h}\n\n{b}" for h, b in sections)
    organisations = (item.get("links") or {}).get("organisations") or []
    owner = (
        organisations[0].get("title")
        if organisations and isinstance(organisations[0], dict)
        else None
    )
    updated = str(item.get("public_updated_at") or item.get("updated_at") or "")[:10]
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", updated):
        raise ImportError_(f"{source}: the content item has no public_updated_at date")
    front = {
        "title": title,
        "summary": description or title,
        "url": url,
        "service_area": service_area,
        "owner": owner or "GOV.UK",
        "last_reviewed": updated,
        "status": "published",
        "language": locale,
        "source": f"govuk:{item.get('content_id', base_path)}",
    }
    return Draft(id=make_id(base_path, id_prefix), front=front, body=body)


def load_item(path: Path) -> Any:
    """Read one content item JSON file; :class:`ImportError_` names the file and line."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportError_(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportError_(f"{path}: cannot be read ({exc})") from None


def import_files(
    paths: list[Path], id_prefix: str = "", service_area: str = "GOV.UK"
) -> list[tuple[Draft, str]]:
    """Drafts for every content item file (a folder means its ``*.json`` files)."""
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        files += sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise ImportError_("no content item files were given")
    return [(item_to_draft(load_item(f), str(f), id_prefix, service_area), str(f)) for f in files]
