"""Every instance learns of a publish, and edits survive a restart (ADR 0500, 0501).

Two editor runtimes on the same real Redis stand for two running gateway instances, each with
its own retrieval service; a third one started afterwards stands for a restart.
What must hold: an article published through instance A is searchable in instance B within
2 seconds without restarting B; a retired article leaves B's answers at once; a runtime started
later has the editor's versions and serves the published text (overlay over the files).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from editorial.store import ArticleStore
from gateway.editor.runtime import EditorRuntime, start_editor
from gateway.settings import Settings

pytestmark = pytest.mark.slow

SECTION = (
    "\n## Keeping hens at home\n\nYou can keep up to 6 hens in your back garden without "
    "asking us. You do not need a licence for hens.\n"
)
QUESTION = "can I keep hens in my back garden"


def headings(runtime: EditorRuntime, question: str) -> list[str]:
    return [c.heading for c in runtime.guidance.search(question, 5).results]


def wait_until(predicate: Any, seconds: float) -> float:
    started = time.monotonic()
    while not predicate():
        assert time.monotonic() - started < seconds, f"not true within {seconds} s"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture(scope="module")
def two_instances(editor_settings: Settings) -> Iterator[tuple[EditorRuntime, EditorRuntime]]:
    a = start_editor(editor_settings, background=False)
    b = start_editor(editor_settings, background=False)
    assert a.guidance is not None and b.guidance is not None, (a.load_error, b.load_error)
    try:
        yield a, b
    finally:
        a.stop()
        b.stop()


def test_publish_reaches_the_other_instance_and_survives_restart(
    two_instances: tuple[EditorRuntime, EditorRuntime], editor_settings: Settings
) -> None:
    a, b = two_instances
    store: ArticleStore = a.store
    head = store.head("bulky-waste")
    store.save("bulky-waste", head.markdown.rstrip("\n") + "\n" + SECTION, head.number, "Eddie")
    assert "Keeping hens at home" not in headings(b, QUESTION)
    store.publish("bulky-waste", head.number + 1, "Eddie")
    took = wait_until(lambda: "Keeping hens at home" in headings(b, QUESTION), 2.0)
    assert took < 2.0

    restarted = start_editor(editor_settings, background=False)
    try:
        assert restarted.store.get("bulky-waste").head_version == head.number + 2
        assert "Keeping hens at home" in restarted.store.head("bulky-waste").markdown
        assert "Keeping hens at home" in headings(restarted, QUESTION)
    finally:
        restarted.stop()

    state = store.get("bulky-waste")
    store.retire("bulky-waste", state.head_version, "Eddie")
    wait_until(
        lambda: all(
            c.article_id != "bulky-waste"
            for c in b.guidance.search("book a bulky waste collection", 5).results
        ),
        2.0,
    )


def answered_from(runtime: EditorRuntime, question: str) -> tuple[str | None, str | None]:
    """(article id, heading) of the section the assistant quotes, or (None, None)."""
    answer = runtime.guidance.answer(question).answer
    return (answer.article_id, answer.heading) if answer is not None else (None, None)


def test_a_question_that_missed_is_answered_from_its_section_once_attached(
    two_instances: tuple[EditorRuntime, EditorRuntime],
) -> None:
    """Issue 10 item 4, the loop closing through the real parts (Redis, index, both instances).

    A resident's question is quoted from one section; the editor attaches it to a different
    section of the same article (the one that should answer), saves and publishes. What must
    hold: within 2 seconds both instances answer it from the chosen section. The target is
    chosen as a section that does not answer it now, so the test shows a real change whatever
    the example questions in the files say.
    """
    from editorial.example_questions import add_question
    from editorial.validation import check_article

    a, b = two_instances
    candidates = (
        "who do I ring if the lamp post outside my house keeps flickering",
        "the street light outside my house is broken",
        "my bin was not collected yesterday",
        "how do I renew my passport",
    )
    answered = [(q, answered_from(a, q)) for q in candidates]
    question, (article_id, heading) = next(
        ((q, found) for q, found in answered if found[0] is not None), (candidates[0], (None, None))
    )
    assert article_id is not None, f"none of the questions is answered: {answered}"
    assert answered_from(b, question) == (article_id, heading)
    head = a.store.head(article_id)
    parsed = check_article(head.markdown, article_id).parsed
    target = next(  # another section, with room for one more example question
        s.heading for s in parsed.sections if s.heading != heading and len(s.questions) < 12
    )

    added = add_question(head.markdown, target, question)
    check_article(added.markdown, article_id)
    saved = a.store.save(article_id, added.markdown, head.number, "Eddie", "attached")
    assert answered_from(b, question) == (article_id, heading)  # a draft changes nothing
    a.store.publish(article_id, saved.head_version, "Eddie")
    wait_until(lambda: answered_from(b, question) == (article_id, target), 2.0)
    wait_until(lambda: answered_from(a, question) == (article_id, target), 2.0)
