"""Warnings on a pack: what does not stop an import but makes a course harder to learn from.

``lms curriculum check`` prints them as ``path:line: warning: message`` (exit status 0);
``--strict`` makes them errors. Each rule, and its threshold:

- a quiz whose right answers sit at one position (the order in the file) in more than 60 % of its
  single-answer questions: a learner passes by always ticking "b";
- a quiz whose correct choice is the longest in more than 70 % of its single- and
  multiple-answer questions (counted in each complete language);
- a lesson table of more than 4 columns: it does not fit a phone's screen (make it a list);
- a lesson whose sentences average more than 20 words (see ``sentences.py``).

The quiz rules need at least two questions of the kind they count. A language declared complete
but missing from a text (a lesson file, a translation) is not a warning: it is already an error.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from markdown_it.token import Token

from .drafts import ModuleDraft
from .lessonfiles import LessonFile, QuizSource
from .packdata import Problem
from .schema import QuizFile
from .sentences import sentences

MAX_SAME_POSITION = 0.6
MAX_LONGEST_CORRECT = 0.7
MAX_TABLE_COLUMNS = 4
MAX_AVERAGE_SENTENCE_WORDS = 20
MIN_QUESTIONS = 2


def pack_warnings(modules: list[ModuleDraft], context: dict[str, Any]) -> list[Problem]:
    """Every warning on what could be read of the pack's lessons and quizzes, sorted."""
    languages = list(context.get("complete_languages") or [])
    found: list[Problem] = []
    for module in modules:
        for draft in module.lessons:
            if draft.quiz is not None:
                found.extend(quiz_warnings(draft.quiz, languages))
            for file in draft.files.values():
                found.extend(lesson_warnings(file))
    return sorted(found)


# -- quizzes ------------------------------------------------------------------------------------


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole)


def quiz_warnings(quiz: QuizSource, languages: list[str]) -> Iterator[Problem]:
    model: QuizFile | None = quiz.model
    if model is None or quiz.document is None:
        return
    line = quiz.document.line(("questions",))
    single = [q for q in model.questions if q.type == "single"]
    positions = Counter(
        next(n for n, choice in enumerate(q.choices, 1) if choice.correct) for q in single
    )
    if len(single) >= MIN_QUESTIONS:
        position, count = positions.most_common(1)[0]
        if count / len(single) > MAX_SAME_POSITION:
            yield Problem(
                quiz.path,
                line,
                f"the right answer is choice {position} in {count} of {len(single)} single-answer"
                f" questions ({_percent(count, len(single))} %, more than"
                f" {_percent(MAX_SAME_POSITION, 1)} %): spread the right answers over the"
                " positions",
            )
    counted = [q for q in model.questions if q.type != "true_false"]
    if len(counted) < MIN_QUESTIONS:
        return
    for language in languages:
        longest = sum(1 for q in counted if _longest_is_correct(q.choices, language))
        if longest / len(counted) > MAX_LONGEST_CORRECT:
            yield Problem(
                quiz.path,
                line,
                f"in '{language}', the correct choice is the longest in {longest} of"
                f" {len(counted)} questions ({_percent(longest, len(counted))} %, more than"
                f" {_percent(MAX_LONGEST_CORRECT, 1)} %): make the wrong choices as long and as"
                " careful as the right one",
            )


def _longest_is_correct(choices, language: str) -> bool:
    """The choice with the longest text (strictly: no tie) is a correct one."""
    lengths = sorted(
        ((len(choice.text.get(language, "")), choice.correct) for choice in choices),
        reverse=True,
    )
    return lengths[0][1] and lengths[0][0] > lengths[1][0]


# -- lessons ------------------------------------------------------------------------------------


def lesson_warnings(file: LessonFile) -> Iterator[Problem]:
    for line, columns in _tables(file.tokens):
        if columns > MAX_TABLE_COLUMNS:
            yield Problem(
                file.path,
                file.body_line + line,
                f"a table of {columns} columns (more than {MAX_TABLE_COLUMNS}) is too wide for a"
                " phone: make it a list, or split it",
            )
    found = list(sentences(file.tokens))
    if not found:
        return
    average = sum(sentence.words for sentence in found) / len(found)
    if average > MAX_AVERAGE_SENTENCE_WORDS:
        longest = max(found, key=lambda sentence: sentence.words)
        yield Problem(
            file.path,
            file.body_line,
            f"sentences average {average:.1f} words (more than {MAX_AVERAGE_SENTENCE_WORDS}):"
            f" write shorter ones (the longest, on line {file.body_line + longest.line}, has"
            f" {longest.words} words)",
        )


def _tables(tokens: list[Token]) -> Iterator[tuple[int, int]]:
    """(0-based line, number of columns) of every table."""
    line, columns = None, 0
    for token in tokens:
        if token.type == "table_open":
            line, columns = (token.map or (0, 0))[0], 0
        elif token.type == "th_open" and line is not None:
            columns += 1
        elif token.type == "tr_close" and line is not None:
            yield line, columns
            line = None
