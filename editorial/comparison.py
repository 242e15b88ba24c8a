"""Which two versions the history page compares when it opens, and why, in plain words.

The question an editor usually has is "what would publishing change?": so the published
version against the newest draft when they differ. When nothing is waiting to be published,
the newest change of text is shown instead; with one version there is nothing to compare.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from editorial.markdown_doc import FrontMatterError, split_markdown
from editorial.store import ArticleStore, Version


@dataclass(frozen=True)
class DefaultComparison:
    """The versions to compare (None when there is nothing to compare) and what they mean."""

    from_version: int | None
    to_version: int | None
    explanation: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the API."""
        return asdict(self)


def _text(version: Version) -> str:
    """What matters for a comparison: fields (less the status publishing sets) and body."""
    try:
        front, body = split_markdown(version.markdown)
    except FrontMatterError:
        return version.markdown
    front.pop("status", None)
    return json.dumps(front, sort_keys=True, default=str) + "\n" + body.strip()


def default_comparison(store: ArticleStore, article_id: str) -> DefaultComparison:
    """Published against newest draft; else the newest change; else say there is one version."""
    state = store.get(article_id)
    versions = store.versions(article_id)  # newest first
    head = versions[0]
    if len(versions) == 1:
        return DefaultComparison(
            None, None, "There is only one version of this article, so there is nothing to compare."
        )
    published = state.published_version
    if published and published != head.number and state.status == "published":
        return DefaultComparison(
            published,
            head.number,
            f"What publishing would change: the published version ({published}) against the "
            f"newest draft (version {head.number}).",
        )
    current = _text(head)
    for older in versions[1:]:
        if _text(older) != current:
            live = " It is the published version." if published == head.number else ""
            return DefaultComparison(
                older.number,
                head.number,
                f"The newest change: version {older.number} against version {head.number}, the "
                f"newest version.{live}",
            )
    return DefaultComparison(
        None,
        None,
        f"All {len(versions)} versions have the same text (they differ only in being saved, "
        "published or restored), so there is nothing to compare.",
    )
