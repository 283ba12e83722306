"""The glossary shipped with the packs: checked like a pack (path:line: message), read for the
learners' page in their language, sorted and searchable."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from curriculum.glossary import BUNDLED_GLOSSARY, check_glossary, read_glossary

GLOSSARIES = Path(__file__).resolve().parent / "glossaries"
GOOD = GLOSSARIES / "glossary.yaml"
BROKEN = GLOSSARIES / "broken.yaml"
SLUG_RULE = "(lowercase letters, digits and single hyphens, at most 80 characters)"


def test_a_bad_glossary_reports_each_problem_with_its_line():
    result = check_glossary(BROKEN)

    assert result.glossary is None
    assert [str(problem) for problem in result.problems] == [
        f"broken.yaml:5: terms.1.id: 'Bad_Id' is not a valid slug {SLUG_RULE}",
        "broken.yaml:8: duplicate term id 'public-problem' (first used on line 2)",
        "broken.yaml:10: terms.2.acronym: 'NOT AN ACRONYM' is not an acronym (one word, at most"
        " 20 characters)",
        "broken.yaml:11: terms.2.definition.fr: must not be empty",
        "broken.yaml:12: unknown key 'terms.2.colour'",
    ]


def test_a_term_missing_a_language_is_a_warning():
    result = check_glossary(GOOD)

    assert result.problems == [] and len(result.glossary.terms) == 5
    assert [str(warning) for warning in result.warnings] == [
        "glossary.yaml:29: terms.4.term: missing translation: ar",
        "glossary.yaml:30: terms.4.definition: missing translation: ar",
    ]


def test_entries_are_in_the_learners_language_sorted_by_the_term_as_shown():
    glossary = check_glossary(GOOD).glossary

    french = glossary.entries("fr")
    assert [entry.term for entry in french] == [
        "Agence nationale de promotion de l'emploi et des compétences",
        "Dar Chabab",
        "évaluation",  # with the e's: accents and case do not count
        "Haut-Commissariat au Plan",
        "problème public",
    ]
    arabic = {entry.id: entry for entry in glossary.entries("ar")}
    assert arabic["hcp"].term == "المندوبية السامية للتخطيط" and arabic["hcp"].acronym == "HCP"
    assert (arabic["hcp"].term_language, arabic["hcp"].definition_language) == ("ar", "ar")
    # no Arabic yet: the French text, marked as French
    assert (arabic["evaluation"].term, arabic["evaluation"].term_language) == ("évaluation", "fr")


def test_a_search_finds_terms_in_any_language_acronyms_and_definitions():
    glossary = check_glossary(GOOD).glossary

    assert [e.id for e in glossary.entries("ar", query="anapec")] == ["employment-agency"]
    assert [e.id for e in glossary.entries("ar", query="دار")] == ["youth-centre"]
    assert [e.id for e in glossary.entries("fr", query="EVALUATION")] == ["evaluation"]
    assert [e.id for e in glossary.entries("en", query="statistics")] == ["hcp"]
    assert glossary.entries("fr", query="nothing like this") == []


def test_the_page_reads_a_valid_glossary_and_again_when_it_changes(tmp_path):
    path = tmp_path / "glossary.yaml"
    assert read_glossary(path) is None  # no file yet
    shutil.copy(GOOD, path)
    assert len(read_glossary(path).terms) == 5

    shutil.copy(BROKEN, path)
    os.utime(path, ns=(1, 1))  # a different time, whatever the clock's resolution
    assert read_glossary(path) is None  # a broken file is not shown (and is logged)


def test_the_command_checks_a_glossary(runner):
    result = runner.invoke(args=["curriculum", "check", str(GOOD)])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{GLOSSARIES}/glossary.yaml:29: warning: terms.4.term: missing translation: ar",
        f"{GLOSSARIES}/glossary.yaml:30: warning: terms.4.definition: missing translation: ar",
        "OK glossary.yaml: 5 terms",
    ]

    strict = runner.invoke(args=["curriculum", "check", "--strict", str(GOOD)])
    assert strict.exit_code == 1 and "2 problem(s) found" in strict.stderr

    broken = runner.invoke(args=["curriculum", "check", str(BROKEN)])
    assert broken.exit_code == 1
    assert broken.stdout.startswith(f"{GLOSSARIES}/broken.yaml:5: terms.1.id: 'Bad_Id'")


def test_the_bundled_glossary_passes_the_check_when_it_is_there():
    if BUNDLED_GLOSSARY.exists():
        assert check_glossary(BUNDLED_GLOSSARY).problems == []
