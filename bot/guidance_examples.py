"""Guidance-shaped training examples for the NLU's ``ask_question`` intent, from the articles.

Each guidance section lists the questions residents ask that it answers (the ``questions:``
front matter of ``knowledge/articles/*.md``, written from the article text; ADR 0504). They
show exactly what a guidance question looks like, in far more shapes than the hand-written
``ask_question`` examples in ``bot/data/nlu.yml``: bare topics ("bulky waste collection",
"dfg means test"), acronyms, misspellings, "how much / when / can I" questions. Without them
the classifier took many of them for ``report_missed_bin``, ``out_of_scope``, ``stop`` or
``other_language`` (ADR 0200, "Later").

They are generated when the model is trained, so the articles are their one owner:
``stack/model.py`` passes this module's output to ``rasa train`` as an extra data file and
counts it in the model's hash (a changed example question retrains the model). To see them:

    .venv/bin/python -m bot.guidance_examples

A question is left out when it is meant as another intent by the same checks the NLU gate
applies (``actions.intent_checks``, ``safety``): a missed-bin report ("my bin wasn't
emptied"), a request for a person or a call back, small talk, a crisis phrase, Welsh; and
when it is already a training example (``bot/data/nlu.yml``) or a sentence of the NLU
held-out set (``tests/bot/nlu_heldout.yml``), which must stay unseen. Questions with a risk
word but no crisis phrase ("I live alone", "kicked out") stay in: they teach the classifier
that such words occur in ordinary questions. Runs on the app's Python (3.11), like the
launcher.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import yaml

from actions.intent_checks import asks_for_person, is_small_talk, reports_missed_bin
from actions.welsh import looks_welsh
from knowledge.articles import Article, load_articles
from safety.detection import detect_safety_concern

ROOT = Path(__file__).resolve().parents[1]
FILE_NAME = "nlu_guidance.yml"
ARTICLES = Path("knowledge") / "articles"
TRAINING = Path("bot") / "data" / "nlu.yml"
HELDOUT = Path("tests") / "bot" / "nlu_heldout.yml"
INTENT = "ask_question"

_CALL_BACK = re.compile(r"\bcall ?backs?\b|\bcall(?:ed)? back\b", re.IGNORECASE)
# Rasa reads [text](entity), {...} and a leading "/" as markup: such lines are not examples.
_MARKUP = re.compile(r"[\[\]{}()]|^\s*/")


def meant_as_another_intent(text: str) -> bool:
    """True when the NLU gate would let another intent stand for ``text`` (leave it out)."""
    return (
        reports_missed_bin(text)
        or asks_for_person(text)
        or bool(_CALL_BACK.search(text))
        or is_small_talk(text)
        or detect_safety_concern(text) is not None
        or looks_welsh(text)
    )


def nlu_sentences(path: Path) -> set[str]:
    """Every example sentence (lower case) of a Rasa NLU file, whatever its intent."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        line.strip()[2:].strip().lower()
        for block in data.get("nlu") or []
        if block.get("intent")
        for line in str(block.get("examples") or "").splitlines()
        if line.strip().startswith("- ")
    }


def section_questions(article: Article) -> Iterable[tuple[str, ...]]:
    """An article's example questions, section by section, introduction first, as written."""
    yield article.intro_questions
    for section in article.sections:
        yield section.questions


def guidance_examples(articles: Mapping[str, Article], exclude: set[str]) -> list[str]:
    """Every example question of every published article that is a guidance question.

    Deterministic: articles by id, questions in the order written, each text once. All of
    them, not a sample: fewer per section (4 or 8) let the classifier's ``safety_concern``
    stay confident on ordinary questions (ADR 0200, "Later").
    """
    seen = set(exclude)
    chosen: list[str] = []
    for article_id in sorted(articles):
        article = articles[article_id]
        if not article.searchable:
            continue
        for questions in section_questions(article):
            for question in questions:
                text = re.sub(r"\s+", " ", question).strip()
                key = text.lower()
                if not text or key in seen or _MARKUP.search(text):
                    continue
                seen.add(key)
                if not meant_as_another_intent(text):
                    chosen.append(text)
    return chosen


def render(examples: list[str]) -> str:
    """The Rasa NLU file for ``examples`` (YAML, one ``ask_question`` block)."""
    header = (
        "# Generated at training time by bot/guidance_examples.py from the articles' example\n"
        "# questions (knowledge/articles/*.md, front matter `questions:`).\n"
    )
    lines = ['version: "3.1"', "", "nlu:", f"- intent: {INTENT}", "  examples: |"]
    lines += [f"    - {text}" for text in examples]
    return header + "\n".join(lines) + "\n"


def sources(root: Path = ROOT) -> list[Path]:
    """The files the generated examples are made from (articles, training and held-out data)."""
    return [*sorted((root / ARTICLES).glob("*.md")), root / TRAINING, root / HELDOUT]


def build(root: Path = ROOT) -> str:
    """The training file for the articles of the repository at ``root``."""
    exclude = nlu_sentences(root / TRAINING) | nlu_sentences(root / HELDOUT)
    return render(guidance_examples(load_articles(root / ARTICLES), exclude))


def main() -> int:
    """Print the generated training file (and, on stderr, how many examples it holds)."""
    text = build()
    sys.stdout.write(text)
    count = sum(1 for line in text.splitlines() if line.startswith("    - "))
    print(f"{FILE_NAME}: {count} {INTENT} examples", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
