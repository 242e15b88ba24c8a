"""Ask the running assistant questions the way a citizen does, and say what came back.

Each question goes into a fresh conversation through the gateway's citizen HTTP API
(gateway → Rasa → action server → knowledge), and the bot's replies to that one turn are
classified:

* ``answer``: a reply quoting a guidance section (it has a source); the section is
  ``article-id#Heading`` (``#(introduction)`` when the source URL has no fragment);
* otherwise why there is no source, from which reply template the text came from:
  ``crisis``, ``did_you_mean``, ``form``, ``fallback``, ``out_of_scope``, ``handoff``,
  ``restarted`` or ``other``.

Reply templates are read from ``bot/domain.yml`` and ``bot/replies.yml`` (the only places
reply texts live), so renaming a reply there needs no change here.

Used by ``benchmarks/answer_quality_live.py`` and its small slice in the test suite.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parents[1]
INTRO = "(introduction)"
HELPLINES_NOTE = "utter_helplines_note"  # bot/replies.yml

# Reply name fragments -> kind, first match wins (names are Rasa response names).
_KIND_RULES: tuple[tuple[str, str], ...] = (
    ("safety", "crisis"),
    ("handoff_priority", "crisis"),
    ("did_you_mean", "did_you_mean"),
    ("restarted", "restarted"),
    ("ask_rephrase", "fallback"),
    ("guidance_abstain", "fallback"),
    ("default", "fallback"),
    ("sorry_try_again", "fallback"),
    ("guidance_unavailable", "fallback"),
    ("_start", "form"),
    ("utter_ask_", "form"),
    ("invalid", "form"),
    ("out_of_scope", "out_of_scope"),
    ("iamabot", "out_of_scope"),
    ("greet", "out_of_scope"),
    ("goodbye", "out_of_scope"),
    ("welcome", "out_of_scope"),
    ("other_language", "out_of_scope"),
    ("capabilities", "out_of_scope"),  # what the assistant can do
    ("adviser", "handoff"),
    ("callback", "handoff"),
    ("handoff", "handoff"),
)


def reply_kind(name: str) -> str:
    """The kind of a reply template, from its name."""
    for fragment, kind in _KIND_RULES:
        if fragment in name:
            return kind
    return "other"


def _template_pattern(text: str) -> re.Pattern[str]:
    parts = re.split(r"\{[^{}]*\}", " ".join(text.split()))
    return re.compile(r"^" + r"(.*)".join(re.escape(p) for p in parts) + r"$", re.S)


def load_templates(root: Path = ROOT) -> list[tuple[str, re.Pattern[str]]]:
    """Every reply text variation in the bot's domain and replies files, as patterns."""
    out: list[tuple[str, re.Pattern[str]]] = []
    for name in ("domain.yml", "replies.yml"):
        path = root / "bot" / name
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for reply, variations in (data.get("responses") or {}).items():
            for variation in variations or []:
                text = (variation or {}).get("text")
                if text:
                    out.append((str(reply), _template_pattern(text)))
    # Longest literal first, so a template that is all field ("{extract}") matches last.
    out.sort(key=lambda item: -len(re.sub(r"\(\.\*\)|\\", "", item[1].pattern)))
    return out


@dataclass(frozen=True)
class Outcome:
    """What the citizen saw for one question."""

    question: str
    kind: str
    section: str | None
    replies: tuple[str, ...]
    texts: tuple[str, ...]
    # With ``one_tap``: the parts offered after "That's not what I asked" (``article-id#Heading``).
    offered: tuple[str, ...] = ()

    @property
    def helplines_note(self) -> bool:
        """The reply carried the helplines beside it (the crisis check was unsure; ADR 0202,
        twenty-third round). Not a crisis reply: ``kind`` says what the reply was."""
        return HELPLINES_NOTE in self.replies

    @property
    def helplines_shown(self) -> bool:
        """The citizen saw the helplines: the crisis reply, or the note beside another reply."""
        return self.kind == "crisis" or self.helplines_note


def source_section(source: dict[str, Any]) -> str | None:
    """``article-id#Heading`` for a message source (introduction when the URL has no ``#``)."""
    article_id = source.get("article_id")
    if not article_id:
        return None
    heading = source.get("heading") if "#" in str(source.get("url", "")) else INTRO
    return f"{article_id}#{heading}"


def classify(
    question: str, messages: Sequence[dict[str, Any]], templates: list[tuple[str, re.Pattern[str]]]
) -> Outcome:
    """Classify the bot's replies to one question."""
    names: list[str] = []
    section = None
    for message in messages:
        if message.get("role") not in ("bot", "system"):
            continue
        for source in message.get("sources") or []:
            section = section or source_section(source)
        text = " ".join(str(message.get("text", "")).split())
        names.append(next((n for n, p in templates if p.match(text)), "unknown"))
    if section is not None:
        kind = "answer"
    else:
        kinds = [reply_kind(n) for n in names]
        order = ("crisis", "restarted", "form", "did_you_mean", "handoff", "fallback")
        kind = next((k for k in order if k in kinds), None) or (
            "out_of_scope" if "out_of_scope" in kinds else "other"
        )
    texts = tuple(str(m.get("text", "")) for m in messages if m.get("role") != "citizen")
    return Outcome(question, kind, section, tuple(names), texts)


NOT_WHAT_I_ASKED = "/not_what_i_asked"  # the answer's own button


def offered_parts(messages: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The parts a reply offers as buttons (the gateway's ``section_pick`` reads each payload),
    as ``article-id#Heading`` (the button's title; ``#(introduction)`` for an empty anchor)."""
    from gateway.bot_replies import section_pick

    parts = []
    for message in messages:
        for button in message.get("buttons") or []:
            pick = section_pick(str(button.get("payload", "")))
            if pick is not None:
                parts.append(f"{pick[0]}#{button.get('title') if pick[1] else INTRO}")
    return tuple(parts)


async def ask(
    client: httpx.AsyncClient,
    question: str,
    templates: list[tuple[str, re.Pattern[str]]],
    opener: str | None = None,
    one_tap: bool = False,
) -> Outcome:
    """One question in a fresh conversation; the replies to that turn.

    With ``opener`` (a button payload that starts a form, such as ``/report_missed_bin``), the
    conversation first sends it and the question is typed as the answer to the form's first
    question, as a citizen mid-form would. If the opener did not start a form, the outcome's
    kind is ``no_form`` (the question was not asked). With ``one_tap``, an answered question
    is followed by "That's not what I asked", and the parts then offered are kept."""
    created = await client.post("/api/conversations", json={})
    created.raise_for_status()
    conversation = created.json()["conversation_id"]

    async def post(text: str) -> list[dict[str, Any]]:
        sent = await client.post(
            f"/api/conversations/{conversation}/messages",
            json={"text": text, "client_id": secrets.token_hex(8)},
        )
        sent.raise_for_status()
        messages: list[dict[str, Any]] = sent.json().get("messages", [])
        return messages

    async def send(text: str) -> Outcome:
        return classify(text, await post(text), templates)

    if opener is not None and (await send(opener)).kind != "form":
        return Outcome(question, "no_form", None, (), ())
    outcome = await send(question)
    if one_tap and outcome.kind == "answer":
        outcome = replace(outcome, offered=offered_parts(await post(NOT_WHAT_I_ASKED)))
    return outcome


async def ask_all(
    base_url: str,
    questions: Sequence[str],
    concurrency: int = 4,
    timeout: float = 60.0,
    opener: str | None = None,
    one_tap: bool = False,
) -> list[Outcome]:
    """Ask every question (each in its own conversation, after ``opener`` when given; with
    ``one_tap``, followed by "That's not what I asked"), ``concurrency`` at a time."""
    templates = load_templates()
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=timeout) as client:

        async def one(question: str) -> Outcome:
            async with gate:
                return await ask(client, question, templates, opener, one_tap)

        return list(await asyncio.gather(*(one(q) for q in questions)))


@contextmanager
def running_stack(log_dir: Path) -> Iterator[str]:
    """The whole assistant on a private Redis and free ports; yields the gateway URL."""
    import sys

    sys.path.insert(0, str(ROOT))
    from stack.live import LiveStack, private_layout
    from stack.model import ensure_model
    from stack.redis_server import start_embedded_redis
    from stack.settings import StackSettings

    settings = StackSettings()
    model = ensure_model(settings.bot_dir, settings.models_dir, settings.rasa_bin)
    redis = start_embedded_redis(log_dir / "redis", appendonly=False)
    layout = private_layout(redis.url, model)
    stack = LiveStack(layout=layout, log_dir=log_dir)
    try:
        stack.start()
        yield stack.url
    finally:
        stack.stop()
        redis.stop()
