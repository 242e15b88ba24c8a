"""What a citizen can read in each GOV.UK schema, as an introduction and ``##`` sections.

One function per schema turns ``details`` into :class:`Content`. Where the source carries
questions (a simple smart answer's questions), they become the section's example questions.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from knowledge.example_questions import MAX_PER_SECTION
from knowledge.importers.govuk_markdown import (
    Block,
    absolute_https,
    html_to_markdown,
    plain_text,
    split_sections,
)
from knowledge.importers.writing import ImportError_

MAX_EXAMPLE_QUESTIONS = MAX_PER_SECTION  # the article format's own limit


@dataclass
class Content:
    """An item's readable text: the introduction, the sections, and notes for the report."""

    intro: str
    blocks: list[Block]
    notes: list[str] = field(default_factory=list)


def _html(details: dict[str, Any], key: str, url: str, shift: int = 0) -> Content:
    intro, blocks = split_sections(html_to_markdown(details.get(key), url, shift))
    return Content(intro, blocks)


def _link_line(label: str, target: object, where: object) -> str:
    link = absolute_https(target, "https://www.gov.uk/") if isinstance(target, str) else None
    if not link:
        return ""
    suffix = f" (on {' '.join(str(where).split())})" if where else ""
    return f"[{label}]({link}){suffix}"


def _parts(details: dict[str, Any], url: str, source: str) -> Content:
    parts = details.get("parts") or []
    if not isinstance(parts, list):
        raise ImportError_(f"{source}: 'details.parts' must be a list")
    blocks = []
    for number, part in enumerate(parts, start=1):
        if not isinstance(part, dict) or not part.get("title"):
            raise ImportError_(f"{source}: part {number} has no title")
        text = html_to_markdown(part.get("body"), f"{url}/{part.get('slug', '')}", 1)
        blocks.append(Block(" ".join(str(part["title"]).split()), text))
    return Content("", [b for b in blocks if b.text])


def guide(details: dict[str, Any], url: str, source: str) -> Content:
    """``guide``: each part is a section."""
    return _parts(details, url, source)


def body_only(details: dict[str, Any], url: str, source: str) -> Content:
    """``answer``, ``help_page``, ``detailed_guide``, ``service_manual_guide``: the body."""
    return _html(details, "body", url)


def transaction(details: dict[str, Any], url: str, source: str) -> Content:
    """``transaction``: introduction, start link, then what you need and other ways to apply."""
    content = _html(details, "introductory_paragraph", url)
    start = _link_line(
        str(details.get("start_button_text") or "Start now"),
        details.get("transaction_start_link"),
        details.get("will_continue_on"),
    )
    content.intro = "\n\n".join(t for t in (content.intro, start) if t)
    for key, heading in (
        ("what_you_need_to_know", "What you need"),
        ("other_ways_to_apply", "Other ways to apply"),
        ("more_information", "What you need"),
    ):
        intro, blocks = split_sections(html_to_markdown(details.get(key), url))
        if intro:
            content.blocks.append(Block(heading, intro))
        content.blocks += blocks
    return content


def local_transaction(details: dict[str, Any], url: str, source: str) -> Content:
    """``local_transaction``: introduction, what you need to know, more information."""
    content = _html(details, "introduction", url)
    need = html_to_markdown(details.get("need_to_know"), url)
    if need:
        content.blocks.append(Block("What you need to know", need))
    intro, blocks = split_sections(html_to_markdown(details.get("more_information"), url))
    if intro:
        if content.blocks:
            content.blocks[-1].text += "\n\n" + intro
        else:
            content.intro = "\n\n".join(t for t in (content.intro, intro) if t)
    content.blocks += blocks
    return content


def licence(details: dict[str, Any], url: str, source: str) -> Content:
    """``licence``: the overview's sections; the online application link goes under How to apply."""
    content = _html(details, "licence_overview", url)
    if not content.intro:
        content.intro = " ".join(str(details.get("licence_short_description") or "").split())
    apply = _link_line(
        "Apply for this licence", details.get("continuation_link"), details.get("will_continue_on")
    )
    if apply:
        target = next((b for b in content.blocks if b.heading.lower() == "how to apply"), None)
        if target is None:
            content.blocks.insert(0, Block("How to apply", apply))
        else:
            target.text += "\n\n" + apply
    return content


def travel_advice(details: dict[str, Any], url: str, source: str) -> Content:
    """``travel_advice``: the summary (with any alert) as the introduction, each part a section."""
    content = _parts(details, url, source)
    summary = html_to_markdown(details.get("summary"), url)
    alerts = [str(a).replace("-", " ") for a in details.get("alert_status") or [] if a]
    alert = f"Travel alert: {', '.join(alerts)}." if alerts else ""
    content.intro = "\n\n".join(t for t in (alert, summary) if t)
    return content


def place(details: dict[str, Any], url: str, source: str) -> Content:
    """``place``: how to find the nearest office and what to bring; the finder is on GOV.UK."""
    content = _html(details, "introduction", url)
    content.blocks.insert(
        0,
        Block(
            "Find the nearest one",
            f"Enter your postcode on [the GOV.UK finder]({url}) to see the nearest office "
            "and how to contact it.",
        ),
    )
    for key, heading in (("need_to_know", "What you need to know"), ("more_information", "")):
        intro, blocks = split_sections(html_to_markdown(details.get(key), url))
        if intro:
            content.blocks.append(Block(heading or "Where the offices are", intro))
        content.blocks += blocks
    return content


def _paths(nodes: dict[str, dict[str, Any]], first: str) -> dict[str, list[tuple[str, str]]]:
    """For every reachable node, the shortest list of (question, answer) that leads to it."""
    paths: dict[str, list[tuple[str, str]]] = {first: []}
    queue = deque([first])
    while queue:
        slug = queue.popleft()
        node = nodes[slug]
        for option in node.get("options") or []:
            target = option.get("next_node") if isinstance(option, dict) else None
            if target in nodes and target not in paths:
                paths[target] = paths[slug] + [(str(node.get("title")), str(option.get("label")))]
                queue.append(target)
    return paths


def simple_smart_answer(details: dict[str, Any], url: str, source: str) -> Content:
    """``simple_smart_answer``: the questions as one section, each reachable outcome as another.

    Each outcome says which answers lead to it, so a citizen reading only that section knows
    whether it applies to them. Outcomes no answer leads to are left out (and noted).
    """
    content = _html(details, "body", url)
    raw = details.get("nodes") or []
    if not isinstance(raw, list) or not raw:
        raise ImportError_(f"{source}: a simple smart answer needs 'details.nodes'")
    nodes = {str(n.get("slug")): n for n in raw if isinstance(n, dict) and n.get("slug")}
    questions = [n for n in raw if isinstance(n, dict) and n.get("kind") == "question"]
    if not questions:
        raise ImportError_(f"{source}: the simple smart answer has no question")
    paths = _paths(nodes, str(questions[0]["slug"]))
    titles = {slug: plain_text(n.get("title")) for slug, n in nodes.items()}
    lines = [f"Answer the questions on [GOV.UK]({url}) to get your answer. The questions are:"]
    for number, node in enumerate(questions, start=1):
        lines.append(f"\n{number}. {titles[str(node['slug'])]}")
        for option in node.get("options") or []:
            target = str(option.get("next_node"))
            then = "next question" if nodes.get(target, {}).get("kind") == "question" else ""
            lines.append(f"   - {option.get('label')}: {then or titles.get(target, target)}")
    asked = [t for t in (titles[str(q["slug"])] for q in questions) if 3 <= len(t) <= 200]
    content.blocks.append(
        Block("Questions you will be asked", "\n".join(lines), asked[:MAX_EXAMPLE_QUESTIONS])
    )
    outcomes = [s for s, n in nodes.items() if n.get("kind") == "outcome"]
    shared = [titles[s] for s in outcomes if s in paths]
    for slug in outcomes:
        if slug not in paths:
            content.notes.append(f"outcome '{titles[slug]}' ({slug}) is not reachable: left out")
            continue
        heading, answers = titles[slug], paths[slug]
        if shared.count(heading) > 1 and answers:
            heading = f"{heading} (if you answered {answers[-1][1]})"
        node = nodes[slug]
        applies = "; ".join(f"{q} {a}" for q, a in answers)
        text = html_to_markdown(node.get("body"), url, 1)
        intro = f"This applies if you answered: {applies}." if applies else ""
        content.blocks.append(Block(heading, "\n\n".join(t for t in (intro, text) if t)))
    return content


Builder = Callable[[dict[str, Any], str, str], Content]
BUILDERS: dict[str, Builder] = {
    "guide": guide,
    "answer": body_only,
    "help_page": body_only,
    "detailed_guide": body_only,
    "service_manual_guide": body_only,
    "transaction": transaction,
    "local_transaction": local_transaction,
    "licence": licence,
    "simple_smart_answer": simple_smart_answer,
    "travel_advice": travel_advice,
    "place": place,
}
SUPPORTED = tuple(BUILDERS)
