"""Grades back through AGS 2.0: a learner's best quiz score or course progress, once it changes,
becomes an ``LtiScore`` row in the learner's transaction (nothing is sent in the request); after
the commit a sender (a Celery task, else a thread of this process) posts the queued scores to the
platforms' line items, oldest first. A score that fails stays queued (tried again after a wait
that doubles), and the later scores of the same learner and line item wait behind it, so a
platform that is down loses nothing and receives them in order; one the platform refuses for
good, or that failed too often, is set aside for the administrators (``score_errors``). A
placement launched without a line item (only the context's ``lineitems``) gets one found or
created by the sender (``lineitems``); ``score_sender`` claims and posts. A score goes only to
the placements of the contexts the learner belongs to (``_placements``)."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import and_, func, or_, select

from curriculum.db import db, utcnow
from lms.jobs import senders
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.queries import outline
from lms.signals import lesson_completed, quiz_attempted

from .grade_models import LtiScore
from .lineitems import SCORE_SCOPE
from .models import LtiContext, LtiResourceLink, LtiUserLink
from .score_errors import retry_delay
from .score_sender import RunConnector, send_pending

__all__ = ["SCORE_SCOPE", "RunConnector", "enqueue", "send_pending"]

log = logging.getLogger("lms.lti")
PENDING_KEY = "lms_lti_scores_pending"
EXECUTOR_KEY = "lti_scores_executor"
RETRY_INTERVAL = 60.0
#: two scores of one learner and line item are at least this far apart: platforms order scores
#: by their timestamps, Moodle to the second (it refuses a score not later than the last one)
TICK = timedelta(seconds=1)


def _placements(user_id: int, target: str) -> list[tuple[LtiResourceLink, LtiUserLink]]:
    """The resource links placing ``target`` with a line item (or the right to create one) in a
    platform's context the learner belongs to through LTI: her enrolment in the course is in the
    cohort that context maps to (a launch from that context put her there, or its roster did).
    The same target placed in another context of the platform is another course's grade book,
    and a placement without a context has no grade book (AGS line items belong to a context)."""
    rows = db.session.execute(
        select(LtiResourceLink, LtiUserLink)
        .join(LtiContext, LtiContext.id == LtiResourceLink.context_id)
        .join(
            Enrolment,
            and_(
                Enrolment.user_id == user_id,
                Enrolment.course_id == LtiContext.course_id,
                Enrolment.cohort_id == LtiContext.cohort_id,
            ),
        )
        .join(
            LtiUserLink,
            and_(
                LtiUserLink.user_id == user_id,
                LtiUserLink.platform_id == LtiResourceLink.platform_id,
            ),
        )
        .where(
            LtiResourceLink.target == target,
            LtiContext.platform_id == LtiResourceLink.platform_id,
            or_(
                LtiResourceLink.lineitem_url.is_not(None),
                LtiResourceLink.lineitems_url.is_not(None),
            ),
        )
    ).all()
    return [(link, user_link) for link, user_link in rows]


def _timestamp(user_id: int, link_id: int):
    """Now, or a second after this learner's last score for the placement if that is later."""
    last = db.session.scalar(
        select(func.max(LtiScore.changed_at)).where(
            LtiScore.user_id == user_id, LtiScore.resource_link_id == link_id
        )
    )
    now = utcnow()
    return now if last is None or last + TICK <= now else last + TICK


def enqueue(user_id: int, target: str, given: float, activity: str, grading: str) -> None:
    for link, user_link in _placements(user_id, target):
        db.session.add(LtiScore(platform_id=link.platform_id, user_id=user_id,
                                subject=user_link.subject, resource_link_id=link.id,
                                lineitem_url=link.lineitem_url, score_given=given,
                                score_maximum=100, activity_progress=activity,
                                grading_progress=grading,
                                changed_at=_timestamp(user_id, link.id)))  # fmt: skip
        senders.wake_after_commit(PENDING_KEY)


def on_quiz_attempted(sender, enrolment, lesson, attempt, passed, **extra) -> None:
    """A new best score (or the same best again) of a quiz placed in a platform."""

    progress = db.session.get(LessonProgress, attempt.progress_id)
    if progress is None or attempt.score < (progress.score or 0):
        return
    path = f"{enrolment.course.slug}/{lesson.module.slug}/{lesson.slug}"
    enqueue(enrolment.user_id, path, float(progress.score), "Completed" if passed else "Submitted",
            "FullyGraded")  # fmt: skip


def on_lesson_completed(sender, progress, **extra) -> None:
    """The course's progress (percent of its lessons done), to a placement of the whole course:
    ``InProgress`` until it is done, each value a grade of its own (``FullyGraded``: Moodle, for
    one, drops the score of any other grading progress, and the gradebook would stay empty)."""

    enrolment = progress.enrolment
    if not _placements(enrolment.user_id, enrolment.course.slug):
        return  # the common case: no platform placed this course (no outline computed)
    percent = outline(enrolment.course, enrolment.user).percent
    done = percent >= 100
    enqueue(enrolment.user_id, enrolment.course.slug, float(percent),
            "Completed" if done else "InProgress", "FullyGraded")  # fmt: skip


def connect(app: Flask) -> None:
    quiz_attempted.connect(on_quiz_attempted, sender=app, weak=False)
    lesson_completed.connect(on_lesson_completed, sender=app, weak=False)


def wake_sender(app: Flask) -> None:
    senders.wake(app, task="lms.lti.send_scores", send=send_pending, executor=EXECUTOR_KEY,
                 what="the LTI scores")  # fmt: skip


senders.on_commit(PENDING_KEY, lambda app: wake_sender(app))


def register_tasks(celery, flask_app: Flask, options: dict[str, Any]) -> None:
    @celery.task(name="lms.lti.send_scores", bind=True, **options)
    def send_scores(task) -> dict[str, int]:
        outcome = send_pending(flask_app)
        if outcome["failed"]:
            wait = retry_delay(task.request.retries + 1).total_seconds()
            raise task.retry(countdown=wait, max_retries=20)
        return outcome

    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "lms-lti-scores": {
            "task": "lms.lti.send_scores",
            "schedule": RETRY_INTERVAL,
            "options": {"queue": flask_app.config["LMS_CELERY_QUEUE"]},
        },
    }
