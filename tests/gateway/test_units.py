"""Pure functions: ETA from history, opening hours, Rasa output parsing, tracker context."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from gateway.bot_replies import parse_output
from gateway.errors import ApiError, clean_text
from gateway.handoff.eta import estimate_wait
from gateway.handoff.schedule import OpeningSchedule
from gateway.ids import is_conversation_id, new_conversation_id

HOUR_MS = 3600 * 1000


def test_eta_defaults_without_history() -> None:
    assert estimate_wait([], 3, now_ms=10 * HOUR_MS, history_ms=HOUR_MS,
                         default_per_person=300) == 900


def test_eta_uses_recent_waits_per_place() -> None:
    now = 10 * HOUR_MS
    claims = [f"{now - 60_000}:120000:2", f"{now - 30_000}:60000:1",
              f"{now - 10_000}:90000:1", f"{now - 5 * HOUR_MS}:999999:1", "garbage"]
    # per-place waits: 60, 60, 90 s (the five-hour-old claim is ignored) → median 60 s
    assert estimate_wait(claims, 4, now, history_ms=HOUR_MS, default_per_person=300) == 240


def test_schedule_weekly_and_bank_holidays() -> None:
    schedule = OpeningSchedule(weekly={"mon": [("09:00", "17:00")], "sat": [("10:00", "12:00")]},
                               bank_holidays=frozenset({date(2026, 12, 28)}),
                               timezone="Europe/London")
    assert schedule.is_open(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday 9:00 GMT
    assert not schedule.is_open(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert not schedule.is_open(datetime(2026, 11, 29, 10, 0, tzinfo=UTC))  # Sunday
    assert schedule.is_open(datetime(2026, 12, 5, 11, 59, tzinfo=UTC))  # Saturday
    assert not schedule.is_open(datetime(2026, 12, 28, 10, 0, tzinfo=UTC))  # bank holiday Monday
    summer = OpeningSchedule(weekly={"mon": [("09:00", "17:00")]}, bank_holidays=frozenset(),
                             timezone="Europe/London")
    assert summer.is_open(datetime(2026, 6, 1, 8, 30, tzinfo=UTC))  # 09:30 BST


def test_schedule_validation() -> None:
    with pytest.raises(ValueError):
        OpeningSchedule.from_json({"weekly": {"funday": []}}, "Europe/London")
    with pytest.raises(ValueError):
        OpeningSchedule.from_json({"weekly": {"mon": [["12:00", "11:00"]]}}, "Europe/London")
    with pytest.raises(KeyError):
        OpeningSchedule.from_json({"weekly": {}, "timezone": "Mars/Olympus"}, "Europe/London")


def test_parse_output_groups_text_buttons_sources_and_signals() -> None:
    output = parse_output([
        {"recipient_id": "x", "text": "Here is what I found.",
         "buttons": [{"title": "Yes", "payload": "/affirm"}, {"bad": 1}]},
        {"recipient_id": "x", "custom": {"sources": [{"title": "A", "url": "https://a#b"},
                                                     {"nope": True}]}},
        {"recipient_id": "x", "custom": {"abstained": True}},
        {"recipient_id": "x", "text": "  "},
        {"recipient_id": "x", "custom": {"handoff": {"reason": "failed", "priority": False,
                                                     "topic": "bins"}}},
        "junk",  # type: ignore[list-item]
    ])
    [draft] = output.drafts
    assert draft.text == "Here is what I found."
    assert [b.payload for b in draft.buttons] == ["/affirm"]
    assert [s.url for s in draft.sources] == ["https://a#b"]
    assert output.abstained and output.handoff == {"reason": "failed", "priority": False,
                                                   "topic": "bins"}
    assert not output.about_answer
    remark = parse_output([{"custom": {"abstained": True, "about_answer": True}}])
    assert remark.abstained and remark.about_answer


def test_sources_before_text_attach_to_the_next_text() -> None:
    output = parse_output([{"custom": {"sources": [{"title": "A", "url": "u"}]}},
                           {"text": "Answer"}])
    assert output.drafts[0].sources[0].title == "A"


def test_clean_text() -> None:
    assert clean_text("  hi\x00 there\n ", 10) == "hi there"
    for value, code in [("", "empty"), ("\x01\x02", "empty"), ("x" * 11, "too_long"),
                        (None, "not_text"), (3, "not_text")]:
        with pytest.raises(ApiError) as caught:
            clean_text(value, 10)
        assert caught.value.code == code


def test_conversation_ids() -> None:
    cid = new_conversation_id()
    assert is_conversation_id(cid) and len(cid) == 32
    assert not is_conversation_id("00000000000000000000000000000001!")
    assert not is_conversation_id(12)


def test_a_pick_of_another_part_is_read_from_its_payload_and_the_quote() -> None:
    """What must hold: only the "another part" button's payload, answered with a quote from
    that article, names a part (the introduction when its anchor is empty); a "did you mean"
    pick, typed text, broken JSON or a quote from another article name none."""
    from gateway.bot_replies import picked_section
    from gateway.schemas import Message, Source

    def reply(article_id: str, heading: str) -> list[Message]:
        source = Source(title="Apply for a Blue Badge", url="https://x.example/b#h",
                        heading=heading, article_id=article_id)
        return [Message(id="1-0", role="bot", text="…", ts=1.0, sources=[source])]

    quoted = reply("blue-badge", "Who else can apply for a Blue Badge")
    pick = '/choose_article{"article_id": "blue-badge", "section": "who-else-can-apply"}'
    assert picked_section(pick, quoted) == (
        "blue-badge", "blue-badge#Who else can apply for a Blue Badge")
    intro = '/choose_article{"article_id": "blue-badge", "section": ""}'
    assert picked_section(intro, reply("blue-badge", "Apply for a Blue Badge")) == (
        "blue-badge", "blue-badge#(introduction)")
    for text in ('/choose_article{"article_id": "blue-badge"}', "blue badge",
                 '/choose_article{"article_id": "blue-badge", "section": ', "/not_what_i_asked"):
        assert picked_section(text, quoted) is None, text
    assert picked_section(pick, reply("libraries", "Join")) is None
    assert picked_section(pick, []) is None
