"""The "did you mean" button's article id is checked by the article format's one rule (issue 15).

What must hold: ``action_choose_article`` looks up exactly the ids the article format accepts
(``knowledge.articles.valid_article_id``, the rule ``parse_article`` applies); any other id is
answered "I don't know that article" without touching the guidance service.
"""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

import actions.guidance as guidance_action
from actions.replies import reply
from knowledge.articles import MAX_ID_CHARS, ArticleError, parse_article
from tests.actions.fakes import make_tracker

IDS = [
    "missed-bin",
    "a" * MAX_ID_CHARS,
    "a" * (MAX_ID_CHARS + 1),
    "missed--bin",
    "missed-bin-",
    "-missed-bin",
    "Missed-bin",
    "missed_bin",
    "",
]
ARTICLE = """---
id: {id}
title: T
summary: S.
url: https://www.millbrook.example/t
service_area: A
owner: O
last_reviewed: 2026-01-01
status: published
language: en
---
Intro.

## Heading

Text.
"""


def format_accepts(article_id: str) -> bool:
    try:
        parse_article(ARTICLE.format(id=article_id), "t.md")
    except ArticleError:
        return False
    return True


@pytest.mark.parametrize("article_id", IDS)
async def test_the_action_looks_up_exactly_the_ids_the_format_accepts(
    article_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    looked_up: list[str] = []

    class Service:
        def answer_from(self, wanted: str, question: str, anchor: str | None = None) -> None:
            looked_up.append(wanted)
            return None

    monkeypatch.setattr(guidance_action, "get_guidance", Service)
    tracker = make_tracker(
        "/choose_article", "choose_article",
        slots={"last_question": "bins"},
        entities=[{"entity": "article_id", "value": article_id}],
    )
    dispatcher = CollectingDispatcher()
    await guidance_action.ActionChooseArticle().run(dispatcher, tracker, {})
    assert (looked_up == [article_id]) == format_accepts(article_id)
    unknown = reply("utter_article_unknown")["text"]
    assert [m["text"] for m in dispatcher.messages] == [unknown]
