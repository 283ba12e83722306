"""Reading one lesson file (Markdown with front matter) or one quiz file of a pack.

Each function reports what is wrong through ``report(path, line, message)`` and returns what it
could read, so the checker goes on and finds every other problem too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it.token import Token

from . import rendering
from .schema import (
    TRANSLATED_FRONT_MATTER,
    QuizFile,
    ReadingFront,
    front_matter_model,
    validate,
)
from .yamlsource import YamlDocument, YamlSyntaxError, load_yaml

Report = Callable[[str, int, str], None]

LESSON_FILE_RE = re.compile(
    r"^(?P<stem>(?P<number>\d{2,})-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*))"
    r"(?:\.(?P<kind>reading|video|assignment|session|scorm))?\.(?P<language>[a-z]{2})\.md$"
)
QUIZ_FILE_RE = re.compile(
    r"^(?P<stem>(?P<number>\d{2,})-(?P<name>[a-z0-9]+(?:-[a-z0-9]+)*))\.quiz\.yaml$"
)
FENCE = "---"


@dataclass
class LessonFile:
    """One language file of a lesson."""

    path: str
    language: str
    stem: str
    number: int
    kind_in_name: str | None
    front: YamlDocument | None = None
    model: ReadingFront | None = None
    body: str = ""
    #: file line (1-based) of the body's first line
    body_line: int = 1
    tokens: list[Token] = field(default_factory=list)


@dataclass
class QuizSource:
    path: str
    stem: str
    number: int
    document: YamlDocument | None = None
    model: QuizFile | None = None


def decode(path: str, data: bytes, report: Report) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report(path, line, "the file is not UTF-8 text")
        return None
    return text.removeprefix("\ufeff")


def load_document(
    path: str, text: str, report: Report, line_offset: int = 0
) -> YamlDocument | None:
    try:
        return load_yaml(text, line_offset)
    except YamlSyntaxError as error:
        report(path, error.line, error.message)
        return None


def validate_document(
    path: str, model: type, document: YamlDocument, context: dict[str, Any], report: Report
) -> Any:
    instance, problems = validate(model, document, context)
    for line, message in problems:
        report(path, line, message)
    return instance


def split_front_matter(text: str) -> tuple[str, str, int] | tuple[None, str, int]:
    """``(front matter YAML, body, file line of the body)``; YAML is None if there is none.

    Raises ``ValueError`` when the front matter is opened and never closed.
    """
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise ValueError("the front matter is not closed by a '---' line")


def read_lesson_file(
    path: str, match: re.Match[str], data: bytes, context: dict[str, Any], report: Report
) -> LessonFile:
    lesson = LessonFile(
        path=path,
        language=match["language"],
        stem=match["stem"],
        number=int(match["number"]),
        kind_in_name=match["kind"],
    )
    text = decode(path, data, report)
    if text is None:
        return lesson
    try:
        front_text, lesson.body, lesson.body_line = split_front_matter(text)
    except ValueError as error:
        report(path, 1, str(error))
        return lesson
    if front_text is None:
        report(
            path, 1, "no front matter: a lesson starts with a '---' line, then slug, kind, title..."
        )
        return lesson
    lesson.front = load_document(path, front_text, report, line_offset=1)
    if lesson.front is not None:
        lesson.model = _validate_front_matter(lesson, context, report)
    lesson.tokens = rendering.parse(lesson.body)
    kind = (
        lesson.front.data.get("kind")
        if lesson.front and isinstance(lesson.front.data, dict)
        else None
    )
    if not lesson.body.strip():
        what = "a text summary of the video" if kind == "video" else "the lesson text"
        report(path, lesson.body_line, f"the body is empty: write {what} after the front matter")
    return lesson


def _validate_front_matter(lesson: LessonFile, context: dict[str, Any], report: Report):
    document = lesson.front
    assert document is not None
    if not isinstance(document.data, dict):
        report(lesson.path, document.first_line, "the front matter must be a mapping (key: value)")
        return None
    model = validate_document(
        lesson.path, front_matter_model(document.data), document, context, report
    )
    kind = document.data.get("kind")
    if lesson.kind_in_name and isinstance(kind, str) and kind != lesson.kind_in_name:
        report(
            lesson.path,
            document.line(("kind",)),
            f"kind '{kind}' does not match the file name (.{lesson.kind_in_name}.)",
        )
    return model


def shared_settings(model: ReadingFront) -> dict[str, Any]:
    """The front matter that must be the same in every language file of a lesson."""
    return model.model_dump(exclude=set(TRANSLATED_FRONT_MATTER))


def check_same_settings(reference: LessonFile, other: LessonFile, report: Report) -> None:
    """Report each non-translated front matter key that differs from the reference file."""
    if reference.model is None or other.model is None or other.front is None:
        return
    ours, theirs = shared_settings(reference.model), shared_settings(other.model)
    reference_name = reference.path.rsplit("/", 1)[-1]
    for key in ours.keys() | theirs.keys():
        if ours.get(key) != theirs.get(key):
            report(
                other.path,
                other.front.line((key,)),
                f"'{key}' is {_show(theirs.get(key))} here but {_show(ours.get(key))} "
                f"in {reference_name} (only title, deliverable and rubric are translated)",
            )


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, str) else str(value)


def read_quiz_file(
    path: str, match: re.Match[str], data: bytes, context: dict[str, Any], report: Report
) -> QuizSource:
    quiz = QuizSource(path=path, stem=match["stem"], number=int(match["number"]))
    text = decode(path, data, report)
    if text is None:
        return quiz
    quiz.document = load_document(path, text, report)
    if quiz.document is None:
        return quiz
    quiz.model = validate_document(path, QuizFile, quiz.document, context, report)
    _check_unique_ids(quiz.path, quiz.document, report)
    return quiz


def _check_unique_ids(path: str, document: YamlDocument, report: Report) -> None:
    """Question ids unique in the quiz, choice ids unique in their question (on the raw data,
    so that a duplicate is found even when something else in the quiz is wrong)."""
    questions = document.data.get("questions") if isinstance(document.data, dict) else None
    if not isinstance(questions, list):
        return
    _report_duplicates(
        path, document, [("questions", i) for i in range(len(questions))], "question", report
    )
    for index, question in enumerate(questions):
        choices = question.get("choices") if isinstance(question, dict) else None
        if isinstance(choices, list):
            paths = [("questions", index, "choices", i) for i in range(len(choices))]
            _report_duplicates(path, document, paths, "choice", report)


def _report_duplicates(
    path: str, document: YamlDocument, item_paths, what: str, report: Report
) -> None:
    seen: dict[str, int] = {}
    for item_path in item_paths:
        item = document.value_at(item_path)
        if not isinstance(item, dict) or "id" not in item:
            continue
        key = item["id"]
        key = ("true" if key else "false") if isinstance(key, bool) else str(key)
        line = document.line((*item_path, "id"))
        if key in seen:
            report(path, line, f"duplicate {what} id '{key}' (first used on line {seen[key]})")
        else:
            seen[key] = line
