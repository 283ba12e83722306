"""Verbs of the SCORM runtime: record a commit, start a new attempt, add a package to a module.

A commit completed or passed marks the lesson done with the package's score through the learning
area's own verbs (``progress_for``, ``set_done``, ``complete_if_finished``), so progress,
dashboards, certificates and the learning-event signals (hence xAPI) follow as for a quiz.
They flush; the view commits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from curriculum.db import db, utcnow
from curriculum.models import Lesson, Module
from curriculum.scorm import ScormPackageError, inspect_package, store_package
from lms.audit.operations import record
from lms.errors import InvalidInput, NotFound
from lms.learning.models import Enrolment
from lms.learning.operations import complete_if_finished, get_or_create, progress_for, set_done

from . import cmi as cmi_data
from .models import ScormAttempt


@dataclass(frozen=True)
class Commit:
    """One commit as the lesson page sends it (lms/static/scorm/player.js): the launch's
    session key and sequence number, the package page it came from, and when the runtime made
    it (``at``: the device's clock in ms, never later than the server's; now when absent)."""

    session: str
    sequence: int
    terminate: bool
    cmi: dict[str, Any]
    at: datetime
    page: str = ""

    @classmethod
    def parse(cls, payload: Any, now: datetime | None = None) -> Commit:
        if not isinstance(payload, dict):
            raise InvalidInput(_("This commit is not a JSON object."))
        session, sequence, cmi = payload.get("session"), payload.get("sequence"), payload.get("cmi")
        if not isinstance(session, str) or not 0 < len(session) <= 40:
            raise InvalidInput(_("This commit has no valid session."))
        if not isinstance(sequence, int) or isinstance(sequence, bool) or sequence < 0:
            raise InvalidInput(_("This commit has no valid sequence number."))
        if not isinstance(cmi, dict):
            raise InvalidInput(_("This commit has no CMI data."))
        page = payload.get("page")
        page = page if isinstance(page, str) and 0 < len(page) <= 40 else session
        now = now or utcnow()
        return cls(session, sequence, bool(payload.get("terminate")), cmi,
                   min(_client_time(payload.get("at")) or now, now), page)  # fmt: skip


def _client_time(value: Any) -> datetime | None:
    """A JavaScript time (ms since 1970) as a datetime; None if it is not a plausible one."""
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 < value < 2**45:
        return None
    return datetime.fromtimestamp(value / 1000, UTC)


def check_scorm_lesson(enrolment: Enrolment, lesson: Lesson) -> dict[str, Any]:
    if lesson.course_id != enrolment.course_id or lesson.archived_at is not None:
        raise NotFound(_("This lesson is not part of your course."))
    if lesson.kind != "scorm" or "scorm" not in lesson.settings:
        raise InvalidInput(_("This action does not apply to this kind of lesson."))
    return lesson.settings["scorm"]


def latest_number(enrolment: Enrolment, lesson: Lesson) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(ScormAttempt.number), 0)).where(
            ScormAttempt.enrolment_id == enrolment.id, ScormAttempt.lesson_id == lesson.id
        )
    )


@dataclass(frozen=True)
class CommitResult:
    attempt: ScormAttempt
    #: the lesson is done (by this commit or before)
    done: bool


def record_commit(
    enrolment: Enrolment, lesson: Lesson, number: int, commit: Commit
) -> CommitResult:
    """Keep a commit's CMI data in the attempt (created by its first commit); a commit older than
    the attempt's stored state (``_outdated``) changes nothing."""
    package = check_scorm_lesson(enrolment, lesson)
    if number < 1 or number > latest_number(enrolment, lesson) + 1:
        raise NotFound(_("This attempt does not exist. Reload the page."))
    attempt, _created = get_or_create(
        ScormAttempt,
        defaults={"package_sha256": package["sha256"], "version": package["version"]},
        enrolment_id=enrolment.id,
        lesson_id=lesson.id,
        number=number,
    )
    # One commit of an attempt at a time (PostgreSQL row lock; SQLite locks the file).
    db.session.execute(
        select(ScormAttempt.id).where(ScormAttempt.id == attempt.id).with_for_update()
    )
    db.session.refresh(attempt)
    if _outdated(attempt, commit):
        return CommitResult(attempt, progress_for(enrolment, lesson).done)
    if commit.session != attempt.session_key:  # a new launch: the last one's time is kept
        attempt.session_key = commit.session
        attempt.sessions += 1
    if commit.page != attempt.page_key:  # a new launch or page: a new SCORM session time
        attempt.earlier_seconds += attempt.session_seconds
        attempt.session_seconds = 0
        attempt.page_key = commit.page
    attempt.committed_at = max(commit.at, attempt.committed_at or commit.at)
    values = cmi_data.read_commit(attempt.version, commit.cmi)
    for name in ("location", "suspend_data", "lesson_status", "completion_status",
                 "success_status", "score_raw", "score_min", "score_max", "score_scaled",
                 "session_time", "session_seconds"):  # fmt: skip
        setattr(attempt, name, getattr(values, name))
    attempt.score = cmi_data.percent(values)
    attempt.cmi = commit.cmi
    attempt.sequence = commit.sequence
    attempt.commits += 1
    attempt.updated_at = utcnow()
    progress = progress_for(enrolment, lesson)
    if cmi_data.is_finished(attempt.version, values):
        attempt.completed_at = attempt.completed_at or attempt.updated_at
        if attempt.score is not None:
            progress.score = max(progress.score or 0, attempt.score)
        db.session.flush()
        if set_done(progress) or enrolment.status == "completed":
            complete_if_finished(enrolment)
    db.session.flush()
    return CommitResult(attempt, progress.done)


def _outdated(attempt: ScormAttempt, commit: Commit) -> bool:
    """A commit older than the stored state: an earlier one of the same launch (a retry that
    arrives late), or one made before the stored state by another launch (another device's, or
    one a device kept while offline and sends at the next visit)."""
    if commit.session == attempt.session_key:
        return commit.sequence <= attempt.sequence
    return attempt.committed_at is not None and commit.at < attempt.committed_at


def start_again(enrolment: Enrolment, lesson: Lesson) -> ScormAttempt:
    """A new attempt from the beginning (the earlier ones are kept; the lesson stays done)."""
    package = check_scorm_lesson(enrolment, lesson)
    attempt, _created = get_or_create(
        ScormAttempt,
        defaults={"package_sha256": package["sha256"], "version": package["version"]},
        enrolment_id=enrolment.id,
        lesson_id=lesson.id,
        number=latest_number(enrolment, lesson) + 1,
    )
    return attempt


# -- an administrator adds a package to a module ---------------------------------------------


def _slug_for(module: Module, title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:70] or "scorm"
    taken = {lesson.slug for lesson in module.lessons}
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    return slug


def add_package_lesson(
    user, module: Module, title: str, minutes: int, required: bool, stream, limit_mb: int
) -> Lesson:
    """A new scorm lesson at the end of ``module`` playing the uploaded package (refused with
    the reason if it is not one we play). A re-import of the course's pack keeps it."""
    data = stream.read(limit_mb * 1024 * 1024 + 1)
    if len(data) > limit_mb * 1024 * 1024:
        raise InvalidInput(_("The zip is larger than %(n)d MB.", n=limit_mb))
    try:
        package = inspect_package(data)
        store_package(data, package)
    except ScormPackageError as error:
        raise InvalidInput(error.message) from error
    settings = package.settings()
    settings["scorm"]["uploaded"] = True
    course = module.course
    lesson = Lesson(
        course_id=course.id,
        module=module,
        slug=_slug_for(module, title),
        position=max((lesson.position for lesson in module.lessons), default=0) + 1,
        kind="scorm",
        required=required,
        minutes=minutes,
        titles=dict.fromkeys(course.languages, title.strip()),
        bodies={},
        settings=settings,
        content_hash=package.sha256,
    )
    db.session.add(lesson)
    db.session.flush()
    record(user, "scorm.lesson_added", "lesson", lesson.id, package=package.sha256,
           edition=package.edition, module=f"{course.slug}/{module.slug}")  # fmt: skip
    return lesson
