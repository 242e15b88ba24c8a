"""A question embedded for the crisis check is not embedded again by the search (issue 12:
one model call per turn fewer), and remembering it changes no answer."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge.answering import GuidanceService
from knowledge.embedding import Embedder

from .conftest import CountingEmbedder


def test_search_reuses_the_crisis_checks_vector(
    service_dirs: tuple[Path, Path], real_embedder: Embedder, service: GuidanceService
) -> None:
    counting = CountingEmbedder(real_embedder)
    articles, index = service_dirs
    fresh = GuidanceService.load(articles, index, embedder=counting)
    counting.reset()
    question = "my bin wasn't collected on Tuesday"
    vector = fresh.question_vector(question)  # what actions/guidance.py's crisis check does
    result = fresh.answer(question)
    assert counting.texts == [question]  # one model call for both, not two
    # The same vector as a fresh model call, and the same answer as a service that remembers
    # nothing of this question.
    assert np.array_equal(vector, real_embedder.embed([question])[0])
    plain = service.answer(question)
    assert result.status == plain.status
    assert (result.answer and result.answer.section) == (plain.answer and plain.answer.section)


def test_spacing_does_not_cost_a_second_model_call(
    service_dirs: tuple[Path, Path], real_embedder: Embedder
) -> None:
    """The crisis check sees the citizen's text as typed; the search cleans it first. Extra
    spaces or a tab must not make them two different texts to embed."""
    counting = CountingEmbedder(real_embedder)
    articles, index = service_dirs
    fresh = GuidanceService.load(articles, index, embedder=counting)
    counting.reset()
    typed = "  can I get a\tblue  badge? "
    fresh.question_vector(typed)
    fresh.answer(typed)
    assert counting.texts == ["can I get a blue badge?"]


def test_remembered_vectors_cannot_be_changed_by_a_caller(embedder: CountingEmbedder,
                                                         service: GuidanceService) -> None:
    kb = service.kb
    first = kb.embed_query("renew a passport")
    first[:] = 0.0  # a caller scribbling on its copy
    again = kb.embed_query("renew a passport")
    assert np.linalg.norm(again) > 0.5
