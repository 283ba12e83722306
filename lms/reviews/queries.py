"""Read side of reviews: the queue of work waiting in the cohorts a trainer runs, one piece of
work loaded for its reviewer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from curriculum.db import db
from curriculum.models import Lesson
from lms.access import authorized
from lms.cohorts.queries import managed_cohorts_filter
from lms.learning.models import Enrolment, Submission


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


def reviewable_submission(submission_id: int, user) -> Submission:
    """The work with its learner and lesson (404 if none), for a reviewer of it (403 otherwise)."""
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
    return authorized(submission, "can_review", user)
