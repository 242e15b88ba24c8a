"""Guidance articles: parse and validate one Markdown file with front matter.

Every error is an :class:`ArticleError` that names the source (file name or other origin)
and the 1-based line, so an editor can go straight to the problem.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from knowledge.example_questions import INTRO_KEY, QuestionsFieldError, parse_questions

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ID_CHARS = 80  # ids are file names and button payloads
# Every front matter field, in the order the editor and the importers write them.
FIELD_ORDER = (
    "id",
    "title",
    "summary",
    "url",
    "service_area",
    "owner",
    "last_reviewed",
    "review_by",
    "status",
    "language",
    "contact",
    "related",
    "tags",
    "keywords",
    "source",
    "questions",
)
OPTIONAL_FIELDS = ("review_by", "contact", "related", "tags", "keywords", "source", "questions")
REQUIRED_FIELDS = tuple(name for name in FIELD_ORDER if name not in OPTIONAL_FIELDS)
STATUSES = ("draft", "published", "retired")
LANGUAGES = ("en", "cy")
# The one size limit for an article, wherever it comes from (files, editor, importers).
MAX_ARTICLE_BYTES = 100_000
_LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\n]*)\)")
_BROKEN_LINK = re.compile(r"\]\([^)\n]*$|\]\(\s*\)")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^>\n]*)?/?>")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


class ArticleError(ValueError):
    """A guidance article that cannot be used; the message names the source and the line."""

    def __init__(self, message: str, source: str, line: int | None = None) -> None:
        self.source = source
        self.line = line
        self.reason = message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Section:
    """One ``##`` section: a heading, its anchor and its Markdown body."""

    heading: str
    anchor: str
    body: str
    line: int
    questions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """A parsed, validated guidance article."""

    id: str
    title: str
    summary: str
    url: str
    service_area: str
    owner: str
    last_reviewed: str
    status: str
    language: str
    intro: str
    sections: tuple[Section, ...]
    source: str
    markdown: str
    review_by: str | None = None
    contact: Mapping[str, str] = field(default_factory=dict)
    related: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    internal_links: tuple[tuple[str, int], ...] = ()
    intro_questions: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """SHA-256 of the article's Markdown: changes whenever the file changes."""
        return hashlib.sha256(self.markdown.encode("utf-8")).hexdigest()

    @property
    def searchable(self) -> bool:
        """Only published articles are answered from."""
        return self.status == "published"

    def section_url(self, anchor: str) -> str:
        """The article URL pointing at one section (no fragment for the introduction)."""
        return f"{self.url}#{anchor}" if anchor else self.url


def valid_article_id(value: object) -> bool:
    """True for an article id: lower-case letters, digits and single hyphens, at most
    :data:`MAX_ID_CHARS` characters (the one rule for ids, wherever one arrives from)."""
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS and bool(ID_PATTERN.match(value))


def slugify(heading: str) -> str:
    """Anchor for a heading, GitHub style: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    text = re.sub(r"[^\w\s-]", "", text, flags=re.UNICODE)
    text = re.sub(r"[\s_]+", "-", text)
    return re.sub(r"-{2,}", "-", text).strip("-")


def _key_line(front_lines: list[str], key: str) -> int:
    """1-based file line of ``key:`` inside the front matter (front matter starts at line 2)."""
    for offset, raw in enumerate(front_lines):
        if re.match(rf"^{re.escape(key)}\s*:", raw):
            return offset + 2
    return 1


def _as_date(value: Any, name: str, source: str, line: int) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ArticleError(f"'{name}' must be a date like 2026-09-14, got {value!r}", source, line)


def _split_front_matter(text: str, source: str) -> tuple[list[str], list[str], int]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ArticleError("the file must start with front matter between '---' lines", source, 1)
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return lines[1:index], lines[index + 1 :], index + 2
    raise ArticleError("the front matter is not closed with a '---' line", source, 1)


def _load_front_matter(front: list[str], source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load("\n".join(front))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArticleError(f"front matter is not valid YAML: {problem}", source, line) from None
    if not isinstance(data, dict):
        raise ArticleError("front matter must be a list of 'key: value' lines", source, 2)
    return data


def _text_field(data: dict[str, Any], key: str, front: list[str], source: str) -> str:
    value = data[key]
    if (
        not isinstance(value, str | int | float)
        or isinstance(value, bool)
        or not str(value).strip()
    ):
        raise ArticleError(f"'{key}' must be non-empty text", source, _key_line(front, key))
    return str(value).strip()


def _validate_url(url: str, key: str, source: str, line: int) -> str:
    parsed = urlparse(url)
    if parsed.scheme != "https" or not parsed.netloc or " " in url:
        raise ArticleError(f"'{key}' must be an https:// address, got {url!r}", source, line)
    return url


def _check_links(body_lines: list[str], first_line: int, source: str) -> list[tuple[str, int]]:
    """Validate Markdown links; return internal article links as (article id, line)."""
    internal: list[tuple[str, int]] = []
    for offset, raw in enumerate(body_lines):
        line = first_line + offset
        if _BROKEN_LINK.search(raw):
            raise ArticleError("broken Markdown link: '](' without a target or ')'", source, line)
        for match in _LINK.finditer(raw):
            text, target = match.group(1).strip(), match.group(2).strip()
            if not text:
                raise ArticleError(f"link to {target!r} has no link text", source, line)
            if target.startswith(("mailto:", "tel:")):
                if len(target.split(":", 1)[1]) < 3:
                    raise ArticleError(f"broken link {target!r}", source, line)
                continue
            if target.endswith(".md") or ".md#" in target:
                name = target.split("#", 1)[0].removeprefix("./")
                article_id = name.removesuffix(".md")
                if not valid_article_id(article_id):
                    raise ArticleError(f"broken link to article {target!r}", source, line)
                internal.append((article_id, line))
                continue
            parsed = urlparse(target)
            if parsed.scheme != "https" or not parsed.netloc or " " in target:
                raise ArticleError(
                    f"broken link {target!r}: use a full https:// address, mailto:, tel: "
                    "or another article's file name like missed-bin.md",
                    source,
                    line,
                )
    return internal


def _parse_body(
    body_lines: list[str], first_line: int, source: str
) -> tuple[str, tuple[Section, ...]]:
    intro: list[str] = []
    sections: list[Section] = []
    current: tuple[str, int] | None = None
    current_lines: list[str] = []
    anchors: dict[str, int] = {}
    in_code = False

    def close() -> None:
        if current is None:
            return
        heading, line = current
        text = "\n".join(current_lines).strip()
        if not text:
            raise ArticleError(f"section '{heading}' has no text", source, line)
        sections.append(Section(heading=heading, anchor=slugify(heading), body=text, line=line))

    for offset, raw in enumerate(body_lines):
        line = first_line + offset
        if raw.strip().startswith("```"):
            in_code = not in_code
        match = None if in_code else _HEADING.match(raw)
        if match and len(match.group(1)) == 1:
            raise ArticleError(
                "use '##' for section headings; the title comes from the front matter",
                source,
                line,
            )
        if match and len(match.group(1)) == 2:
            close()
            heading = match.group(2).strip()
            anchor = slugify(heading)
            if not anchor:
                raise ArticleError("a section heading needs words", source, line)
            if anchor in anchors:
                raise ArticleError(
                    f"duplicate section heading '{heading}' (first on line {anchors[anchor]})",
                    source,
                    line,
                )
            anchors[anchor] = line
            current, current_lines = (heading, line), []
            continue
        (current_lines if current is not None else intro).append(raw)
    close()
    intro_text = "\n".join(intro).strip()
    if not intro_text and not sections:
        raise ArticleError("the article has no text after the front matter", source, first_line)
    return intro_text, tuple(sections)


def parse_article(text: str, source: str) -> Article:
    """Parse and validate one article; raise :class:`ArticleError` naming ``source`` and line."""
    if not isinstance(text, str):
        raise ArticleError("an article must be text", source, None)
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"the article is too long ({size // 1000} kB; at most {MAX_ARTICLE_BYTES // 1000} kB)",
            source,
            None,
        )
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    front, body_lines, first_body_line = _split_front_matter(text, source)
    data = _load_front_matter(front, source)
    for key in data:
        if key not in REQUIRED_FIELDS and key not in OPTIONAL_FIELDS:
            raise ArticleError(f"unknown front matter field '{key}'", source, _key_line(front, key))
    for key in REQUIRED_FIELDS:
        if key not in data or data[key] is None:
            raise ArticleError(f"front matter is missing '{key}'", source, 1)
    values = {
        key: _text_field(data, key, front, source)
        for key in REQUIRED_FIELDS
        if key != "last_reviewed"
    }
    article_id = values["id"]
    if not valid_article_id(article_id):
        raise ArticleError(
            f"id {article_id!r} must use lower-case letters, digits and single hyphens "
            f"(at most {MAX_ID_CHARS} characters)",
            source,
            _key_line(front, "id"),
        )
    _validate_url(values["url"], "url", source, _key_line(front, "url"))
    if values["status"] not in STATUSES:
        raise ArticleError(
            f"status must be one of {', '.join(STATUSES)}", source, _key_line(front, "status")
        )
    if values["language"] not in LANGUAGES:
        raise ArticleError(
            f"language must be one of {', '.join(LANGUAGES)}", source, _key_line(front, "language")
        )
    last_reviewed = _as_date(
        data["last_reviewed"], "last_reviewed", source, _key_line(front, "last_reviewed")
    )
    review_by = None
    if data.get("review_by") is not None:
        review_by = _as_date(data["review_by"], "review_by", source, _key_line(front, "review_by"))
    contact = data.get("contact") or {}
    if not isinstance(contact, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int) for k, v in contact.items()
    ):
        raise ArticleError(
            "'contact' must be 'name: value' lines", source, _key_line(front, "contact")
        )
    related = data.get("related") or []
    if not isinstance(related, list) or not all(
        valid_article_id(r) for r in related
    ):
        raise ArticleError(
            "'related' must be a list of article ids", source, _key_line(front, "related")
        )
    keywords = data.get("keywords") or []
    if not isinstance(keywords, list) or not all(
        isinstance(k, str | int) and str(k).strip() for k in keywords
    ):
        raise ArticleError(
            "'keywords' must be a list of words or phrases", source, _key_line(front, "keywords")
        )
    for offset, raw in enumerate(body_lines):
        if _HTML_TAG.search(raw):
            raise ArticleError(
                "HTML is not allowed in guidance; write Markdown", source, first_body_line + offset
            )
    internal = _check_links(body_lines, first_body_line, source)
    intro, sections = _parse_body(body_lines, first_body_line, source)
    try:
        questions = parse_questions(data.get("questions"), [s.heading for s in sections])
    except QuestionsFieldError as exc:
        raise ArticleError(str(exc), source, _key_line(front, "questions")) from None
    sections = tuple(
        Section(s.heading, s.anchor, s.body, s.line, questions.get(s.heading, ())) for s in sections
    )
    return Article(
        id=article_id,
        title=values["title"],
        summary=values["summary"],
        url=values["url"],
        service_area=values["service_area"],
        owner=values["owner"],
        last_reviewed=last_reviewed,
        status=values["status"],
        language=values["language"],
        intro=intro,
        sections=sections,
        source=source,
        markdown=text,
        review_by=review_by,
        contact={str(k): str(v) for k, v in contact.items()},
        related=tuple(related),
        keywords=tuple(str(k).strip() for k in keywords),
        internal_links=tuple([(r, _key_line(front, "related")) for r in related] + internal),
        intro_questions=questions.get(INTRO_KEY, ()),
    )


def id_line(article: Article) -> int:
    """1-based line of the ``id:`` key in the article's front matter."""
    front = article.markdown.split("\n")
    return _key_line(front[1:], "id")


def check_cross_links(articles: Mapping[str, Article], only: Iterable[str] | None = None) -> None:
    """Raise :class:`ArticleError` when an article links to an article id that does not exist."""
    for article_id in only if only is not None else articles:
        _check_targets(articles[article_id], articles)


def _check_targets(article: Article, known: Container[str]) -> None:
    for target, line in article.internal_links:
        if target not in known:
            raise ArticleError(f"link to unknown article '{target}'", article.source, line)


def check_publishable(text: str, known_ids: Iterable[str], source: str) -> Article:
    """Parse ``text`` and check that every article it links to or names in ``related`` is in
    ``known_ids`` (or is itself): what every guidance service checks before taking it.

    Raises :class:`ArticleError` naming ``source`` and the line.
    """
    article = parse_article(text, source)
    _check_targets(article, set(known_ids) | {article.id})
    return article


def load_articles(directory: Path) -> dict[str, Article]:
    """Parse every ``*.md`` article in ``directory`` (README.md excepted), all or nothing.

    Checks that each id equals its file name, that ids are unique and that links between
    articles resolve. Raises :class:`ArticleError` on the first problem.
    """
    directory = Path(directory)
    if not directory.is_dir():
        raise ArticleError("the articles folder does not exist", str(directory), None)
    articles: dict[str, Article] = {}
    for path in sorted(directory.glob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ArticleError("the file is not UTF-8 text", str(path), None) from None
        article = parse_article(text, str(path))
        if article.id != path.stem:
            raise ArticleError(
                f"id '{article.id}' does not match the file name '{path.name}'",
                str(path),
                id_line(article),
            )
        if article.id in articles:  # pragma: no cover - file names are unique already
            raise ArticleError(f"duplicate id '{article.id}'", str(path), id_line(article))
        articles[article.id] = article
    check_cross_links(articles)
    return articles


def check_unique_ids(articles: Iterable[Article]) -> dict[str, Article]:
    """Index articles by id, raising :class:`ArticleError` on a duplicate id."""
    seen: dict[str, Article] = {}
    for article in articles:
        if article.id in seen:
            raise ArticleError(
                f"duplicate id '{article.id}' (also in {seen[article.id].source})",
                article.source,
                id_line(article),
            )
        seen[article.id] = article
    return seen
