"""Example questions through the real gateway app, real Redis and the real retrieval service.

What must hold: the edit page can read each section's questions; a question attached from
"Try a question" lands in that section of a new draft version (nothing goes live until
published, then the live article carries it); a stale version is refused; bad input is refused
in plain words naming the page's label and changes nothing; a question attached from a content
gap is stored redacted and leaves the gaps page.
"""

from __future__ import annotations

from typing import Any

from editorial.gaps import record_gap

from .conftest import Editors


def attach(editors: Editors, article_id: str, **body: Any) -> Any:
    return editors.call("eddie", "POST", f"/api/editor/articles/{article_id}/questions", json=body)


def sections(editors: Editors, article_id: str) -> dict[str, list[str]]:
    response = editors.call("eddie", "GET", f"/api/editor/articles/{article_id}/sections")
    assert response.status_code == 200, response.text
    return {s["key"]: s["questions"] for s in response.json()["sections"]}


def test_sections_list_the_introduction_first_with_questions(editors: Editors) -> None:
    found = sections(editors, "missed-bin")
    assert next(iter(found)) == "(introduction)"
    assert "how do I report a missed bin" in found["Report a missed bin collection"]


def test_attach_from_try_a_question_then_publish(editors: Editors) -> None:
    runtime = editors.runtime
    question = "the lorry drove past my house without stopping"
    tried = editors.call("eddie", "POST", "/api/editor/try", json={"question": question})
    assert tried.status_code == 200
    head = editors.call("eddie", "GET", "/api/editor/articles/missed-bin").json()
    base = head["version"]["number"]
    response = attach(
        editors, "missed-bin", question=question, section="What happens next", base_version=base
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["version"]["number"] == base + 1
    assert data["attached"] == {
        "question": question,
        "section": "What happens next",
        "moved_from": None,
        "already_there": False,
    }
    assert question in sections(editors, "missed-bin")["What happens next"]
    assert data["article"]["unpublished_changes"] is True
    live = runtime.redis.hget(runtime.keys.published, "missed-bin") or ""
    assert question not in live  # a draft until published

    stale = attach(
        editors,
        "missed-bin",
        question="when is my bin day",
        section="What happens next",
        base_version=base,
    )
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"

    published = editors.call(
        "eddie", "POST", "/api/editor/articles/missed-bin/publish", json={"base_version": base + 1}
    )
    assert published.status_code == 200, published.text
    assert question in (runtime.redis.hget(runtime.keys.published, "missed-bin") or "")


def test_bad_attach_and_bad_questions_change_nothing(editors: Editors) -> None:
    before = editors.call("eddie", "GET", "/api/editor/articles/vehicle-tax").json()
    number = before["version"]["number"]
    unknown = attach(editors, "vehicle-tax", question="how much is tax", section="Opening times")
    assert unknown.status_code == 422
    assert "has no section “Opening times”" in unknown.json()["error"]["detail"]
    markdown = attach(
        editors, "vehicle-tax", question="see [here](https://x.example)", section="(introduction)"
    )
    assert markdown.status_code == 422
    assert "Questions each section answers" in markdown.json()["error"]["detail"]

    front = {**before["front_matter"], "questions": {"Opening times": ["when are you open"]}}
    saved = editors.call(
        "eddie",
        "PUT",
        "/api/editor/articles/vehicle-tax",
        json={"base_version": number, "front_matter": front, "body": before["body"]},
    )
    assert saved.status_code == 422
    problem = saved.json()["error"]["problems"][0]
    assert problem["message"].startswith("Questions each section answers")
    assert problem["field"] == "questions"
    after = editors.call("eddie", "GET", "/api/editor/articles/vehicle-tax").json()
    assert after["version"]["number"] == number


def test_attach_from_a_content_gap_is_redacted_and_leaves_the_gaps_page(editors: Editors) -> None:
    runtime = editors.runtime
    record_gap(
        runtime.redis,
        runtime.keys,
        "can I put my christmas tree out with the bins, call me on 07700 900123",
        "abstained",
        "conv-tree",
    )
    gaps = editors.call("eddie", "GET", "/api/editor/gaps").json()
    shown = [q for g in gaps["groups"] for q in g["questions"] if "christmas tree" in q]
    assert len(shown) == 1 and "07700" not in shown[0]
    response = attach(
        editors, "garden-waste", question=shown[0], section="(introduction)", from_gap=True
    )
    assert response.status_code == 200, response.text
    assert "07700" not in response.json()["attached"]["question"]
    again = editors.call("eddie", "GET", "/api/editor/gaps").json()
    assert not [q for g in again["groups"] for q in g["questions"] if "christmas tree" in q]
