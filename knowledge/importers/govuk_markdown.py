"""GOV.UK HTML to the Markdown the article parser accepts, and splitting it into sections.

Links become absolute ``https://`` addresses (relative ones are resolved against the page,
``http://`` is upgraded), images become their alt text, stray tags cannot survive, ``h2``
headings become ``##`` sections and deeper headings keep their relative depth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlparse

from markdownify import MarkdownConverter

from knowledge.articles import slugify


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
            return f"[{text}]({href})" if len(href.split(":", 1)[1]) >= 3 else text
        link = absolute_https(href, self.base_url)
        return f"[{text}]({link})" if link else text

    def convert_img(self, el: Any, text: str, parent_tags: Any) -> str:
        return str(el.get("alt") or "")

    def convert_hN(self, n: int, el: Any, text: str, parent_tags: Any) -> str:
        level = min(6, max(2, n + self.heading_shift))
        words = " ".join((text or "").split()).strip("# ")
        return f"\n\n{'#' * level} {words}\n\n" if words else ""


def absolute_https(href: str, base_url: str) -> str | None:
    """``href`` as an absolute https address, or None when it cannot be one."""
    absolute = urljoin(base_url, href.strip()) if href.strip() else ""
    if absolute.startswith("http://"):
        absolute = "https://" + absolute[len("http://") :]
    parsed = urlparse(absolute)
    if parsed.scheme != "https" or not parsed.netloc or re.search(r"[\s()<>]", absolute):
        return None
    return absolute


def html_to_markdown(html: object, base_url: str, heading_shift: int = 0) -> str:
    """Convert a GOV.UK HTML fragment to Markdown the article parser accepts."""
    if not isinstance(html, str) or not html.strip():
        return ""
    text = _Converter(base_url, heading_shift).convert(html)
    text = text.replace("<", "‹").replace(">", "›")  # no stray HTML survives conversion
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def plain_text(html: object) -> str:
    """The words of an HTML fragment on one line (for notices and question text)."""
    if not isinstance(html, str):
        return ""
    text = re.sub(r"<[^>]*>", " ", html)
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("&rsquo;", "’")
    return " ".join(text.split())


@dataclass
class Block:
    """One ``##`` section before it is written: heading, Markdown and example questions."""

    heading: str
    text: str
    questions: list[str] = field(default_factory=list)


def split_sections(markdown: str) -> tuple[str, list[Block]]:
    """Split Markdown into the introduction and its ``##`` sections (empty ones dropped)."""
    intro: list[str] = []
    blocks: list[tuple[str, list[str]]] = []
    in_code = False
    for line in markdown.split("\n"):
        if line.strip().startswith("```"):
            in_code = not in_code
        if not in_code and line.startswith("## "):
            blocks.append((line[3:].strip(), []))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            intro.append(line)
    out = [Block(h, "\n".join(lines).strip()) for h, lines in blocks]
    return "\n".join(intro).strip(), [b for b in out if b.text]


def unique_headings(blocks: list[Block]) -> list[Block]:
    """Rename repeated or wordless headings ("Help", "Help (2)") so every anchor is unique."""
    used: set[str] = set()
    out = []
    for block in blocks:
        base = " ".join(block.heading.split()) or "More information"
        name, n = base, 2
        while slugify(name) in used or not slugify(name):
            name, n = f"{base} ({n})", n + 1
        used.add(slugify(name))
        out.append(Block(name, block.text, block.questions))
    return out
