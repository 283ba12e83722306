"""Verbs of a circle's consultations: create and edit one and its questions, open and close it,
record answers (from the public page, entered by a member, imported from a CSV), hide an
abusive text, attach the results to a team milestone. They flush and audit; the request commits
once, so a refused step leaves nothing behind.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from lms.audit.operations import record
from lms.circles.models import Project
from lms.errors import Conflict, InvalidInput, LMSError, NotAllowed, NotFound
from lms.security import throttle

from .answers import ReadAnswers, Value, as_rows
from .csv_import import parse_answers
from .models import (
    COMMUNE_MAX,
    MAX_QUESTIONS,
    OFFLINE_CHANNELS,
    Consultation,
    ConsultationAnswer,
    ConsultationImport,
    ConsultationQuestion,
    ConsultationValue,
)


class ConsultationClosed(LMSError):
    """Answers are no longer (or not yet) taken."""

    status_code = 410


class NotYetOpen(LMSError):
    status_code = 403


class TooManyAnswers(LMSError):
    status_code = 429


# -- the consultation and its questions ---------------------------------------------------------


@dataclass
class ConsultationDetails:
    titles: dict[str, str]
    intros: dict[str, str] = field(default_factory=dict)
    communes: list[str] = field(default_factory=list)
    opens_on: date | None = None
    closes_on: date | None = None


@dataclass
class QuestionDetails:
    kind: str
    prompts: dict[str, str]
    #: each choice's texts per language, in order (single and multiple only)
    choices: list[dict[str, str]] = field(default_factory=list)
    required: bool = False


_CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def _free_code() -> str:
    while True:  # 31**6 codes; the unique index catches a race anyway
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if db.session.scalar(select(Consultation.id).where(Consultation.code == code)) is None:
            return code


def _apply(consultation: Consultation, details: ConsultationDetails) -> None:
    if details.opens_on and details.closes_on and details.closes_on < details.opens_on:
        raise InvalidInput(_("The closing date is before the opening date."))
    consultation.titles = {k: v for k, v in details.titles.items() if v}
    consultation.intros = {k: v for k, v in details.intros.items() if v}
    consultation.communes = list(dict.fromkeys(c for c in details.communes if c))
    consultation.opens_on = details.opens_on
    consultation.closes_on = details.closes_on


def create_consultation(actor, project: Project, details: ConsultationDetails) -> Consultation:
    consultation = Consultation(project=project, project_id=project.id, code=_free_code(),
                                created_by_id=actor.id)  # fmt: skip
    _apply(consultation, details)
    db.session.add(consultation)
    db.session.flush()
    record(actor, "consultation.created", "consultation", consultation.id, project=project.id)
    return consultation


def update_consultation(actor, consultation: Consultation, details: ConsultationDetails) -> None:
    _apply(consultation, details)
    record(actor, "consultation.updated", "consultation", consultation.id)


def _choices(details: QuestionDetails) -> list[dict]:
    if details.kind not in ("single", "multiple"):
        return []
    return [{"key": f"c{n}", "texts": texts} for n, texts in enumerate(details.choices, start=1)]


def _editable(consultation: Consultation) -> None:
    if not consultation.editable:
        raise Conflict(_("The questions can no longer change: the consultation is published."))


def add_question(actor, consultation: Consultation, details: QuestionDetails):
    _editable(consultation)
    if len(consultation.questions) >= MAX_QUESTIONS:
        raise InvalidInput(_("A consultation has at most %(n)d questions.", n=MAX_QUESTIONS))
    question = ConsultationQuestion(
        kind=details.kind, prompts=details.prompts, choices=_choices(details),
        required=details.required, position=len(consultation.questions),
    )  # fmt: skip
    consultation.questions.append(question)
    db.session.flush()
    record(actor, "consultation.question_added", "consultation", consultation.id,
           question=question.id)  # fmt: skip
    return question


def update_question(actor, question: ConsultationQuestion, details: QuestionDetails) -> None:
    _editable(question.consultation)
    question.kind, question.prompts = details.kind, details.prompts
    question.choices, question.required = _choices(details), details.required
    record(actor, "consultation.question_updated", "consultation", question.consultation_id,
           question=question.id)  # fmt: skip


def delete_question(actor, question: ConsultationQuestion) -> None:
    consultation = question.consultation
    _editable(consultation)
    consultation.questions.remove(question)
    for position, other in enumerate(consultation.questions):
        other.position = position
    record(actor, "consultation.question_deleted", "consultation", consultation.id,
           question=question.id)  # fmt: skip


# -- opening and closing ------------------------------------------------------------------------


def open_consultation(actor, consultation: Consultation) -> None:
    if not consultation.questions:
        raise InvalidInput(_("Add at least one question before opening the consultation."))
    if consultation.status == "open":
        return
    consultation.status = "open"
    consultation.opened_at = consultation.opened_at or utcnow()
    consultation.closed_at = None
    record(actor, "consultation.opened", "consultation", consultation.id)


def close_consultation(actor, consultation: Consultation) -> None:
    if consultation.status != "open":
        raise Conflict(_("Only an open consultation can be closed."))
    consultation.status = "closed"
    consultation.closed_at = utcnow()
    record(actor, "consultation.closed", "consultation", consultation.id)


def refuse_unless_open(consultation: Consultation, today: date) -> None:
    """The public page's rule: answers only while the consultation is open."""
    state = consultation.state_on(today)
    if state == "draft":
        raise NotFound(_("This consultation is not published."))
    if state == "not_yet":
        raise NotYetOpen(
            _("This consultation opens on %(date)s.", date=consultation.opens_on.isoformat())
        )
    if state == "closed":
        raise ConsultationClosed(
            _("This consultation is closed: it no longer takes answers. Thank you!")
        )


# -- answers ------------------------------------------------------------------------------------


def insert_answer(consultation: Consultation, channel: str, commune: str, answered_on: date,
                   values: list[Value], **columns) -> int:  # fmt: skip
    answer_id = db.session.execute(
        insert(ConsultationAnswer)
        .values(
            consultation_id=consultation.id,
            channel=channel,
            commune=commune,
            answered_on=answered_on,
            created_at=utcnow(),
            **columns,
        )  # fmt: skip
        .returning(ConsultationAnswer.id)
    ).scalar_one()
    db.session.execute(
        insert(ConsultationValue), as_rows(consultation.id, answer_id, channel, commune, values)
    )
    return answer_id


def answer_limit(address: str | None, consultation: Consultation) -> tuple[str, str]:
    limit = current_app.config["LMS_CONSULTATION_ANSWER_LIMIT"]
    return limit, f"consultation:{consultation.id}:{address or 'unknown'}"


def record_online_answer(consultation: Consultation, read: ReadAnswers, device_hash: str,
                         commune: str, address: str | None, today: date) -> int:  # fmt: skip
    """An answer from the public page: one per device (the database's unique index decides,
    even for two requests at the same instant) and a limited number per address."""
    refuse_unless_open(consultation, today)
    if not read.ok:
        raise InvalidInput(" ".join(read.all_errors()))
    if commune and commune not in consultation.communes:
        commune = ""  # only the listed communes: the public form asks for nothing else
    counter = answer_limit(address, consultation)
    if not throttle().take(counter):
        raise TooManyAnswers(
            _("Too many answers were sent from this connection. Please try again later.")
        )
    try:  # a refusal rolls the whole request back (``attempt``): no savepoint needed
        return insert_answer(consultation, "online", commune, today, read.values,
                              device_hash=device_hash)  # fmt: skip
    except IntegrityError:
        throttle().give_back(counter)
        raise Conflict(_("An answer was already sent from this device. Thank you!")) from None


def check_entry(consultation: Consultation, channel: str, commune: str,
                answered_on: date | None, today: date) -> list[str]:  # fmt: skip
    """What is wrong with an answer's channel, commune and date (entered by a member)."""
    problems = []
    if channel not in OFFLINE_CHANNELS:
        problems.append(_("Choose the channel the answer came from."))
    if not commune:
        problems.append(_("Write the commune."))
    elif len(commune) > COMMUNE_MAX:
        problems.append(_("The commune is longer than %(n)d characters.", n=COMMUNE_MAX))
    if answered_on is None:
        problems.append(_("Give the date of the answer."))
    elif answered_on > today:
        problems.append(_("The date of the answer is in the future."))
    return problems


def record_entered_answer(actor, consultation: Consultation, read: ReadAnswers, channel: str,
                          commune: str, answered_on: date | None, today: date) -> int:  # fmt: skip
    """An answer gathered on paper, in person, by phone, WhatsApp or radio, typed by a member."""
    if consultation.status == "draft":
        raise Conflict(_("Open the consultation before entering answers."))
    problems = check_entry(consultation, channel, commune, answered_on, today)
    if problems or not read.ok:
        raise InvalidInput(" ".join(problems + read.all_errors()))
    return insert_answer(consultation, channel, commune, answered_on, read.values,
                          entered_by_id=actor.id)  # fmt: skip


def upload_import(actor, consultation: Consultation, filename: str, data: bytes,
                  today: date) -> ConsultationImport:  # fmt: skip
    """Parse the file (``AnswersFileError`` if it cannot be read) and keep its rows for the
    preview; an earlier import of the same consultation that was never confirmed is replaced."""
    if consultation.status == "draft":
        raise Conflict(_("Open the consultation before importing answers."))
    rows = parse_answers(data, consultation.questions, today)
    for old in db.session.scalars(
        select(ConsultationImport).filter_by(consultation_id=consultation.id, applied_at=None)
    ):
        db.session.delete(old)
    imported = ConsultationImport(consultation_id=consultation.id, created_by_id=actor.id,
                                  filename=filename[:255], rows=rows)  # fmt: skip
    db.session.add(imported)
    db.session.flush()
    return imported


def confirm_import(actor, imported: ConsultationImport) -> int:
    """Every row, or none: a file with a bad row is refused as a whole."""
    if imported.applied_at is not None:
        raise Conflict(_("This file was imported already."))
    bad = imported.bad_rows
    if bad:
        raise InvalidInput(_("%(n)d rows have errors: fix the file and upload it again.",
                             n=len(bad)))  # fmt: skip
    consultation = imported.consultation
    now = utcnow()
    rows = [
        {"consultation_id": consultation.id, "channel": row["channel"], "commune": row["commune"],
         "answered_on": date.fromisoformat(row["date"]), "entered_by_id": actor.id,
         "import_id": imported.id, "created_at": now}
        for row in imported.rows
    ]  # fmt: skip
    ids = db.session.scalars(
        insert(ConsultationAnswer).returning(ConsultationAnswer.id, sort_by_parameter_order=True),
        rows,
    ).all()
    values = [
        value
        for answer_id, row in zip(ids, imported.rows, strict=True)
        for value in as_rows(
            consultation.id,
            answer_id,
            row["channel"],
            row["commune"],
            [tuple(v) for v in row["values"]],
        )  # fmt: skip
    ]
    if values:
        db.session.execute(insert(ConsultationValue), values)
    imported.applied_at = now
    record(actor, "consultation.imported", "consultation", consultation.id,
           answers=len(ids), file=imported.filename)  # fmt: skip
    return len(ids)


# -- moderation and milestones ------------------------------------------------------------------


def hide_text(actor, value: ConsultationValue, reason: str) -> None:
    """An abusive text stays in the database, hidden; who hid it, when and why is recorded."""
    if value.text is None:
        raise NotFound()
    if value.hidden_at is None:
        value.hidden_at, value.hidden_by_id, value.hidden_reason = utcnow(), actor.id, reason[:200]
        record(actor, "consultation.text_hidden", "consultation", value.consultation_id,
               value=value.id, reason=reason[:200])  # fmt: skip


def show_text(actor, value: ConsultationValue) -> None:
    if value.hidden_at is not None:
        value.hidden_at, value.hidden_by_id, value.hidden_reason = None, None, ""
        record(actor, "consultation.text_shown", "consultation", value.consultation_id,
               value=value.id)  # fmt: skip


def attach_to_milestone(actor, consultation: Consultation, lesson: Lesson | None) -> None:
    """The results go with a team milestone of the course (or with none)."""
    if lesson is not None and lesson.kind != "assignment":
        raise NotAllowed()
    consultation.milestone_lesson_id = lesson.id if lesson else None
    record(actor, "consultation.attached", "consultation", consultation.id,
           lesson=lesson.id if lesson else None)  # fmt: skip


def answer_count(consultation: Consultation) -> int:
    return db.session.scalar(
        select(func.count(ConsultationAnswer.id)).filter_by(consultation_id=consultation.id)
    )
