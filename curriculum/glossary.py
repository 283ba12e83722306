"""The glossary shipped with the packs: ``curriculum/packs/glossary.yaml``.

One list of the terms the courses use, so that every lesson says a thing the same way and a
learner can look a word up::

    terms:
      - id: public-problem            # kebab-case, unique
        term: {fr: problème public, en: public problem, ar: مشكلة عمومية}
        acronym: HCP                   # optional, only for acronyms
        definition: {fr: ..., en: ..., ar: ...}

``check_glossary`` reports what is wrong as ``glossary.yaml:line: message`` (as the pack checker
does) and warns of a term or definition missing one of ``GLOSSARY_LANGUAGES``;
``read_glossary`` gives the learners' page a valid glossary (read again when the file changes),
or None when there is no file or it has a problem.
"""

from __future__ import annotations

import logging
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .models import pick
from .packdata import Problem
from .schema import Language, Model, Slug, Text, validate
from .yamlsource import YamlDocument, YamlSyntaxError, load_yaml

BUNDLED_GLOSSARY = Path(__file__).resolve().parent / "packs" / "glossary.yaml"
#: the languages the glossary is written in (a missing one is a warning)
GLOSSARY_LANGUAGES = ("fr", "en", "ar")
MAX_ACRONYM = 20

log = logging.getLogger(__name__)


def _some_language(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise PydanticCustomError("translation", "give the text in at least one language")
    return value


def _acronym(value: str) -> str:
    if len(value) > MAX_ACRONYM or any(char.isspace() for char in value):
        raise PydanticCustomError(
            "acronym",
            "'{value}' is not an acronym (one word, at most 20 characters)",
            {"value": value},
        )
    return value


Texts = Annotated[dict[Language, Text], AfterValidator(_some_language)]


class GlossaryTerm(Model):
    id: Slug
    term: Texts
    acronym: Annotated[Text, AfterValidator(_acronym)] | None = None
    definition: Texts


class GlossaryFile(Model):
    terms: list[GlossaryTerm] = Field(min_length=1)


@dataclass(frozen=True)
class Entry:
    """A term as one learner reads it: in their language, else in French, else in any."""

    id: str
    term: str
    term_language: str
    acronym: str | None
    definition: str
    definition_language: str


def _language_of(texts: dict[str, str], language: str, fallback: str) -> str:
    return next((code for code in (language, fallback) if texts.get(code)), next(iter(texts)))


def sort_key(text: str) -> str:
    """Alphabetical order that ignores case, accents and Arabic vowel marks."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True)
class Glossary:
    terms: tuple[GlossaryTerm, ...]

    def entries(self, language: str, fallback: str = "fr", query: str = "") -> list[Entry]:
        """The terms in ``language``, sorted by the term as shown; with a ``query``, only those
        whose term (in any language), acronym or shown definition contains it."""
        wanted = sort_key(query.strip())
        entries = []
        for term in self.terms:
            entry = Entry(
                id=term.id,
                term=pick(term.term, language, fallback),
                term_language=_language_of(term.term, language, fallback),
                acronym=term.acronym,
                definition=pick(term.definition, language, fallback),
                definition_language=_language_of(term.definition, language, fallback),
            )
            searched = [*term.term.values(), term.acronym or "", entry.definition]
            if not wanted or any(wanted in sort_key(text) for text in searched):
                entries.append(entry)
        return sorted(entries, key=lambda entry: (sort_key(entry.term), entry.id))


@dataclass
class GlossaryCheck:
    glossary: Glossary | None
    problems: list[Problem]
    warnings: list[Problem]


def check_glossary(path: str | os.PathLike[str]) -> GlossaryCheck:
    """The glossary of a file (None if it has any problem), its problems and warnings."""
    name = Path(path).name
    problems: list[Problem] = []
    try:
        text = Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
        document = load_yaml(text)
    except UnicodeDecodeError:
        return GlossaryCheck(None, [Problem(name, 1, "the file is not UTF-8 text")], [])
    except YamlSyntaxError as error:
        return GlossaryCheck(None, [Problem(name, error.line, error.message)], [])
    model, found = validate(GlossaryFile, document)
    problems = [Problem(name, line, message) for line, message in found]
    problems.extend(_duplicate_ids(name, document))
    warnings = _missing_languages(name, document)
    if problems or model is None:
        return GlossaryCheck(None, sorted(set(problems)), warnings)
    return GlossaryCheck(Glossary(tuple(model.terms)), [], warnings)


def _raw_terms(document: YamlDocument) -> list[tuple[int, dict]]:
    terms = document.data.get("terms") if isinstance(document.data, dict) else None
    if not isinstance(terms, list):
        return []
    return [(index, term) for index, term in enumerate(terms) if isinstance(term, dict)]


def _duplicate_ids(name: str, document: YamlDocument) -> list[Problem]:
    seen: dict[str, int] = {}
    problems = []
    for index, term in _raw_terms(document):
        key = term.get("id")
        if not isinstance(key, str):
            continue
        line = document.line(("terms", index, "id"))
        if key in seen:
            problems.append(
                Problem(name, line, f"duplicate term id '{key}' (first used on line {seen[key]})")
            )
        seen.setdefault(key, line)
    return problems


def _missing_languages(name: str, document: YamlDocument) -> list[Problem]:
    warnings = []
    for index, term in _raw_terms(document):
        for field in ("term", "definition"):
            texts = term.get(field)
            if not isinstance(texts, dict):
                continue
            missing = [code for code in GLOSSARY_LANGUAGES if not texts.get(code)]
            if missing:
                warnings.append(
                    Problem(
                        name,
                        document.line(("terms", index, field)),
                        f"terms.{index}.{field}: missing translation: {', '.join(missing)}",
                    )
                )
    return warnings


def read_glossary(path: str | os.PathLike[str] = BUNDLED_GLOSSARY) -> Glossary | None:
    """The valid glossary of ``path``, or None (no file, or a file with problems: logged)."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _read(path: str, _mtime_ns: int, _size: int) -> Glossary | None:
    """Read once per version of the file (its time and size are part of the cache key)."""
    result = check_glossary(path)
    if result.glossary is None:
        log.warning("The glossary %s is not shown: %s", path, "; ".join(map(str, result.problems)))
    return result.glossary
