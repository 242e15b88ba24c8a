"""Import a folder of GOV.UK items into an articles folder: every item it can, one report.

One bad or unsupported file never stops the others. An item imported before (same GOV.UK
content id and language, read from each article's ``source``) is updated in place under its
old article id. The importer remembers, in ``.govuk-import.json`` beside the articles, the
text it last wrote for each article; if the file has changed since (an editor, or an export
of the editor's published version), the new import does not overwrite it: the incoming
version is written to ``.govuk-import/conflicts/<id>.md`` and the report says "conflict".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from knowledge.importers.govuk import (
    Imported,
    ImportSkipped,
    item_files,
    item_to_draft,
    link_translations,
    load_item,
)
from knowledge.importers.writing import ImportError_, validate

_FIELD = re.compile(r"^(source|language):[ \t]*(\S.*)$", re.MULTILINE)
MANIFEST = ".govuk-import.json"
CONFLICTS = Path(".govuk-import") / "conflicts"
RESULTS = ("imported", "updated", "unchanged", "conflict", "skipped", "failed")


@dataclass
class Outcome:
    """What happened to one file."""

    origin: str
    result: str
    article_id: str = ""
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    text: str = ""
    review_overdue: bool = False


@dataclass
class ImportReport:
    """Every file's outcome, and the summary table the command prints."""

    outcomes: list[Outcome]
    seconds: float = 0.0

    def counts(self) -> Counter[str]:
        """How many files ended in each result."""
        return Counter(o.result for o in self.outcomes)

    def failed(self, strict: bool) -> bool:
        """True when the command should exit non-zero (any failure; with strict, any skip)."""
        counts = self.counts()
        return bool(counts["failed"] or (strict and counts["skipped"]))

    def table(self) -> str:
        """A plain-text summary: counts, then one line per file that needs attention."""
        counts = self.counts()
        rate = len(self.outcomes) / self.seconds if self.seconds else 0.0
        lines = ["| result | items |", "|---|---|"]
        lines += [f"| {r} | {counts[r]} |" for r in RESULTS]
        lines.append(f"| total | {len(self.outcomes)} ({rate:.0f} items/s) |")
        overdue = sum(o.review_overdue for o in self.outcomes if o.result != "failed")
        lines.append(f"| past their review date (flagged to editors) | {overdue} |")
        for o in self.outcomes:
            if o.result in ("conflict", "skipped", "failed") or o.notes:
                what = f"{o.result}: {o.reason}" if o.reason else o.result
                extra = "".join(f"\n    {n}" for n in o.notes)
                lines.append(f"- {Path(o.origin).name} → {o.article_id or '-'}: {what}{extra}")
        return "\n".join(lines)


def _reason(exc: Exception, origin: object) -> str:
    """The error message without the file name it starts with (the table names the file)."""
    text, name = str(exc), str(origin)
    return text[len(name) :].lstrip(": ") if text.startswith(name) else text


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _front(text: str) -> dict[str, str]:
    """The plain one-line ``key: value`` fields of the front matter (enough for the keys)."""
    end = text.find("\n---", 4) if text.startswith("---\n") else -1
    fields = {}
    for match in _FIELD.finditer(text[4:end] if end > 0 else ""):
        fields[match.group(1)] = match.group(2).strip().strip("'\"")
    return fields


def existing_sources(out_dir: Path) -> dict[str, str]:
    """Article id of every article in ``out_dir`` imported from GOV.UK, by its source key."""
    found: dict[str, str] = {}
    for path in sorted(out_dir.glob("*.md")):
        front = _front(path.read_text(encoding="utf-8"))
        source, language = front.get("source", ""), front.get("language", "en")
        if not source.startswith("govuk:"):
            continue
        if language != "en" and not source.endswith(f":{language}"):
            source = f"{source}:{language}"  # written before keys carried the language
        found[source] = path.stem
    return found


def _convert(
    files: list[Path], options: dict[str, object], progress: Callable[[int], None] | None
) -> tuple[list[Outcome], dict[int, Imported]]:
    outcomes, items = [], {}
    for number, path in enumerate(files):
        outcome = Outcome(origin=str(path), result="failed")
        try:
            item = item_to_draft(load_item(path), str(path), **options)  # type: ignore[arg-type]
            items[number] = item
            outcome.article_id, outcome.result = item.draft.id, "imported"
            if item.withdrawn:
                outcome.notes.append(f"imported retired: {item.withdrawn}")
            outcome.review_overdue = item.review_overdue
            outcome.notes += list(item.notes)
        except ImportSkipped as exc:
            outcome.result, outcome.reason = "skipped", _reason(exc, path)
        except ImportError_ as exc:
            outcome.reason = _reason(exc, path)
        except Exception as exc:  # one broken item must not stop the folder
            outcome.reason = f"unexpected {type(exc).__name__}: {exc}"
        outcomes.append(outcome)
        if progress:
            progress(1)
    return outcomes, items


def plan_import(
    paths: list[Path],
    out_dir: Path,
    id_prefix: str = "",
    service_area: str = "GOV.UK",
    withdrawn: str = "retire",
    review_months: int = 12,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Convert and validate every file and decide its result; nothing is written yet."""
    out_dir = Path(out_dir)
    options: dict[str, object] = {
        "id_prefix": id_prefix,
        "service_area": service_area,
        "withdrawn": withdrawn,
        "review_months": review_months,
        "today": today,
    }
    outcomes, items = _convert(item_files(paths), options, progress)
    manifest = _load_manifest(out_dir)
    known = existing_sources(out_dir) if out_dir.is_dir() else {}
    taken = {p.stem for p in out_dir.glob("*.md")} if out_dir.is_dir() else set()
    newest: dict[str, int] = {}
    for number, item in items.items():
        best = newest.get(item.key)
        if best is None or item.updated_at > items[best].updated_at:
            newest[item.key] = number
    final: dict[int, Imported] = {}
    for number, item in items.items():
        outcome = outcomes[number]
        if newest[item.key] != number:
            kept = outcomes[newest[item.key]].origin
            outcome.result, outcome.notes, outcome.review_overdue = "skipped", [], False
            outcome.reason = f"the same GOV.UK item as {Path(kept).name}, which is as new or newer"
            continue
        outcome.article_id = known.get(item.key) or _free_id(item, taken)
        taken.add(outcome.article_id)
        final[number] = replace(item, draft=replace(item.draft, id=outcome.article_id))
    link_translations(list(final.values()))  # with the ids the articles will have
    for number, item in final.items():
        outcome, article_id = outcomes[number], final[number].draft.id
        try:
            outcome.text = validate(item.draft, outcome.origin)
        except ImportError_ as exc:
            outcome.result, outcome.reason = "failed", _reason(exc, outcome.origin)
            continue
        target = out_dir / f"{article_id}.md"
        if item.key not in known:
            continue
        current = target.read_text(encoding="utf-8")
        if current == outcome.text:
            outcome.result = "unchanged"
        elif manifest.get(article_id) not in (None, _sha(current)):
            outcome.result = "conflict"
            outcome.reason = (
                f"{target.name} was changed after the last import; it was kept and the "
                f"incoming version saved as {CONFLICTS / target.name}"
            )
        else:
            outcome.result = "updated"
    return ImportReport(outcomes)


def _free_id(item: Imported, taken: set[str]) -> str:
    """The item's own id, or (when another article has it) one with its language or a number."""
    base = item.draft.id
    candidates = [base, f"{base}-{item.locale}"] + [f"{base}-{n}" for n in range(2, 1000)]
    return next(c for c in candidates if c not in taken)


def _load_manifest(out_dir: Path) -> dict[str, str]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_report(report: ImportReport, out_dir: Path) -> None:
    """Write imported and updated articles (conflicts beside them) and update the manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(out_dir)
    for outcome in report.outcomes:
        if outcome.result in ("imported", "updated"):
            _write(out_dir / f"{outcome.article_id}.md", outcome.text)
            manifest[outcome.article_id] = _sha(outcome.text)
        elif outcome.result == "conflict":
            _write(out_dir / CONFLICTS / f"{outcome.article_id}.md", outcome.text)
    _write(out_dir / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
