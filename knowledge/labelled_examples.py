"""Attach an organisation's labelled questions to the sections that answer them (ADR 0106).

The gap loop lets an editor attach a missed question to the section that should have answered
it: it becomes one of that section's example questions (the ``questions`` front-matter field,
ADR 0504). A labelled question set (``knowledge/eval/README.md``) is the same knowledge, written
down in bulk: for every ``tune`` question with a strictly answering section, this module adds
the question to the first such section's examples in the article file, as the editor would.
Held-out questions are never attached (they must stay unseen to be worth reporting).

Nothing is hidden: the questions land in the front matter editors already see and edit, under
the same rules (at most ``MAX_PER_SECTION`` per section, each question once per article). A
question already listed in the section is left alone; one listed under another section of the
article, or aimed at a section that is already full, is skipped and counted, for an editor to
decide. Evaluation and fitting then score every labelled question without its own example
(``knowledge.self_exclusion``), so the figures stay those of unseen questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge.articles import Article, parse_article
from knowledge.example_questions import (
    INTRO_KEY,
    MAX_PER_SECTION,
    QuestionsFieldError,
    check_question_text,
    fold_question,
    split_section_ref,
)
from knowledge.section_eval import SectionLabel

FIELD = "questions"


class _Indented(yaml.SafeDumper):
    """Lists indented under their key, the way the articles are written by hand."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


@dataclass
class AttachReport:
    """What attaching did: counts by outcome and the articles written."""

    added: int = 0
    already_listed: int = 0
    listed_elsewhere: int = 0
    section_full: int = 0
    unfit: int = 0
    not_tune: int = 0
    no_section: int = 0
    written: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the command's output."""
        return (
            f"attached {self.added} labelled tune questions to their sections in "
            f"{len(self.written)} articles; {self.already_listed} already listed, "
            f"{self.listed_elsewhere} listed under another section and {self.section_full} "
            f"aimed at a full section (left for an editor); {self.unfit} break the example "
            f"question rules (too long, Markdown); {self.no_section} tune questions "
            f"have no strictly answering section; {self.not_tune} held-out ones not attached"
        )


def _current(article: Article) -> dict[str, list[str]]:
    """The article's example questions by front-matter key, in the article's order."""
    out = {INTRO_KEY: list(article.intro_questions)} if article.intro_questions else {}
    out.update({s.heading: list(s.questions) for s in article.sections if s.questions})
    return out


def plan(
    labels: Sequence[SectionLabel],
    articles: Mapping[str, Article],
    every_section: bool = False,
    limit: int = MAX_PER_SECTION,
) -> tuple[dict[str, dict[str, list[str]]], AttachReport]:
    """The new ``questions`` field of every article that gains a question, and the counts.

    Each tune question goes to its first strict section (``every_section``: to each strict
    section; a second one in the same article is counted as listed elsewhere, since an article
    lists a question once).
    """
    report = AttachReport()
    fields = {a.id: _current(a) for a in articles.values()}
    changed: set[str] = set()
    for label in labels:
        if label.split != "tune":
            report.not_tune += bool(label.sections)
            continue
        if not label.sections:
            report.no_section += label.article_id is not None
            continue
        try:
            text = check_question_text(label.question)
        except QuestionsFieldError:
            report.unfit += 1
            continue
        folded = fold_question(text)
        refs = label.sections if every_section else label.sections[:1]
        for ref in refs:
            article_id, key = split_section_ref(ref)
            listed = fields[article_id]
            where = [k for k, items in listed.items() if folded in map(fold_question, items)]
            if key in where:
                report.already_listed += 1
            elif where:
                report.listed_elsewhere += 1
            elif len(listed.get(key, [])) >= limit:
                report.section_full += 1
            else:
                listed.setdefault(key, []).append(text)
                changed.add(article_id)
                report.added += 1
    return {a: fields[a] for a in sorted(changed)}, report


def _order(article: Article, listed: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """The sections in the article's own order (introduction first)."""
    keys = [INTRO_KEY, *(s.heading for s in article.sections)]
    return {k: list(listed[k]) for k in keys if listed.get(k)}


def with_questions(markdown: str, listed: Mapping[str, list[str]]) -> str:
    """``markdown`` with its ``questions`` block replaced by ``listed`` (other lines untouched)."""
    lines = markdown.split("\n")
    if not lines or lines[0].strip() != "---":
        raise ValueError("the article does not start with a front matter block")
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    start = next((i for i in range(1, end) if lines[i].startswith(f"{FIELD}:")), end)
    stop = start + 1
    while stop < end and (lines[stop].startswith((" ", "\t")) or not lines[stop].strip()):
        stop += 1
    data: dict[str, Any] = {FIELD: dict(listed)}
    block = yaml.dump(
        data, Dumper=_Indented, sort_keys=False, allow_unicode=True, width=10**6
    ).rstrip("\n")
    if start == end:  # no questions yet: the block goes last in the front matter
        return "\n".join([*lines[:end], block, *lines[end:]])
    return "\n".join([*lines[:start], block, *lines[stop:]])


def attach_labelled(
    articles_dir: Path,
    labels: Sequence[SectionLabel],
    articles: Mapping[str, Article],
    every_section: bool = False,
    limit: int = MAX_PER_SECTION,
) -> AttachReport:
    """Add the labelled tune questions to the article files in ``articles_dir``.

    Every changed article is parsed again (the same checks as any edit) before any file is
    written, so a problem leaves every file as it was.
    """
    fields, report = plan(labels, articles, every_section, limit)
    updated: dict[Path, str] = {}
    for article_id, listed in fields.items():
        article = articles[article_id]
        path = Path(articles_dir) / f"{article_id}.md"
        text = with_questions(path.read_text(encoding="utf-8"), _order(article, listed))
        parse_article(text, str(path))
        updated[path] = text
    for path, text in updated.items():
        path.write_text(text, encoding="utf-8")
        report.written.append(path.stem)
    return report
