"""Verbs of team milestones (assignment lessons marked ``team: true`` in the pack): any current
member hands the work in for the whole circle; a facilitator accepts it or asks for changes;
accepted, the lesson is done for every current member (which also unlocks what follows in a
sequential course), and for every learner who joins the circle later (``credit_accepted``). Each
step adds a version row naming who did it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from curriculum.rendering import render_markdown
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput, NotAllowed, NotFound
from lms.i18n import in_language_of
from lms.learning.models import Enrolment
from lms.learning.operations import complete_if_finished, file_limit_mb, progress_for, set_done
from lms.messages.operations import notify
from lms.uploads import BadUpload, display_name, read_upload, store_in_transaction
from lms.urls import path_for
from lms.users.models import User

from .milestone_models import MilestoneDue, TeamSubmission, TeamSubmissionVersion
from .models import Circle

TEXT_MAX = 20000


def is_team_lesson(lesson: Lesson) -> bool:
    return lesson.kind == "assignment" and bool(lesson.settings.get("team"))


def team_lesson_of(circle: Circle, lesson_id: int) -> Lesson:
    """A live team lesson of the circle's course (404 otherwise)."""
    lesson = db.session.get(Lesson, lesson_id)
    if (
        lesson is None
        or lesson.course_id != circle.cohort.course_id
        or lesson.archived_at is not None
        or not is_team_lesson(lesson)
    ):
        raise NotFound()
    return lesson


def submission_of(circle: Circle, lesson: Lesson) -> TeamSubmission | None:
    return db.session.scalar(
        select(TeamSubmission).filter_by(circle_id=circle.id, lesson_id=lesson.id)
    )


def _milestone_path(circle: Circle, lesson: Lesson) -> str:
    return path_for("lms_circles.milestone", circle_id=circle.id, lesson_id=lesson.id)


def hand_in(user: User, circle: Circle, lesson: Lesson, text: str, upload=None) -> TeamSubmission:
    """A current member hands in (or again, after a request for changes) the circle's work."""
    if not circle.is_member(user):
        raise NotAllowed(_("Only the circle's members hand in its work."))
    rules = lesson.settings.get("submission", {})
    text = (text or "").strip()
    has_file = upload is not None and bool(getattr(upload, "filename", ""))
    if len(text) > TEXT_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=TEXT_MAX))
    if has_file and not rules.get("file"):
        raise BadUpload(_("This assignment does not take a file."))
    if not text and not has_file:
        raise InvalidInput(_("Write your answer or attach a file."))
    circle.lock()  # two members handing in at once: one after the other, never two first versions
    if not circle.is_member(user):
        raise NotAllowed(_("Only the circle's members hand in its work."))
    submission = submission_of(circle, lesson)
    if submission is not None:
        db.session.refresh(submission)
    if submission is not None and submission.accepted:
        raise Conflict(_("This milestone was already accepted."))

    stored = None
    if has_file:
        allowed = set(rules.get("file_types", ["pdf", "jpeg", "png"]))
        data, kind = read_upload(upload, file_limit_mb(lesson), allowed)
        path = store_in_transaction(f"circles/{circle.id}", f"milestone-{lesson.id}", data, kind)
        stored = (display_name(upload.filename, kind), kind, len(data), path)
    if submission is None:
        submission = TeamSubmission(circle_id=circle.id, lesson_id=lesson.id, version=0)
        db.session.add(submission)
    elif stored is None:  # a new text keeps the file handed in before
        stored = (submission.file_name, submission.file_type, submission.file_size,
                  submission.file_path)  # fmt: skip
    submission.version += 1
    submission.text = text
    submission.status = "submitted"
    submission.submitted_by_id = user.id
    submission.submitted_at = utcnow()
    if stored is not None:
        (submission.file_name, submission.file_type, submission.file_size,
         submission.file_path) = stored  # fmt: skip
    submission.versions.append(
        TeamSubmissionVersion(
            kind="submitted",
            version=submission.version,
            author_id=user.id,
            text=text,
            file_name=submission.file_name,
            file_type=submission.file_type,
            file_size=submission.file_size,
            file_path=submission.file_path,
        )
    )
    db.session.flush()
    record(user, "milestone.handed_in", "circle", circle.id, lesson=lesson.id,
           version=submission.version)  # fmt: skip
    return submission


def _member_enrolments(circle: Circle, course_id: int) -> list[Enrolment]:
    user_ids = [m.user_id for m in circle.members]
    if not user_ids:
        return []
    return list(
        db.session.scalars(
            select(Enrolment).where(
                Enrolment.user_id.in_(user_ids), Enrolment.course_id == course_id
            )
        )
    )


def credit_accepted(actor: User, circle: Circle, user: User) -> int:
    """A learner joins the circle: its accepted milestones are done for her too, each credited
    to the version the facilitator accepted (audited). Returns how many were credited."""
    enrolment = db.session.scalar(
        select(Enrolment).where(
            Enrolment.user_id == user.id, Enrolment.course_id == circle.cohort.course_id
        )
    )
    if enrolment is None:
        return 0
    accepted = db.session.scalars(
        select(TeamSubmission)
        .filter_by(circle_id=circle.id, status="accepted")
        .order_by(TeamSubmission.id)
    )
    credited = 0
    for submission in accepted:
        if submission.lesson.archived_at is not None:
            continue
        if set_done(progress_for(enrolment, submission.lesson)):
            credited += 1
            record(actor, "milestone.credited", "circle", circle.id, user=user.id,
                   lesson=submission.lesson_id, version=submission.version)  # fmt: skip
    if credited:
        complete_if_finished(enrolment)
    return credited


def review(facilitator: User, submission: TeamSubmission, accept: bool, feedback: str,
           version: int | None = None):  # fmt: skip
    """Accept the circle's work (done for every current member) or ask for changes. ``version``:
    the one the facilitator read (the review form carries it); a newer one is refused."""
    submission.circle.lock()  # a hand-in or another review at the same time waits
    db.session.refresh(submission)
    if version is not None and version != submission.version:
        raise Conflict(
            _(
                "The circle handed in a new version (%(n)d) since you opened this page: read it, "
                "then review it.",
                n=submission.version,
            )  # fmt: skip
        )
    if submission.status != "submitted":
        raise Conflict(_("This work was already reviewed."))
    feedback = (feedback or "").strip()
    if len(feedback) > TEXT_MAX:
        raise InvalidInput(_("This text is too long (at most %(n)d characters).", n=TEXT_MAX))
    if not accept and not feedback:
        raise InvalidInput(_("Say what to improve when you ask for a revision."))
    submission.status = "accepted" if accept else "needs_revision"
    submission.feedback = feedback
    submission.feedback_html = render_markdown(feedback) if feedback else ""
    submission.reviewed_by_id = facilitator.id
    submission.reviewed_at = utcnow()
    submission.versions.append(
        TeamSubmissionVersion(
            kind=submission.status,
            version=submission.version,
            author_id=facilitator.id,
            feedback=feedback,
        )  # fmt: skip
    )
    circle, lesson = submission.circle, submission.lesson
    record(facilitator, "milestone.accepted" if accept else "milestone.revision_requested",
           "circle", circle.id, lesson=lesson.id, version=submission.version)  # fmt: skip
    if accept:
        for enrolment in _member_enrolments(circle, lesson.course_id):
            if set_done(progress_for(enrolment, lesson)):
                complete_if_finished(enrolment)
    path = _milestone_path(circle, lesson)
    course = circle.cohort.course
    for member in circle.members:
        with in_language_of(member.user) as language:
            title = lesson.title(course.content_language(language), course.default_language)
            if accept:
                text = _("Your circle's work on “%(lesson)s” was accepted.", lesson=title)
            else:
                text = _("Your facilitator asks for changes to your circle's work on "
                         "“%(lesson)s”.", lesson=title)  # fmt: skip
        notify(member.user, text, path)
    return submission


def set_due_date(actor: User, cohort, lesson: Lesson, due_on: date | None) -> None:
    """A cohort's due date for a team lesson (``None`` removes it)."""
    if lesson.course_id != cohort.course_id or not is_team_lesson(lesson):
        raise NotFound()
    due = db.session.get(MilestoneDue, (cohort.id, lesson.id))
    if due_on is None:
        if due is not None:
            db.session.delete(due)
    elif due is None:
        db.session.add(MilestoneDue(cohort_id=cohort.id, lesson_id=lesson.id, due_on=due_on))
    else:
        due.due_on = due_on
    record(actor, "milestone.due_date", "cohort", cohort.id, lesson=lesson.id,
           due_on=due_on.isoformat() if due_on else None)  # fmt: skip
