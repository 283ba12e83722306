"""Read side of the SCORM runtime: the player of a lesson page, the data a launch resumes with,
the lesson and enrolment a commit is for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course, Lesson, Module
from lms.errors import NotAllowed, NotFound
from lms.i18n import current_language
from lms.learning.models import Enrolment
from lms.users.models import User

from . import cmi as cmi_data
from .content import Grant, content_url
from .models import ScormAttempt


@dataclass
class Player:
    content_url: str
    #: None in a preview (a trainer or an administrator not enrolled): nothing is recorded
    number: int | None
    attempt: ScormAttempt | None
    #: the key the lesson page keeps unsent commits under (per learner, lesson and attempt)
    attempt_key: str
    script: str = "scorm/player.js"


def latest_attempt(enrolment: Enrolment, lesson: Lesson) -> ScormAttempt | None:
    return db.session.scalar(
        select(ScormAttempt)
        .where(ScormAttempt.enrolment_id == enrolment.id, ScormAttempt.lesson_id == lesson.id)
        .order_by(ScormAttempt.number.desc())
        .limit(1)
    )


def player_for(lesson: Lesson, enrolment: Enrolment | None, user) -> Player:
    """The attempt the page plays: the latest one, or a new one when there is none yet or the
    lesson's package changed since (created by its first commit)."""
    package = lesson.settings["scorm"]
    attempt, number = None, None
    if enrolment is not None:
        attempt = latest_attempt(enrolment, lesson)
        if attempt is None:
            number = 1
        elif attempt.package_sha256 != package["sha256"]:
            attempt, number = None, attempt.number + 1
        else:
            number = attempt.number
    grant = Grant(
        user_id=user.id,
        enrolment_id=enrolment.id if enrolment else None,
        lesson_id=lesson.id,
        number=number or 0,
        package=package["sha256"],
        version=package["version"],
    )
    return Player(
        content_url=content_url(grant, package["launch"]),
        number=number,
        attempt=attempt,
        attempt_key=f"{user.id}-{lesson.id}-{number or 0}",
    )


def resume_data(grant: Grant) -> dict[str, Any]:
    """The CMI data a launch starts with: the attempt's, with the learner's id and name."""
    attempt = None
    if grant.enrolment_id is not None:
        attempt = db.session.scalar(
            select(ScormAttempt).filter_by(
                enrolment_id=grant.enrolment_id, lesson_id=grant.lesson_id, number=grant.number
            )
        )
    user = db.session.get(User, grant.user_id)
    lesson = db.session.get(Lesson, grant.lesson_id)
    if user is None or lesson is None:
        raise NotFound()
    mastery = (lesson.settings.get("scorm") or {}).get("mastery_score")
    return cmi_data.resume_cmi(
        grant.version, attempt, str(user.id), user.name, mastery, current_language()
    )


def lesson_for_commit(lesson_id: int, user) -> tuple[Lesson, Enrolment]:
    """A live scorm lesson (else 404) of a course the user is enrolled in (else 403)."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or lesson.archived_at is not None or lesson.kind != "scorm":
        raise NotFound()
    enrolment = db.session.scalar(
        select(Enrolment).filter_by(user_id=user.id, course_id=lesson.course_id)
    )
    if enrolment is None:
        raise NotAllowed()
    return lesson, enrolment


def module_choices(language: str) -> list[tuple[int, str]]:
    """Every live module, as "Course › Module", for the upload form."""
    rows = db.session.execute(
        select(Module, Course)
        .join(Course, Module.course_id == Course.id)
        .where(Module.archived_at.is_(None), Course.archived_at.is_(None))
        .order_by(Course.slug, Module.position)
    ).all()
    return [(module.id, f"{course.title(language)} › {module.title(language)}")
            for module, course in rows]  # fmt: skip


def live_module(module_id: int):
    module = db.session.get(Module, module_id)
    if module is None or module.archived_at is not None or module.course.archived_at is not None:
        raise NotFound()
    return module
