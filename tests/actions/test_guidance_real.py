"""The guidance actions through the real knowledge service (real index, real embeddings),
and live guidance updates arriving over real Redis pub/sub."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from rasa_sdk.executor import CollectingDispatcher

from actions import resources
from actions.guidance import ActionChooseArticle, ActionGuidanceAnswer
from actions.knowledge_sync import start_knowledge_sync
from tests.actions.fakes import make_tracker

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The real GuidanceService over the repository's articles and index (not saved)."""
    from knowledge.answering import GuidanceService

    index_dir = ROOT / "var" / "index"
    if not (index_dir / "CURRENT").exists():
        index_dir = tmp_path_factory.mktemp("index")
    loaded = GuidanceService.load(ROOT / "knowledge" / "articles", index_dir, save=False)
    resources.set_guidance(loaded)
    yield loaded
    resources.set_guidance(None)


async def ask(text: str, **kwargs: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = await ActionGuidanceAnswer().run(dispatcher, make_tracker(text, **kwargs), {})
    return dispatcher.messages, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_clear_question_is_answered_with_its_source(service: Any) -> None:
    messages, slots = await ask("how do I book a bulky waste collection for my old sofa")
    assert slots["last_article_id"] == "bulky-waste"
    [source] = messages[0]["custom"]["sources"]
    assert source["url"].startswith("https://www.millbrook.example/bins/bulky-waste")
    assert 0 < source["score"] <= 1  # advisers see how sure retrieval was


async def test_a_chosen_article_is_answered_for_the_last_question(service: Any) -> None:
    """Did-you-mean buttons carry an article id; pressing one answers from that article.

    Whether to offer choices is decided by the calibrated gates in knowledge (tests/knowledge);
    here the button press is sent directly after a question, as the widget would.
    """
    messages, slots = await ask("permit for parking")
    assert messages and slots["last_question"] == "permit for parking"
    chosen = make_tracker(
        '/choose_article{"article_id": "visitor-parking-permit"}',
        "choose_article",
        slots={"last_question": slots["last_question"]},
        entities=[{"entity": "article_id", "value": "visitor-parking-permit"}],
    )
    dispatcher = CollectingDispatcher()
    await ActionChooseArticle().run(dispatcher, chosen, {})
    assert dispatcher.messages[0]["custom"]["sources"][0]["article_id"] == "visitor-parking-permit"


@pytest.mark.parametrize("article_id", ["no-such-article", "../../etc/passwd", ""])
async def test_forged_article_ids_are_refused(service: Any, article_id: str) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "/choose_article",
        "choose_article",
        entities=[{"entity": "article_id", "value": article_id}],
    )
    events = await ActionChooseArticle().run(dispatcher, tracker, {})
    assert "couldn't find that page" in dispatcher.messages[0]["text"]
    assert events == []


async def test_unrelated_question_abstains(service: Any) -> None:
    messages, slots = await ask("what's the capital of Peru")
    assert messages[0]["custom"] == {"abstained": True}
    assert slots["failed_attempts"] == 1.0


async def test_published_update_reaches_answers(service: Any, redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    prefix = f"t{uuid.uuid4().hex[:8]}:"
    live = start_knowledge_sync(service, client, prefix)
    markdown = (ROOT / "knowledge/articles/bulky-waste.md").read_text(encoding="utf-8")
    marker = "Zebra crossings are painted by the highways team, not the bulky waste crew."
    updated = markdown.replace(
        "## What we can collect", f"## Zebra crossings\n\n{marker}\n\n## What we can collect"
    ).replace(  # a new section comes with the questions it answers, as the editor asks for
        "questions:\n",
        "questions:\n  Zebra crossings:\n    - who paints the zebra crossing lines\n",
        1,
    )
    client.publish(
        f"{prefix}knowledge:events",
        json.dumps({"op": "upsert", "article_id": "bulky-waste", "markdown": updated}),
    )
    deadline = time.monotonic() + 60
    text = ""
    while time.monotonic() < deadline:
        messages, _ = await ask("who paints zebra crossings")
        text = messages[0].get("text") or ""
        if "Zebra crossings are painted" in text:
            break
        time.sleep(0.5)
    assert "Zebra crossings are painted" in text
    # put the file version back for the other tests of this module
    live.stop()
    service.upsert_markdown(markdown)


def test_semantic_crisis_check_embeds_with_the_model_it_was_fitted_on(service: Any) -> None:
    """The crisis check's thresholds hold only for the model ``similarity.json`` names: it must
    embed with that model; when that is the search's own (tuned) model it reuses the search's
    vector, so a question costs one model call; and it flags a crisis message written around
    the patterns."""
    import numpy as np

    from knowledge.embedding import load_embedder
    from safety.detection import detect_safety_concern
    from safety.similarity import fitted_model

    check = resources.get_crisis_similarity()
    assert check is not None and getattr(service.embedder, "model", None) == "tuned"
    fitted = load_embedder(ROOT / "var" / "onnx-cache", model=fitted_model())
    text = "everyone would be better off if i wasnt here any more"
    assert np.allclose(check.vector_of(text), fitted.embed([text])[0], atol=1e-5)
    if fitted_model() == "tuned":
        assert check.vector_of == service.question_vector  # shared, not a second model
    assert detect_safety_concern(text) is None and check.level(text) == "crisis"
