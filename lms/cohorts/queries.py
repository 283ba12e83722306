"""Read side of cohorts: the trainer's list, a learner's detail, the review queue, sessions and
attendance sheets, announcements and notifications. The dashboard's figures are in
``dashboard.py``."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import contains_eager, joinedload

from curriculum.db import db
from curriculum.models import Course, Lesson, Module
from lms.errors import NotFound
from lms.learning.models import Enrolment, LessonProgress, Submission
from lms.users.models import User, UserRole

from .models import Announcement, Attendance, Cohort, CohortSession, Notification, cohort_trainers

# -- cohorts ------------------------------------------------------------------------------------


def cohort_by_id(cohort_id: int) -> Cohort:
    """The cohort with its course and trainers, in one query (404 if there is none)."""
    statement = (
        select(Cohort)
        .options(joinedload(Cohort.course), joinedload(Cohort.trainers))
        .where(Cohort.id == cohort_id)
    )
    cohort = db.session.scalars(statement).unique().first()
    if cohort is None:
        raise NotFound()
    return cohort


def managed_cohorts_filter(user):
    """A WHERE clause: the cohorts ``user`` manages (every cohort for an administrator)."""
    if user.is_admin:
        return true()
    return Cohort.id.in_(
        select(cohort_trainers.c.cohort_id).where(cohort_trainers.c.user_id == user.id)
    )


@dataclass
class CohortListItem:
    cohort: Cohort
    learners: int


def managed_cohorts(user) -> list[CohortListItem]:
    """The cohorts ``user`` trains (all of them for an administrator), newest first, with sizes."""
    cohorts = list(
        db.session.scalars(
            select(Cohort)
            .options(joinedload(Cohort.course))
            .where(managed_cohorts_filter(user))
            .order_by(Cohort.archived_at.is_not(None), Cohort.starts_on.desc(), Cohort.id.desc())
        )
    )
    sizes = (
        dict(
            db.session.execute(
                select(Enrolment.cohort_id, func.count())
                .where(Enrolment.cohort_id.in_([c.id for c in cohorts]))
                .group_by(Enrolment.cohort_id)
            ).all()
        )
        if cohorts
        else {}
    )
    return [CohortListItem(cohort, sizes.get(cohort.id, 0)) for cohort in cohorts]


def cohort_size(cohort: Cohort) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Enrolment).where(Enrolment.cohort_id == cohort.id)
    )


def staff_choices() -> list[User]:
    """People who may train a cohort: trainers and administrators."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.active.is_(True),
                User.id.in_(
                    select(UserRole.user_id).where(UserRole.role.in_(("trainer", "admin")))
                ),
            )
            .order_by(User.name, User.id)
        ).unique()
    )


def open_courses() -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .where(Course.published.is_(True), Course.archived_at.is_(None))
            .order_by(Course.slug)
        )
    )


def other_cohorts_of_course(cohort: Cohort, user) -> list[Cohort]:
    """Cohorts of the same course that ``user`` manages, to move a learner into."""
    return list(
        db.session.scalars(
            select(Cohort)
            .where(
                Cohort.course_id == cohort.course_id,
                Cohort.id != cohort.id,
                Cohort.archived_at.is_(None),
                managed_cohorts_filter(user),
            )
            .order_by(Cohort.name)
        )
    )


# -- one learner --------------------------------------------------------------------------------


@dataclass
class LessonLine:
    lesson: Lesson
    progress: LessonProgress | None
    submission: Submission | None
    attendance: list[tuple[CohortSession, Attendance | None]]


def enrolment_in_cohort(cohort: Cohort, enrolment_id: int) -> Enrolment:
    """A learner of this cohort (404 for anyone else: an enrolment elsewhere is not this page's)."""
    enrolment = (
        db.session.scalars(
            select(Enrolment)
            .options(joinedload(Enrolment.user))
            .where(Enrolment.id == enrolment_id)
        )
        .unique()
        .first()
    )
    if enrolment is None or enrolment.cohort_id != cohort.id:
        raise NotFound()
    return enrolment


def learner_detail(cohort: Cohort, enrolment: Enrolment) -> list[tuple[Module, list[LessonLine]]]:
    """Per module and lesson: status, score, attempts, submission and attendance (5 queries)."""
    lessons = list(
        db.session.scalars(
            select(Lesson)
            .join(Lesson.module)
            .options(contains_eager(Lesson.module))
            .where(
                Lesson.course_id == cohort.course_id,
                Lesson.archived_at.is_(None),
                Module.archived_at.is_(None),
            )
            .order_by(Module.position, Lesson.position)
        )
    )
    progress = {
        row.lesson_id: row
        for row in db.session.scalars(
            select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
        )
    }
    submissions = {
        row.lesson_id: row
        for row in db.session.scalars(
            select(Submission).where(Submission.enrolment_id == enrolment.id)
        )
    }
    attendance: dict[int, list[tuple[CohortSession, Attendance | None]]] = {}
    for session, mark in db.session.execute(
        select(CohortSession, Attendance)
        .outerjoin(
            Attendance,
            and_(
                Attendance.session_id == CohortSession.id, Attendance.enrolment_id == enrolment.id
            ),
        )
        .where(CohortSession.cohort_id == cohort.id)
        .order_by(CohortSession.starts_at)
    ):
        attendance.setdefault(session.lesson_id, []).append((session, mark))
    grouped: list[tuple[Module, list[LessonLine]]] = []
    for lesson in lessons:
        if not grouped or grouped[-1][0].id != lesson.module_id:
            grouped.append((lesson.module, []))
        grouped[-1][1].append(
            LessonLine(
                lesson,
                progress.get(lesson.id),
                submissions.get(lesson.id),
                attendance.get(lesson.id, []),
            )
        )
    return grouped


# -- reviews ------------------------------------------------------------------------------------


def review_queue(user) -> list[Submission]:
    """Work handed in and waiting for review in the cohorts ``user`` trains, oldest first."""
    statement = (
        select(Submission)
        .join(Submission.enrolment)
        .join(Enrolment.user)
        .join(Submission.lesson)
        .join(Lesson.module)
        .outerjoin(Enrolment.cohort)
        .options(
            contains_eager(Submission.enrolment).contains_eager(Enrolment.user),
            contains_eager(Submission.enrolment).contains_eager(Enrolment.cohort),
            contains_eager(Submission.lesson).contains_eager(Lesson.module),
        )
        .where(Submission.status == "submitted")
        .order_by(Submission.submitted_at, Submission.id)
    )
    if not user.is_admin:
        statement = statement.where(managed_cohorts_filter(user))
    return list(db.session.scalars(statement).unique())


def submission_by_id(submission_id: int) -> Submission:
    submission = (
        db.session.scalars(
            select(Submission)
            .options(
                joinedload(Submission.enrolment).joinedload(Enrolment.user),
                joinedload(Submission.lesson),
            )
            .where(Submission.id == submission_id)
        )
        .unique()
        .first()
    )
    if submission is None:
        raise NotFound()
    return submission


# -- sessions and attendance --------------------------------------------------------------------


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
            select(Lesson)
            .join(Lesson.module)
            .options(contains_eager(Lesson.module))
            .where(
                Lesson.course_id == cohort.course_id,
                Lesson.kind == "session",
                Lesson.archived_at.is_(None),
                Module.archived_at.is_(None),
            )
            .order_by(Module.position, Lesson.position)
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


# -- announcements and notifications ------------------------------------------------------------


def announcements_of(cohort: Cohort) -> list[Announcement]:
    return list(
        db.session.scalars(
            select(Announcement)
            .where(Announcement.cohort_id == cohort.id)
            .order_by(Announcement.created_at.desc())
        )
    )


def announcement_by_id(announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound()
    return announcement


def is_member(user, cohort_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.user_id == user.id, Enrolment.cohort_id == cohort_id)
        )
    )


def unread_count_column():
    """The number of unread notifications of the ``User`` row being selected (a correlated
    subquery, so the menu's count costs no query of its own)."""
    from lms.users.models import User

    return (
        select(func.count(Notification.id))
        .where(Notification.user_id == User.id, Notification.read_at.is_(None))
        .correlate(User)
        .scalar_subquery()
    )


def unread_count(user) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def notifications_of(user, limit: int = 100) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )
