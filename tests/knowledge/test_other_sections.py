"""The other parts of an answered article, in the order offered (pure)."""

from __future__ import annotations

from knowledge.articles import parse_article
from knowledge.other_sections import other_sections, parts

ARTICLE = parse_article(
    """---
id: pay-council-tax
title: Pay your council tax
summary: Ways to pay.
url: https://www.millbrook.example/council-tax/pay
service_area: Council tax
owner: Revenues team
last_reviewed: 2026-09-14
status: published
language: en
---
You can pay council tax in several ways.

## Pay by Direct Debit

Set it up online.

## Pay online

Use your card.

## Pay by phone

Call us.

## If you cannot pay

Talk to us early.

## Paying in instalments

Ten or twelve.
""",
    "pay-council-tax.md",
)


def test_parts_are_the_introduction_then_each_section_in_order() -> None:
    assert [(p.anchor, p.label) for p in parts(ARTICLE)] == [
        ("", "Pay your council tax"),
        ("pay-by-direct-debit", "Pay by Direct Debit"),
        ("pay-online", "Pay online"),
        ("pay-by-phone", "Pay by phone"),
        ("if-you-cannot-pay", "If you cannot pay"),
        ("paying-in-instalments", "Paying in instalments"),
    ]


def test_the_ranked_parts_come_first_then_the_articles_order_without_the_quoted_one() -> None:
    """What must hold: ranked anchors first (unknown ones ignored, repeats dropped), then the
    article's order; the quoted part never; at most four."""
    offered = other_sections(
        ARTICLE, "pay-online", ["if-you-cannot-pay", "gone", "pay-online", "if-you-cannot-pay"]
    )
    assert [p.anchor for p in offered] == [
        "if-you-cannot-pay", "", "pay-by-direct-debit", "pay-by-phone"]
    assert [p.anchor for p in other_sections(ARTICLE, "")] == [
        "pay-by-direct-debit", "pay-online", "pay-by-phone", "if-you-cannot-pay"]
    assert other_sections(ARTICLE, "", ["pay-by-phone"])[0].to_dict() == {
        "anchor": "pay-by-phone", "label": "Pay by phone"}
