"""The plain-language checker: readability, long sentences, passive voice, jargon."""

from __future__ import annotations

from editorial.markdown_doc import split_markdown
from editorial.plain_language import check_plain_language, count_syllables, jargon_terms


def kinds(body: str) -> list[str]:
    return [a.kind for a in check_plain_language(body).advice]


def test_plain_text_gets_no_advice() -> None:
    body = "## Pay your bill\n\nYou can pay online. We send a letter when we get your money.\n"
    report = check_plain_language(body)
    assert report.advice == [] and report.reading_ease is not None
    assert report.reading_ease >= 60 and report.sentences == 2


def test_long_sentence_with_line_number() -> None:
    long = " ".join(["word"] * 30) + "."
    report = check_plain_language(f"## A\n\n{long}\n", line_offset=10)
    advice = [a for a in report.advice if a.kind == "long_sentence"]
    assert len(advice) == 1 and advice[0].line == 13 and "30 words" in advice[0].message


def test_passive_voice_found_and_adjectives_left_alone() -> None:
    assert "passive" in kinds("## A\n\nYour form will be checked by the team.\n")
    assert "passive" in kinds("## A\n\nThe bin was not taken.\n")
    assert "passive" not in kinds("## A\n\nYou are married. We are interested.\n")


def test_jargon_with_plain_alternative() -> None:
    report = check_plain_language(
        "## A\n\nYou must commence the form prior to Monday, e.g. today.\n"
    )
    jargon = {a.message.split("'")[1]: a.suggestion for a in report.advice if a.kind == "jargon"}
    assert jargon == {"commence": "start", "prior to": "before", "e.g.": "for example"}


def test_hard_text_gets_readability_advice() -> None:
    body = (
        "## A\n\nNotwithstanding considerable administrative complications, applications "
        "necessitate comprehensive documentation substantiating eligibility.\n"
    )
    report = check_plain_language(body)
    assert report.reading_ease is not None and report.reading_ease < 30
    assert "readability" in [a.kind for a in report.advice]


def test_headings_code_and_lists_are_handled(missed_bin: str) -> None:
    _, body = split_markdown(missed_bin)
    report = check_plain_language(body)
    assert report.reading_band in ("easy to read", "plain")
    assert all(a.line for a in report.advice if a.kind != "readability")


def test_syllables_and_jargon_file() -> None:
    assert count_syllables("cat") == 1 and count_syllables("application") >= 4
    assert len(jargon_terms()) >= 30
