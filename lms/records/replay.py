"""``lms xapi replay``: the learning events recorded in the database since a date, made into
statements again (the same functions and ids as the live events) and queued when the outbox does
not hold them yet, oldest first (each statement's timestamp: a module completed is dated by the
lesson that completed it, so it comes after that lesson, as it did live)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from certificates.models import Certificate
from curriculum.db import db
from curriculum.models import Lesson, Module
from lms.learning.grading import grade
from lms.learning.models import Enrolment, LessonOpen, LessonProgress, QuizAttempt
from lms.sessions.models import Attendance, CohortSession

from . import events
from .models import XapiStatement
from .outbox import enqueue


def _made(since: datetime):
    """(statements, user id) of each event since ``since``."""
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.enrolled_at >= since)):
        yield events.registered(enrolment), enrolment.user_id
    for opening in db.session.scalars(select(LessonOpen).where(LessonOpen.opened_at >= since)):
        enrolment = db.session.get(Enrolment, opening.enrolment_id)
        lesson = db.session.get(Lesson, opening.lesson_id)
        yield events.lesson_opened(enrolment, lesson, opening), enrolment.user_id
    for attempt in db.session.scalars(select(QuizAttempt).where(QuizAttempt.submitted_at >= since)):
        progress = db.session.get(LessonProgress, attempt.progress_id)
        lesson = progress.lesson
        correct = _grade(lesson, attempt.answers)
        passed = attempt.score >= int(lesson.settings.get("pass_mark", 0))
        yield (
            events.quiz_attempted(progress.enrolment, lesson, attempt, correct, passed),
            progress.enrolment.user_id,
        )
    for progress in db.session.scalars(
        select(LessonProgress).where(
            LessonProgress.status == "done", LessonProgress.completed_at >= since
        )
    ):
        yield events.lesson_completed(progress, with_module=False), progress.enrolment.user_id
    yield from _modules_completed(since)
    for attendance in db.session.scalars(
        select(Attendance).where(Attendance.present, Attendance.recorded_at >= since)
    ):
        enrolment = db.session.get(Enrolment, attendance.enrolment_id)
        session = db.session.get(CohortSession, attendance.session_id)
        yield events.attended(enrolment, session, attendance), enrolment.user_id
    for enrolment in db.session.scalars(select(Enrolment).where(Enrolment.completed_at >= since)):
        yield events.course_completed(enrolment), enrolment.user_id
    for certificate in db.session.scalars(
        select(Certificate).where(Certificate.issued_at >= since)
    ):
        yield events.earned(certificate), certificate.enrolment.user_id


def _modules_completed(since: datetime):
    """Each module completed since ``since``, at the time of the lesson that completed it (the
    last of its required lessons done)."""
    required = (Lesson.required.is_(True), Lesson.archived_at.is_(None))
    totals = dict(
        db.session.execute(
            select(Lesson.module_id, func.count()).where(*required).group_by(Lesson.module_id)
        ).all()
    )
    done = db.session.execute(
        select(
            LessonProgress.enrolment_id,
            Lesson.module_id,
            func.max(LessonProgress.completed_at),
            func.count(),
        )  # fmt: skip
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(LessonProgress.status == "done", *required)
        .group_by(LessonProgress.enrolment_id, Lesson.module_id)
        .having(func.max(LessonProgress.completed_at) >= since)
    ).all()
    for enrolment_id, module_id, moment, count in done:
        if count >= totals.get(module_id, 0) > 0:
            enrolment = db.session.get(Enrolment, enrolment_id)
            module = db.session.get(Module, module_id)
            yield events.module_completed(enrolment, module, moment), enrolment.user_id


def _grade(lesson, answers) -> dict[str, bool]:
    return grade(lesson.live_questions, answers)


def replay(since: datetime) -> tuple[int, int]:
    """Queue what is missing; (queued, already in the outbox)."""
    known_ids = set(db.session.scalars(select(XapiStatement.statement_id)))
    found: list[tuple[str, int, dict]] = []
    for statements, user_id in _made(since):
        found.extend((s["timestamp"], user_id, s) for s in statements)
    found.sort(key=lambda item: item[0])
    missing = [(user_id, s) for _t, user_id, s in found if s["id"] not in known_ids]
    seen: set[str] = set()
    for user_id, statement in missing:
        if statement["id"] not in seen:
            seen.add(statement["id"])
            enqueue([statement], user_id)
    return len(seen), len(found) - len(missing)
