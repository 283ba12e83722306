"""Grades back through AGS 2.0: a learner's best quiz score or course progress, once it changes,
becomes an ``LtiScore`` row in the learner's transaction (nothing is sent in the request); after
the commit a sender (a Celery task, else a thread of this process) posts the queued scores to the
platforms' line items, oldest first. A score that fails stays queued, and the later scores of the
same learner and line item wait behind it, so a platform that is down loses nothing and receives
them in order."""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

from flask import Flask
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import select

from curriculum.db import db, utcnow
from lms.jobs import senders
from lms.learning.models import LessonProgress
from lms.learning.queries import outline
from lms.signals import lesson_completed, quiz_attempted

from .grade_models import LtiScore
from .models import LtiPlatform, LtiResourceLink, LtiUserLink
from .tool_config import DatabaseToolConf

log = logging.getLogger("lms.lti")
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
PENDING_KEY = "lms_lti_scores_pending"
EXECUTOR_KEY = "lti_scores_executor"
RETRY_INTERVAL = 60.0
_sending = threading.Lock()  # one sender per process (Celery runs one task at a time per key)


class RunConnector(ServiceConnector):
    """Access tokens kept for one sending run (a token is never reused across key rotations)."""

    def __init__(self, registration) -> None:
        super().__init__(registration)
        self._tokens: dict[str, str] = {}

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return self._tokens.get(scope_key)

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        self._tokens[scope_key] = access_token


def _placements(user_id: int, target: str) -> list[tuple[LtiResourceLink, LtiUserLink]]:
    """The resource links placing ``target`` with a line item, on platforms the user came from."""
    rows = db.session.execute(
        select(LtiResourceLink, LtiUserLink)
        .join(LtiUserLink, LtiUserLink.platform_id == LtiResourceLink.platform_id)
        .where(
            LtiUserLink.user_id == user_id,
            LtiResourceLink.target == target,
            LtiResourceLink.lineitem_url.is_not(None),
        )
    ).all()
    return [(link, user_link) for link, user_link in rows]


def enqueue(user_id: int, target: str, given: float, activity: str, grading: str) -> None:
    for link, user_link in _placements(user_id, target):
        db.session.add(LtiScore(platform_id=link.platform_id, user_id=user_id,
                                subject=user_link.subject, lineitem_url=link.lineitem_url,
                                score_given=given, score_maximum=100, activity_progress=activity,
                                grading_progress=grading, changed_at=utcnow()))  # fmt: skip
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
    """The course's progress (percent of its lessons done), to a placement of the whole course."""

    enrolment = progress.enrolment
    if not _placements(enrolment.user_id, enrolment.course.slug):
        return  # the common case: no platform placed this course (no outline computed)
    percent = outline(enrolment.course, enrolment.user).percent
    done = percent >= 100
    enqueue(enrolment.user_id, enrolment.course.slug, float(percent),
            "Completed" if done else "InProgress", "FullyGraded" if done else "Pending")  # fmt: skip


def connect(app: Flask) -> None:
    quiz_attempted.connect(on_quiz_attempted, sender=app, weak=False)
    lesson_completed.connect(on_lesson_completed, sender=app, weak=False)


def wake_sender(app: Flask) -> None:
    senders.wake(app, task="lms.lti.send_scores", send=send_pending, executor=EXECUTOR_KEY,
                 what="the LTI scores")  # fmt: skip


senders.on_commit(PENDING_KEY, lambda app: wake_sender(app))


def _body(row: LtiScore) -> str:
    return json.dumps({
        "userId": row.subject,
        "scoreGiven": row.score_given,
        "scoreMaximum": row.score_maximum,
        "activityProgress": row.activity_progress,
        "gradingProgress": row.grading_progress,
        "timestamp": row.changed_at.isoformat(),
    })  # fmt: skip


def _describe(error: Exception) -> str:
    """What failed, for the administrators: the platform's status and answer when it gave one."""
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "status_code"):
        return f"{type(error).__name__}: HTTP {response.status_code} {response.text[:300]}"
    return f"{type(error).__name__}: {error}"


def scores_url(lineitem_url: str) -> str:
    base, _, query = lineitem_url.partition("?")
    return base.rstrip("/") + "/scores" + (f"?{query}" if query else "")


def send_pending(app: Flask) -> dict[str, int]:
    """Post the queued scores, oldest first; a failure holds back that learner's line item."""
    sent = failed = 0
    with _sending, app.app_context():
        conf = DatabaseToolConf()
        connectors: dict[int, RunConnector | None] = {}
        blocked: set[tuple[int, str]] = set()
        rows = db.session.scalars(
            select(LtiScore).where(LtiScore.status == "queued").order_by(LtiScore.id)
        ).all()
        for row in rows:
            key = (row.user_id, row.lineitem_url)
            if key in blocked:
                continue
            if row.platform_id not in connectors:
                registration = conf._registration(db.session.get(LtiPlatform, row.platform_id))
                connectors[row.platform_id] = registration and RunConnector(registration)
            connector = connectors[row.platform_id]
            try:
                if connector is None:
                    raise RuntimeError("the platform is disabled")
                connector.make_service_request([SCORE_SCOPE], scores_url(row.lineitem_url),
                                               is_post=True, data=_body(row),
                                               content_type="application/vnd.ims.lis.v1.score+json")  # fmt: skip
            except Exception as error:  # down, refused, disabled: the row waits, in its place
                row.attempts += 1
                row.last_error = _describe(error)[:1000]
                blocked.add(key)
                failed += 1
            else:
                row.status, row.sent_at, row.last_error = "sent", utcnow(), None
                sent += 1
            db.session.commit()
    return {"sent": sent, "failed": failed}


def register_tasks(celery, flask_app: Flask, options: dict[str, Any]) -> None:
    @celery.task(name="lms.lti.send_scores", bind=True, **options)
    def send_scores(task) -> dict[str, int]:
        outcome = send_pending(flask_app)
        if outcome["failed"]:
            raise task.retry(countdown=min(30 * 2**task.request.retries, 3600), max_retries=20)
        return outcome

    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "lms-lti-scores": {
            "task": "lms.lti.send_scores",
            "schedule": RETRY_INTERVAL,
            "options": {"queue": flask_app.config["LMS_CELERY_QUEUE"]},
        },
    }
