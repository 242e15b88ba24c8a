"""Line diffs between two versions of an article, for people to read."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from editorial.markdown_doc import FrontMatterError, split_markdown


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: ``op`` is ``same``, ``added`` or ``removed``."""

    op: str
    text: str
    old_line: int | None
    new_line: int | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the API."""
        return {
            "op": self.op,
            "text": self.text,
            "old_line": self.old_line,
            "new_line": self.new_line,
        }


def line_diff(old: str, new: str, context: int = 3) -> list[DiffLine]:
    """Changed lines with ``context`` unchanged lines around them; a ``gap`` line marks a skip."""
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append(DiffLine("gap", "…", None, None))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [DiffLine("same", a[i], i + 1, j1 + i - i1 + 1) for i in range(i1, i2)]
                continue
            out += [DiffLine("removed", a[i], i + 1, None) for i in range(i1, i2)]
            out += [DiffLine("added", b[j], None, j + 1) for j in range(j1, j2)]
    return out


def change_summary(old: str, new: str) -> str:
    """A one-line description of what changed, for the audit log."""
    if not old:
        return "created"
    try:
        old_front, old_body = split_markdown(old)
        new_front, new_body = split_markdown(new)
    except FrontMatterError:
        old_front, old_body, new_front, new_body = {}, old, {}, new
    fields = sorted(
        k
        for k in set(old_front) | set(new_front)
        if old_front.get(k) != new_front.get(k) and k != "status"
    )
    diff = line_diff(old_body, new_body, context=0)
    added = sum(1 for d in diff if d.op == "added")
    removed = sum(1 for d in diff if d.op == "removed")
    parts = []
    if fields:
        parts.append("fields: " + ", ".join(f.replace("_", " ") for f in fields))
    if added or removed:
        parts.append(f"body: +{added} −{removed} lines")
    return "; ".join(parts) or "no change to the text"
