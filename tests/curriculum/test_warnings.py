"""``lms curriculum check`` warns of what makes a course harder to learn from (right answers at
one position, the right answer the longest, tables too wide for a phone, long sentences), as
path:line: warning: message; ``--strict`` makes the warnings errors."""

from __future__ import annotations

import pytest

from curriculum.pack import check_pack

from .conftest import BROKEN, MINIMAL, PACKS

WARNINGS = PACKS / "warnings"
ARABIC = PACKS / "arabic"

WARNED = {
    "quiz-positions": [
        "01-m/02-q.quiz.yaml:6: the right answer is choice 1 in 3 of 4 single-answer questions"
        " (75 %, more than 60 %): spread the right answers over the positions",
    ],
    "quiz-longest": [
        "01-m/02-q.quiz.yaml:6: in 'fr', the correct choice is the longest in 3 of 4 questions"
        " (75 %, more than 70 %): make the wrong choices as long and as careful as the right one",
    ],
    "wide-table": [
        "01-m/01-l.fr.md:15: a table of 5 columns (more than 4) is too wide for a phone: make it"
        " a list, or split it",
    ],
    "long-sentences": [
        # the Arabic file only: its two sentences (ended by "؟" and by the paragraph) have 40 and
        # 35 words; the table's long cell does not count, nor do the French title and code
        "01-m/01-l.ar.md:7: sentences average 37.5 words (more than 20): write shorter ones (the"
        " longest, on line 7, has 40 words)",
    ],
}


def warnings_of(folder) -> list[str]:
    result = check_pack(folder)
    assert result.problems == [] and result.pack is not None  # a warning never stops an import
    return [str(warning) for warning in result.warnings]


def test_every_kind_of_warning_has_a_folder_and_a_test():
    assert sorted(p.name for p in WARNINGS.iterdir()) == sorted(WARNED)


@pytest.mark.parametrize("kind", sorted(WARNED))
def test_each_warning_says_where_and_why(kind):
    assert warnings_of(WARNINGS / kind) == WARNED[kind]


@pytest.mark.parametrize("folder", [MINIMAL, ARABIC], ids=["minimal", "arabic"])
def test_the_example_packs_have_no_warning(folder):
    assert warnings_of(folder) == []


def test_a_quiz_needs_two_questions_of_a_kind_before_it_is_judged(pack_copy):
    # the minimal quiz: one single-answer question (right answer "a", the longest in English)
    assert warnings_of(pack_copy()) == []


# -- the command ---------------------------------------------------------------------------------


def test_warnings_are_printed_and_the_exit_status_stays_0(runner):
    folder = WARNINGS / "wide-table"

    result = runner.invoke(args=["curriculum", "check", str(folder)])

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{folder}/01-m/01-l.fr.md:15: warning: a table of 5 columns (more than 4) is too wide"
        " for a phone: make it a list, or split it",
        "OK tiny: 1 modules, 1 lessons, 0 quiz questions, complete languages: fr",
    ]
    assert "1 warning(s)" in result.stderr


def test_strict_makes_the_warnings_errors(runner):
    folder = WARNINGS / "quiz-positions"

    result = runner.invoke(args=["curriculum", "check", "--strict", str(folder)])

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{folder}/{line}" for line in WARNED["quiz-positions"]]
    assert "1 problem(s) found" in result.stderr


def test_strict_passes_a_pack_without_warnings(runner):
    result = runner.invoke(args=["curriculum", "check", "--strict", str(ARABIC)])

    assert result.exit_code == 0
    assert result.stdout == (
        "OK arabic-course: 1 modules, 2 lessons, 3 quiz questions, complete languages: fr, ar\n"
    )


@pytest.mark.parametrize("strict", [[], ["--strict"]], ids=["plain", "strict"])
@pytest.mark.parametrize("kind", ["missing-lesson-file", "missing-translation"])
def test_a_complete_language_missing_from_a_text_is_an_error_with_or_without_strict(
    runner, kind, strict
):
    # a lesson without its 'en' file, a title without its 'en' translation
    result = runner.invoke(args=["curriculum", "check", *strict, str(BROKEN / kind)])

    assert result.exit_code == 1
    assert "missing" in result.stdout and "warning:" not in result.stdout
