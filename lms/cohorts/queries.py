"""Read side of cohorts: the trainer's list, a cohort loaded for its manager, a learner's detail.
The dashboard's figures are in ``dashboard.py``."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, true
from sqlalchemy.orm import contains_eager, joinedload

from curriculum.db import db
from curriculum.models import Course, Lesson, Module, live_lessons
from lms.access import authorized
from lms.errors import Conflict, NotFound
from lms.learning.models import Enrolment, LessonProgress, Submission
from lms.sessions.models import Attendance, CohortSession
from lms.users.models import User, UserRole

from .models import Cohort, CohortInvitation, RosterImport, cohort_trainers

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


def managed_cohort(cohort_id: int, user) -> Cohort:
    """The cohort (404 if none) if ``user`` manages it (403 otherwise)."""
    return authorized(cohort_by_id(cohort_id), "can_manage", user)


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


def roster_import_of(cohort: Cohort, import_id: int) -> RosterImport:
    """A roster import of this cohort (404 for an import of another cohort)."""
    imported = db.session.get(RosterImport, import_id)
    if imported is None or imported.cohort_id != cohort.id:
        raise NotFound()
    return imported


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
        db.session.scalars(live_lessons(cohort.course_id).options(contains_eager(Lesson.module)))
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


def check_room(cohort: Cohort, adding: int) -> None:
    if cohort.capacity is None or adding <= 0:
        return
    free = cohort.capacity - cohort_size(cohort)
    if adding > free:
        raise Conflict(
            _(
                "This cohort has room for %(free)d more learners (capacity %(capacity)d).",
                free=max(free, 0),
                capacity=cohort.capacity,
            )
        )


def invitation_for(invitation_id: int, user) -> CohortInvitation:
    """An invitation, for the person invited (404 for anyone else)."""
    return authorized(
        db.session.get(CohortInvitation, invitation_id), "can_answer", user, hide=True
    )


def pending_invitations(cohort: Cohort) -> list[CohortInvitation]:
    """Who was invited to the cohort and has not answered yet (what the trainer sees of them)."""
    return list(
        db.session.scalars(
            select(CohortInvitation)
            .options(joinedload(CohortInvitation.user))
            .where(
                CohortInvitation.cohort_id == cohort.id,
                CohortInvitation.accepted_at.is_(None),
                CohortInvitation.declined_at.is_(None),
            )
            .order_by(CohortInvitation.created_at, CohortInvitation.id)
        ).unique()
    )
