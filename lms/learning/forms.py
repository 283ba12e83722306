"""Forms of the learner's journey: joining, handing in work, and reading a posted quiz (whose
fields are the quiz's own questions, so it is parsed rather than declared)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from curriculum.models import Lesson
from lms.errors import InvalidInput


class JoinForm(FlaskForm):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])


class AssignmentForm(FlaskForm):
    text = TextAreaField(_l("Your answer"), validators=[Length(max=20000)])
    file = FileField(_l("Attach a file (PDF, JPEG or PNG)"))


class TamperedAnswers(InvalidInput):
    """A posted quiz that is not this quiz's form (nothing is recorded)."""


@dataclass
class QuizForm:
    """A posted quiz: the answers (question key → choice keys) and the attempt the form was
    shown for (its number), so that a resubmitted form records nothing twice."""

    answers: dict[str, list[str]]
    attempt: int


def parse_answers(lesson: Lesson, form: dict[str, list[str]]) -> QuizForm:
    """Answers from a posted form (``q-<question key>`` → choice keys, ``lesson`` → this quiz's
    id, ``attempt`` → the attempt number the page offered).

    Anything that is not a question of this quiz, or a choice of that question, or a form of
    another quiz, is tampering: the whole submission is refused and nothing is recorded.
    """
    tampered = TamperedAnswers(_("The answers do not match this quiz."))
    if form.get("lesson") != [str(lesson.id)]:
        raise tampered
    try:
        (attempt,) = (int(value) for value in form.get("attempt", []))
    except ValueError:
        raise tampered from None
    if attempt < 1:
        raise tampered
    questions = {q.key: q for q in lesson.live_questions}
    answers: dict[str, list[str]] = {key: [] for key in questions}
    for name, values in form.items():
        if name in ("csrf_token", "lesson", "attempt"):
            continue
        if not name.startswith("q-") or name[2:] not in questions:
            raise TamperedAnswers(_("The answers do not match this quiz."))
        question = questions[name[2:]]
        allowed = {c.key for c in question.choices if c.archived_at is None}
        chosen = list(dict.fromkeys(values))
        if any(value not in allowed for value in chosen):
            raise TamperedAnswers(_("The answers do not match this quiz."))
        if question.type != "multiple" and len(chosen) > 1:
            raise TamperedAnswers(_("The answers do not match this quiz."))
        answers[question.key] = chosen
    return QuizForm(answers=answers, attempt=attempt)
