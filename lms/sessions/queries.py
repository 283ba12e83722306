"""Read side of sessions: a cohort's sessions with their attendance figures, the session lessons
to schedule, a session of a cohort, the attendance sheet."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select
from sqlalchemy.orm import contains_eager, joinedload

from curriculum.db import db
from curriculum.models import Lesson, live_lessons
from lms.cohorts.models import Cohort
from lms.errors import NotFound
from lms.learning.models import Enrolment
from lms.users.models import User

from .models import Attendance, CohortSession


@dataclass
class SessionItem:
    session: CohortSession
    present: int
    recorded: int


def sessions_of(cohort: Cohort) -> list[SessionItem]:
    present = func.coalesce(func.sum(func.cast(Attendance.present, db.Integer)), 0)
    rows = db.session.execute(
        select(CohortSession, present, func.count(Attendance.id))
        .options(joinedload(CohortSession.lesson))
        .outerjoin(Attendance, Attendance.session_id == CohortSession.id)
        .where(CohortSession.cohort_id == cohort.id)
        .group_by(CohortSession.id)
        .order_by(CohortSession.starts_at)
    ).all()
    return [SessionItem(session, int(p or 0), int(r or 0)) for session, p, r in rows]


def session_lessons(cohort: Cohort) -> list[Lesson]:
    return list(
        db.session.scalars(
            live_lessons(cohort.course_id)
            .options(contains_eager(Lesson.module))
            .where(Lesson.kind == "session")
        )
    )


def session_in_cohort(cohort: Cohort, session_id: int) -> CohortSession:
    """A session of this cohort; a session of another cohort is not found here (404)."""
    session = db.session.get(CohortSession, session_id)
    if session is None or session.cohort_id != cohort.id:
        raise NotFound()
    return session


@dataclass
class AttendanceLine:
    enrolment_id: int
    name: str
    present: bool | None


def attendance_sheet(session: CohortSession) -> list[AttendanceLine]:
    """Every learner of the session's cohort with what is recorded for them (one query)."""
    rows = db.session.execute(
        select(Enrolment.id, User.name, Attendance.present)
        .join(User, User.id == Enrolment.user_id)
        .outerjoin(
            Attendance,
            and_(Attendance.enrolment_id == Enrolment.id, Attendance.session_id == session.id),
        )
        .where(Enrolment.cohort_id == session.cohort_id, Enrolment.status != "withdrawn")
        .order_by(User.name, Enrolment.id)
    )
    return [AttendanceLine(enrolment_id, name, present) for enrolment_id, name, present in rows]
