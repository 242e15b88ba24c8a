"""What is wrong with an article, in plain words, and the refusal that carries it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an article, with where it is when we know."""

    message: str
    field: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form for the API."""
        return {"message": self.message, "field": self.field, "line": self.line}


class ArticleInvalid(ValueError):
    """The article cannot be saved; ``problems`` says why in plain words."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems
