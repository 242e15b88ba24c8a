"""Command line for editors and operators: build, update, search, import, evaluate.

``.venv/bin/python -m knowledge build|update|search|import-govuk|import-faq|eval|tune-model``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from knowledge.articles import Article, ArticleError
from knowledge.calibration import CalibrationError
from knowledge.evaluation import QuestionSetError
from knowledge.importers.govuk_command import add_arguments as add_govuk_arguments
from knowledge.importers.writing import ImportError_
from knowledge.index_store import IndexMismatchError
from knowledge.settings import KnowledgeSettings

if TYPE_CHECKING:
    from knowledge.calibration import Calibration
    from knowledge.knowledge_base import KnowledgeBase
    from knowledge.section_eval import SectionLabel
    from knowledge.section_ranking import SectionModel
    from knowledge.self_exclusion import SelfExclusion

EXPECTED_ERRORS = (
    ArticleError,
    CalibrationError,
    ImportError_,
    IndexMismatchError,
    QuestionSetError,
)


class Progress:
    """Progress on stderr: a live counter on a terminal, a line every 10 % otherwise."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.done = label, max(total, 1), 0
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.next_mark = 0.1
        self.started = time.perf_counter()

    def __call__(self, n: int) -> None:
        self.done += n
        fraction = self.done / self.total
        if self.tty:
            self.stream.write(f"\r{self.label}: {self.done}/{self.total}")
            if self.done >= self.total:
                self.stream.write("\n")
        elif fraction >= self.next_mark or self.done >= self.total:
            elapsed = time.perf_counter() - self.started
            self.stream.write(f"{self.label}: {self.done}/{self.total} ({elapsed:.1f} s)\n")
            while self.next_mark <= fraction:
                self.next_mark += 0.1
        self.stream.flush()


def _embedder(index_dir: Path) -> object:
    from knowledge.embedding import load_embedder

    print("loading the embedding model…", file=sys.stderr)
    return load_embedder(index_dir.parent / "onnx-cache")


def _open(args: argparse.Namespace, force: bool) -> int:
    from knowledge.articles import load_articles
    from knowledge.build import open_knowledge_base
    from knowledge.chunking import chunk_article

    articles = load_articles(args.articles)  # validate before loading the model
    total = sum(len(chunk_article(a)) for a in articles.values() if a.searchable)
    embedder = _embedder(args.index)
    started = time.perf_counter()
    opened = open_knowledge_base(
        args.articles,
        args.index,
        embedder,  # type: ignore[arg-type]
        force=force,
        progress=Progress("embedding chunks", total),
    )
    report, kb = opened.report, opened.kb
    elapsed = time.perf_counter() - started
    print(
        f"{len(kb.articles)} articles, {len(kb.chunks)} chunks in {args.index}; "
        f"embedded {report.chunks_embedded}, reused {report.chunks_reused}; "
        f"added {len(report.added)}, changed {len(report.changed)}, removed {len(report.removed)}"
        f"{'' if opened.saved else ' (index already up to date)'}; {elapsed:.1f} s"
    )
    for label, ids in (
        ("added", report.added),
        ("changed", report.changed),
        ("removed", report.removed),
    ):
        if ids and not force:
            print(f"  {label}: {', '.join(sorted(ids))}")
    return 0


def _search(args: argparse.Namespace) -> int:
    from knowledge.answering import GuidanceService, QuestionError

    service = GuidanceService.load(args.articles, args.index, calibration_path=args.calibration)
    questions = sys.stdin if args.question == "-" else [args.question]
    status = 0
    for raw in questions:
        question = raw.rstrip("\n") if args.question == "-" else raw
        try:
            response = service.search(question, k=args.k)
        except QuestionError as exc:
            if args.json:
                print(json.dumps({"error": str(exc)}), flush=True)
            else:
                print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        if args.json:
            print(json.dumps(response.to_dict(), ensure_ascii=False), flush=True)
            continue
        print(f"question: {question}")
        print("ABSTAIN (nothing fits well enough)" if response.abstained else "answerable")
        for r in response.results:
            print(f"  {r.score:6.3f}  {r.title} — {r.heading}\n          {r.url}")
        if not response.abstained and args.question != "-":
            result = service.answer(question)
            if result.answer:
                print(f"\n{result.answer.text}\n(last reviewed {result.answer.last_reviewed})")
            elif result.status == "clarify":
                print("\ndid you mean: " + " or ".join(c.title for c in result.candidates))
    return status


def _import_govuk(args: argparse.Namespace) -> int:
    from knowledge.importers.govuk import item_files
    from knowledge.importers.govuk_command import run

    settings = KnowledgeSettings()
    progress = Progress("importing items", len(item_files(args.paths)))
    return run(args, progress, settings.redis_url, settings.redis_key_prefix,
               sentinels=settings.redis_sentinels, master=settings.redis_sentinel_master)


def _tune_model(args: argparse.Namespace) -> int:
    from knowledge.articles import load_articles
    from knowledge.model_tuning import tune
    from knowledge.tuned_model import TUNED_DIR

    if args.epochs < 1 or not 0 < args.learning_rate < 1:
        print("error: --epochs must be at least 1 and --learning-rate between 0 and 1",
              file=sys.stderr)
        return 2
    out = args.out or TUNED_DIR
    manifest = tune(load_articles(args.articles), args.eval_dir, out, args.epochs,
                    args.learning_rate, log=lambda line: print(line, file=sys.stderr))
    print(f"tuned in {manifest['seconds']} s; wrote {out}. Now rebuild and refit: "
          ".venv/bin/python -m knowledge eval --calibrate", file=sys.stderr)
    return 0


def _import_faq(args: argparse.Namespace) -> int:
    from knowledge.importers.faq import import_faq
    from knowledge.importers.writing import write_drafts

    drafts = import_faq(
        args.file,
        base_url=args.base_url,
        id_prefix=args.id_prefix,
        service_area=args.service_area,
        owner=args.owner,
        last_reviewed=args.last_reviewed,
    )
    for path in write_drafts(drafts, args.out, overwrite=args.overwrite):
        print(f"wrote {path}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from knowledge import calibration_store as store
    from knowledge import evaluation
    from knowledge.articles import load_articles
    from knowledge.build import open_knowledge_base
    from knowledge.calibration import Calibration, calibrate
    from knowledge.evaluation import evaluate, format_report, load_questions, score_questions
    from knowledge.index import set_threads
    from knowledge.index_store import expected_build
    from knowledge.self_exclusion import SelfExclusion

    articles = load_articles(args.articles)
    if args.attach:
        args.calibrate = True
        articles = _attach(args, articles)
    questions = load_questions(args.questions, articles)
    if args.calibrate:  # refuse before the slow part: the wrong target or an unusable set
        target = store.path_for_writing(args.articles, args.index, args.calibration)
        store.check_fitting_set(
            [q.article_id for q in questions if q.split == "tune"],
            [a.id for a in articles.values() if a.searchable],
            str(args.questions),
        )
    embedder = _embedder(args.index)
    opened = open_knowledge_base(args.articles, args.index, embedder)  # type: ignore[arg-type]
    set_threads(1)
    splits = ("tune", "heldout") if args.split == "all" else (args.split,)
    needed = {*splits, *(("tune",) if args.calibrate else ())}
    questions = [q for q in questions if q.split in needed]  # never score a split unasked
    exclusion = SelfExclusion(opened.kb)  # leave-one-out: no question matches itself
    print(f"scoring {len(questions)} questions…", file=sys.stderr)
    scores = score_questions(
        opened.kb, questions, Progress("questions", len(questions)), exclusion.without
    )
    if args.calibrate:
        tune = [(s, q) for s, q in zip(scores, questions, strict=True) if q.split == "tune"]
        if not tune:
            raise QuestionSetError(f"{args.questions}: no questions in the 'tune' split")
        build = {**expected_build(opened.kb.embedder), "corpus": store.corpus_name(args.articles)}
        titles = {a.id: a.title for a in articles.values()}
        calibration = calibrate(
            [s for s, _ in tune], [q.article_id for _, q in tune], build, titles
        )
        print("scoring the tune questions again without any example question…", file=sys.stderr)
        bare = evaluation.fit_text_only(opened.kb, [q for _, q in tune], calibration, titles)
        print(evaluation.format_text_only(bare), file=sys.stderr)
        calibration.section_model = _fit_section_model(
            opened.kb, calibration, args, articles, exclusion
        )
        calibration.follow_up_bonus, calibration.follow_up_spread = _kept_follow_ups(target)
        calibration.save(target)
        print(f"calibrated on {len(tune)} tune questions; saved {target}", file=sys.stderr)
    else:
        source = store.path_for_reading(args.articles, args.index, args.calibration)
        calibration = Calibration.load(source)
        print(store.describe(calibration.fitted, calibration.method, source), file=sys.stderr)
    titles = {a.id: a.title for a in articles.values()}
    report = {
        k: v for k, v in evaluate(scores, questions, calibration, titles).items() if k in splits
    }
    sections = _section_rows(opened.kb, calibration, args, articles, splits, exclusion)
    print(
        f"{len(exclusion.masked)} questions were scored without their own example question",
        file=sys.stderr,
    )
    if args.json:
        print(
            json.dumps(
                {"calibration": calibration.to_dict(), "report": report, "sections": sections},
                indent=2,
            )
        )
    else:
        print(format_report(report, calibration))
        if sections:
            from knowledge.section_eval import format_table

            print("\nsection quoted (served = calibrated method + section model):")
            print(format_table(sections))
    return 0


def _kept_follow_ups(target: Path) -> tuple[float, float]:
    """The follow-up bonus and spread of the calibration being replaced (fitted on labelled
    follow-ups by ``benchmarks/follow_ups.py``, not by this command), or zeros."""
    from knowledge.calibration import Calibration, CalibrationError

    try:
        old = Calibration.load(target)
    except CalibrationError:
        return 0.0, 0.0
    return old.follow_up_bonus, old.follow_up_spread


def _attach(args: argparse.Namespace, articles: dict[str, Article]) -> dict[str, Article]:
    """Attach the labelled tune questions to their sections' example questions (ADR 0106)."""
    from knowledge.articles import load_articles
    from knowledge.labelled_examples import attach_labelled
    from knowledge.section_eval import load_labels

    report = attach_labelled(args.articles, load_labels(args.questions, articles), articles)
    print(report.summary(), file=sys.stderr)
    return load_articles(args.articles) if report.written else articles


def _section_labels(
    args: argparse.Namespace, articles: Mapping[str, Article]
) -> list[SectionLabel]:
    """The labelled questions with section labels (empty when the file has none)."""
    from knowledge.section_eval import load_labels

    labels = load_labels(args.questions, articles)
    return labels if any(lab.sections for lab in labels) else []


def _fit_section_model(
    kb: KnowledgeBase,
    calibration: Calibration,
    args: argparse.Namespace,
    articles: Mapping[str, Article],
    exclusion: SelfExclusion,
) -> SectionModel | None:
    """Fit the section model on the tune split (None when no question has section labels)."""
    from knowledge.answering import GuidanceService
    from knowledge.section_fit import fit_section_model, gather

    tune = [lab for lab in _section_labels(args, articles) if lab.split == "tune"]
    if not tune:
        return None
    service = GuidanceService(kb, calibration, args.index)
    print(f"fitting the section model on {len(tune)} tune questions…", file=sys.stderr)
    return fit_section_model(gather(service, tune, exclusion.without))


def _section_rows(
    kb: KnowledgeBase,
    calibration: Calibration,
    args: argparse.Namespace,
    articles: Mapping[str, Article],
    splits: Sequence[str],
    exclusion: SelfExclusion,
) -> dict[str, Any]:
    """Section-level figures per split and method, when the labels have sections."""
    from knowledge.answering import GuidanceService
    from knowledge.section_eval import compare_methods

    labels = _section_labels(args, articles)
    if not labels:
        return {}
    service = GuidanceService(kb, calibration, args.index)
    return compare_methods(service, labels, splits, exclusion.without)


def build_parser(settings: KnowledgeSettings) -> argparse.ArgumentParser:
    """The argument parser (defaults from the environment via ``KnowledgeSettings``)."""
    parser = argparse.ArgumentParser(prog="python -m knowledge", description=__doc__)
    parser.add_argument("--articles", type=Path, default=settings.knowledge_dir)
    parser.add_argument("--index", type=Path, default=settings.knowledge_index_dir)
    parser.add_argument("--calibration", type=Path, default=settings.knowledge_calibration)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser(
        "build", help="build the index (reusing unchanged chunks unless --force)"
    )
    build.add_argument(
        "--force", action="store_true", help="ignore the saved index; embed everything"
    )
    sub.add_parser("update", help="bring the index up to date with the article files")
    search = sub.add_parser("search", help="search; '-' reads one question a line from stdin")
    search.add_argument("question")
    search.add_argument("--json", action="store_true")
    search.add_argument("-k", type=int, default=5)
    govuk = sub.add_parser(
        "import-govuk", help="import GOV.UK Content API items (files or folders)"
    )
    add_govuk_arguments(govuk)
    tuning = sub.add_parser(
        "tune-model", help="fine-tune the embedding model on the articles' example questions"
    )
    tuning.add_argument("--epochs", type=int, default=2)
    tuning.add_argument("--learning-rate", type=float, default=5e-5)
    tuning.add_argument("--out", type=Path, default=None, help="default: knowledge/model")
    tuning.add_argument("--eval-dir", type=Path, default=Path("knowledge/eval"),
                        help="labelled questions here are kept out of training")
    faq = sub.add_parser("import-faq", help="import a FAQ spreadsheet (.csv or .json)")
    faq.add_argument("file", type=Path)
    faq.add_argument("--out", type=Path, required=True)
    faq.add_argument("--base-url", default=None)
    faq.add_argument("--id-prefix", default="faq-")
    faq.add_argument("--service-area", default="Frequently asked questions")
    faq.add_argument("--owner", default="Content team")
    faq.add_argument("--last-reviewed", default=None)
    faq.add_argument("--overwrite", action="store_true")
    ev = sub.add_parser(
        "eval", help="evaluate dense, BM25 and fused retrieval on labelled questions"
    )
    ev.add_argument("--questions", type=Path, default=settings.knowledge_questions)
    ev.add_argument(
        "--calibrate", action="store_true", help="fit weight and gates on the tune split"
    )
    ev.add_argument(
        "--attach",
        action="store_true",
        help="first add each labelled tune question to its section's example questions in the "
        "article files (as the gap loop does), then fit (implies --calibrate; ADR 0106)",
    )
    ev.add_argument("--json", action="store_true")
    ev.add_argument(
        "--split",
        choices=("tune", "heldout", "all"),
        default="tune",
        help="which split to report (held-out: only to report final figures, never to tune)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; expected problems print one clear line and exit with status 2."""
    args = build_parser(KnowledgeSettings()).parse_args(argv)
    commands: dict[str, Callable[[argparse.Namespace], int]] = {
        "build": lambda a: _open(a, force=a.force),
        "update": lambda a: _open(a, force=False),
        "search": _search,
        "import-govuk": _import_govuk,
        "import-faq": _import_faq,
        "eval": _eval,
        "tune-model": _tune_model,
    }
    try:
        return commands[args.command](args)
    except EXPECTED_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
