"""Which calibration belongs to which corpus, where it is kept, and what fitting needs.

A calibration (fusion weight, gates, section model) is fitted for one corpus of articles.
The committed ``knowledge/calibration.json`` belongs to the project's own articles
(``knowledge/articles``). A calibration fitted for any other corpus is kept with that
corpus's index (``<index>/calibration.json``) unless the user names a file, and never
written over the committed default. Reading prefers a named file, then the index's own,
then the committed default (the "calibrate on the sample council, evaluate elsewhere without
refitting" case). Fitting refuses a question set that cannot fit gates: no off-topic
questions (every gate would become "answer everything"), or too few per article.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from knowledge.calibration import CalibrationError

PACKAGE = Path(__file__).resolve().parent
DEFAULT_CALIBRATION = PACKAGE / "calibration.json"
DEFAULT_ARTICLES = PACKAGE / "articles"
INDEX_FILE = "calibration.json"
MIN_OFFTOPIC = 5
MIN_PER_ARTICLE = 2.0


def corpus_name(articles_dir: Path) -> str:
    """The corpus a calibration is recorded against: its folder, relative to the repo."""
    resolved = Path(articles_dir).resolve()
    try:
        return str(resolved.relative_to(PACKAGE.parent))
    except ValueError:
        return str(resolved)


def is_default_corpus(articles_dir: Path) -> bool:
    """True for the project's own articles, the corpus the committed calibration belongs to."""
    return Path(articles_dir).resolve() == DEFAULT_ARTICLES


def path_for_reading(articles_dir: Path, index_dir: Path, named: Path | None) -> Path:
    """The calibration to use: the named file, else the index's own, else the committed one."""
    if named is not None:
        return Path(named)
    own = Path(index_dir) / INDEX_FILE
    if own.exists() and not is_default_corpus(articles_dir):
        return own
    return DEFAULT_CALIBRATION


def path_for_writing(articles_dir: Path, index_dir: Path, named: Path | None) -> Path:
    """Where a new fit goes; refuses (plainly) to overwrite the default for another corpus."""
    default_corpus = is_default_corpus(articles_dir)
    if named is None:
        return DEFAULT_CALIBRATION if default_corpus else Path(index_dir) / INDEX_FILE
    if Path(named).resolve() == DEFAULT_CALIBRATION and not default_corpus:
        raise CalibrationError(
            f"{DEFAULT_CALIBRATION.relative_to(PACKAGE.parent)} belongs to the project's own "
            f"articles (knowledge/articles), not to {corpus_name(articles_dir)}; leave out "
            "--calibration to keep the new one with its index, or name another file"
        )
    return Path(named)


def check_fitting_set(
    golds: Sequence[str | None], article_ids: Collection[str], source: str
) -> None:
    """Raise :class:`CalibrationError` when the tune questions cannot fit gates."""
    off_topic = sum(1 for g in golds if g is None)
    if off_topic == 0:
        raise CalibrationError(
            f"{source}: the tune split has no off-topic questions (article_id null); without "
            "them every gate would answer everything. Add questions the articles do not "
            f"answer (at least {MIN_OFFTOPIC}) and fit again"
        )
    if off_topic < MIN_OFFTOPIC:
        raise CalibrationError(
            f"{source}: only {off_topic} off-topic tune questions; fitting needs at least "
            f"{MIN_OFFTOPIC}"
        )
    per_article = Counter(g for g in golds if g is not None)
    articles = max(len(article_ids), 1)
    on_topic = sum(per_article.values())
    if on_topic / articles < MIN_PER_ARTICLE:
        missing = sum(1 for a in article_ids if per_article[a] == 0)
        raise CalibrationError(
            f"{source}: {on_topic} on-topic tune questions for {len(article_ids)} articles "
            f"({on_topic / articles:.1f} per article, {missing} articles with none); fitting "
            f"needs at least {MIN_PER_ARTICLE:.0f} per article on average"
        )


def describe(fitted: Mapping[str, Any], method: str, path: Path) -> str:
    """One line for the logs: which calibration, fitted when, on which corpus and questions."""
    corpus = fitted.get("corpus") or "knowledge/articles (recorded before corpora were named)"
    return (
        f"calibration {path} for corpus {corpus}: method {method}, fitted "
        f"{fitted.get('created', 'at an unknown time')} on {fitted.get('questions', '?')} "
        f"{fitted.get('split', 'tune')} questions ({fitted.get('off_topic', '?')} off-topic)"
        + ("; text-only gates for sections without example questions"
           if fitted.get("text_only_gates") else "")
    )
