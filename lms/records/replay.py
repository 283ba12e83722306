"""``lms xapi replay``: the learning events recorded in the database since a date, made into
statements again (the same functions and ids as the live events) and queued when the outbox does
not hold them yet, oldest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db
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
        lesson = db.session.get(events.Lesson, opening.lesson_id)
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
        yield events.lesson_completed(progress), progress.enrolment.user_id
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
