"""When a message means "stop" or "start again", and when it is a question, not an answer.

The NLU classifier calls "i want to start selling cakes from home" ``restart`` and "can you
stop my direct debit" ``stop``. Those intents end a form or the whole conversation, so they
must stand only when meant: a short message ("stop", "start again") or a control phrase
("stop this form", "I don't want to carry on"). ``bot/nlu_gate.py`` sends anything else to
guidance. Inside a form, ``is_question`` tells the validators that a message which is not a
valid answer was a question ("how do I get out of this?"), so the citizen is offered the way
out instead of "that doesn't look like a postcode". Pure Python (3.10 and 3.11).
"""

from __future__ import annotations

import re

CONTROL_INTENTS = frozenset({"restart", "stop"})
MAX_BARE_CONTROL_WORDS = 3
MAX_VAGUE_CONTROL_WORDS = 7

_CONTROL = re.compile(
    r"\b(?:start|begin|restart|reset|go back to the start)(?:ing)?"
    r"(?: (?:it |this |the chat |the conversation |everything |all )?"
    r"(?:again|over|afresh|from (?:the )?(?:beginning|scratch|top|start)))?$"
    r"|\b(?:start|begin)(?:ing)? (?:again|over|afresh|from (?:the )?(?:beginning|scratch|top"
    r"|start))\b"
    r"|\b(?:restart|reset|clear|wipe) (?:the |this |it|everything|all)"
    r"|\b(?:new|fresh|brand new) (?:chat|conversation)\b|\bfresh start\b|\bfrom the top\b"
    r"|\bgo back to the start\b"
    r"|\b(?:stop|cancel|quit|exit|abort|end|halt|leave|skip)(?:ping)?"
    r" (?:this|that|it|now|please|asking|reporting|the (?:form|questions?|report|chat|"
    r"conversation|reporting|request|callback))\b"
    r"|(?:^|[,.;:!?-]\s*)(?:(?:please|just|ok|okay|oh|so|right|no|now|then|can you|could you"
    r"|will you|would you|i said|i want to|i wanna|i'?d like to|let'?s)\s+)*"
    r"(?:stop|cancel|quit|exit|abort|halt)(?: please)?[.!]*$"
    r"|\bdon'?t (?:want to|wanna) (?:do this|continue|carry on|go on)"
    r"|\b(?:rather not|not) (?:carry on|do this|continue)\b"
    r"|\bchanged? my mind\b|\bnever ?mind\b|\bforget (?:it|this|that)\b|\bdon'?t bother\b"
    r"|\bi want to stop$|\blet'?s not\b",
    re.IGNORECASE,
)
# A short message is control only with one of these ("stop", "cancel it", "start again");
# a short topic the classifier took for stop/restart ("child benefit", "minicab licence") is not.
_CONTROL_WORDS = frozenset({
    "stop", "stopping", "cancel", "cancelled", "quit", "exit", "abort", "halt", "end", "enough",
    "forget", "nevermind", "never", "leave", "skip", "bother", "restart", "reset", "start",
    "begin", "afresh", "wipe", "changed",
})
# "can't stop", "won't stop", "unable to stop" deny stopping: the opposite of asking to stop
# ("cant stop cutting" is a crisis, not a request to end the chat).
_DENIED_CONTROL = re.compile(
    r"\b(?:can'?t|cannot|can not|won'?t|couldn'?t|unable to|don'?t|didn'?t|not)\s+"
    r"(?:stop|stopping|quit|end|leave|halt)\b",
    re.IGNORECASE,
)
_QUESTION_START = re.compile(
    r"^(?:how|what|whats|what's|when|where|why|who|which|can|could|do|does|did|is|are|will|"
    r"would|should|shall|may|have|has)\b",
    re.IGNORECASE,
)
_WAY_OUT = re.compile(
    r"\b(?:get out|leave|exit|quit|stop|cancel|escape|go back|undo|end)\b.{0,20}"
    r"\b(?:this|it|here|the form|the questions?|the report|now)\b"
    r"|\bhow do i (?:stop|cancel|quit|exit|leave|get out)\b",
    re.IGNORECASE,
)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)?", text.lower())


def meant_as_control(text: str) -> bool:
    """True when a message classified ``stop``/``restart`` really asks to stop or start over.

    Short messages with a control word (up to three words: "stop", "start again", "cancel
    it") and control phrases count; a short topic ("child benefit") or a longer sentence about
    something else ("i want to start selling cakes from home", "how do I stop junk mail")
    does not. A sentence ending in a bare "stop" counts only when the word opens its clause
    ("ok that's enough, stop", "please just stop"), not when it reports or denies stopping
    ("he didn't stop when I said stop", "relapsed last night, cant stop"); a short message that
    denies stopping ("cant stop cutting") is not control either.
    """
    cleaned = re.sub(r"\s+", " ", text.replace("\u2019", "'")).strip().lower()
    words = _words(cleaned)
    if not words:
        return False
    if (len(words) <= MAX_BARE_CONTROL_WORDS and not _QUESTION_START.match(cleaned)
            and _CONTROL_WORDS.intersection(words) and not _DENIED_CONTROL.search(cleaned)):
        return True
    matches = [m.group(0) for m in _CONTROL.finditer(cleaned.rstrip(" .!"))]
    if len(words) > MAX_VAGUE_CONTROL_WORDS:
        # In a longer sentence "cancel it" / "stop that" is about the thing the sentence is
        # about ("can't find my passport, do I have to cancel it"), not this form or chat.
        matches = [m for m in matches if not re.fullmatch(r"[a-z]+ (?:it|that)", m)]
    return bool(matches)


def is_question(text: str) -> bool:
    """True when ``text`` reads as a question rather than an answer to a form's question."""
    cleaned = text.strip()
    return cleaned.endswith("?") or bool(_QUESTION_START.match(cleaned))


def asks_way_out(text: str) -> bool:
    """True for "how do I get out of this", "can I stop this?", "I want to leave this"."""
    return bool(_WAY_OUT.search(text))


WAY_OUT_REPLY = "utter_form_way_out"
# Asking why the form wants this answer ("why do you need my name", "what's it for").
_WHY = re.compile(
    r"\bwhy\b|\bwhat for\b|\bwhat(?:'s| is| do you (?:need|want)) (?:it|that|this|them|my \w+)"
    r"(?: \w+)? for\b",
    re.IGNORECASE,
)


def asks_why(text: str) -> bool:
    """True for "why do you need my name?", "what's that for", "what do you want it for"."""
    return bool(_WHY.search(text.replace("\u2019", "'")))


def reply_for_bad_answer(text: object, invalid_reply: str, why_reply: str | None = None) -> str:
    """The reply for a form answer that did not parse: ``why_reply`` (what the answer is used
    for) when the citizen asks why it is needed, the way out for another question or a request
    to leave ("how do I get out of this?"), else the form's own ``invalid_reply``.
    """
    if isinstance(text, str):
        if why_reply and asks_why(text):
            return why_reply
        if is_question(text) or asks_way_out(text):
            return WAY_OUT_REPLY
    return invalid_reply
