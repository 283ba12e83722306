"""Verbs of in-person sessions: schedule, change or cancel a cohort's meeting (the learners are
told when it is scheduled, moves or is cancelled), take attendance (being present completes the session lesson).
They flush and audit; the request commits."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from curriculum.db import db, utcnow
from curriculum.models import Lesson
from lms.audit.operations import record
from lms.cohorts.models import Cohort
from lms.errors import Conflict, InvalidInput
from lms.learning.models import Enrolment, LessonProgress
from lms.learning.operations import complete_if_finished, get_or_create, progress_for, set_done
from lms.mail.operations import render_mail
from lms.messages.operations import notify_learners
from lms.signals import attendance_recorded
from lms.urls import lesson_links
from lms.users.models import User

from .models import Attendance, CohortSession


def schedule_session(
    actor: User, cohort: Cohort, lesson: Lesson, starts_at: datetime, place: str, notes: str = ""
) -> CohortSession:
    if (
        lesson.course_id != cohort.course_id
        or lesson.kind != "session"
        or lesson.archived_at is not None
    ):
        raise InvalidInput(_("Choose an in-person session lesson of this cohort's course."))
    session = CohortSession(
        cohort_id=cohort.id,
        lesson=lesson,
        starts_at=starts_at,
        place=place.strip(),
        notes=notes.strip(),
    )
    db.session.add(session)
    db.session.flush()
    _tell_about_session(session, "scheduled")
    record(actor, "session.scheduled", "session", session.id, cohort=cohort.id, lesson=lesson.id)
    return session


def reschedule_session(
    actor: User, session: CohortSession, starts_at: datetime, place: str, notes: str = ""
) -> None:
    """A new date, time, place or notes (the youth centre is not free that day...). The lesson
    stays: attendance already taken belongs to it. Learners see the change on the lesson page."""
    before = {"starts_at": session.starts_at.isoformat(), "place": session.place}
    moved = (session.starts_at, session.place) != (starts_at, place.strip())
    session.starts_at, session.place, session.notes = starts_at, place.strip(), notes.strip()
    if moved:
        _tell_about_session(session, "moved")
    record(
        actor,
        "session.rescheduled",
        "session",
        session.id,
        cohort=session.cohort_id,
        before=before,
        after={"starts_at": starts_at.isoformat(), "place": session.place},
    )


def _tell_about_session(session: CohortSession, change: str) -> None:
    """The learners hear of a meeting that is ``scheduled``, ``moved`` or ``cancelled`` (in the
    app, by e-mail and by push)."""
    lesson = session.lesson
    course = lesson.module.course
    path, link = lesson_links(lesson)

    def compose(learner: User) -> tuple[str, str, str, str]:
        language = learner.locale or course.default_language
        facts = {
            "lesson": lesson.title(language, course.default_language),
            "cohort": session.cohort.name,
            "when": format_datetime(session.starts_at, "EEEE d MMMM y, HH:mm"),
            "place": session.place,
            "name": learner.name,
            "link": link,
        }
        if change == "cancelled":
            text = _("Cancelled: the in-person session %(lesson)s of %(when)s.", **facts)
            heading = _("In-person session cancelled · %(cohort)s", **facts)
        elif change == "scheduled":
            text = _("New in-person session: %(lesson)s, %(when)s, %(place)s.", **facts)
            heading = _("New in-person session · %(cohort)s", **facts)
        else:
            text = _(
                "New date or place: the in-person session %(lesson)s, %(when)s, %(place)s.", **facts
            )
            heading = _("In-person session moved · %(cohort)s", **facts)
        mail = render_mail(f"lms/emails/session_{change}.txt", **facts)
        return text, text, mail, heading

    notify_learners(session.cohort, path, compose)


def cancel_session(actor: User, session: CohortSession) -> None:
    """Delete a session that has no attendance yet; one with attendance is refused (deleting it
    would delete who was there, and the certificate's attendance rule counts it)."""
    # Lock the session's row first: attendance being saved at this moment (which needs the row)
    # waits for the cancellation, or the cancellation sees it below and is refused.
    db.session.execute(
        select(CohortSession.id).where(CohortSession.id == session.id).with_for_update()
    )
    recorded = db.session.scalar(
        select(func.count()).select_from(Attendance).where(Attendance.session_id == session.id)
    )
    if recorded:
        raise Conflict(
            _(
                "Attendance was already taken at this session: it cannot be cancelled, "
                "so that who was there is not lost."
            )
        )
    _tell_about_session(session, "cancelled")
    record(
        actor,
        "session.cancelled",
        "session",
        session.id,
        cohort=session.cohort_id,
        lesson=session.lesson_id,
        starts_at=session.starts_at.isoformat(),
        place=session.place,
    )
    db.session.delete(session)
    db.session.flush()


def take_attendance(actor: User, session: CohortSession, marks: dict[int, bool]) -> int:
    """Record present/absent for several learners at once; any learner outside the session's
    cohort refuses the whole list (nothing is recorded)."""
    enrolments = (
        list(db.session.scalars(select(Enrolment).where(Enrolment.id.in_(list(marks)))))
        if marks
        else []
    )
    members = {e.id: e for e in enrolments if e.cohort_id == session.cohort_id}
    outsiders = sorted(set(marks) - set(members))
    if outsiders:
        raise InvalidInput(
            _(
                "These learners are not in this session's cohort: %(ids)s.",
                ids=", ".join(map(str, outsiders)),
            )
        )
    for enrolment_id, present in marks.items():
        record_attendance(actor, session, members[enrolment_id], present)
    record(
        actor,
        "session.attendance_taken",
        "session",
        session.id,
        present=sum(marks.values()),
        total=len(marks),
    )
    return len(marks)


def record_attendance(
    trainer, session: CohortSession, enrolment: Enrolment, present: bool
) -> Attendance:
    """Present or absent at an in-person session; being present completes the session lesson."""
    if enrolment.cohort_id != session.cohort_id:
        raise InvalidInput(_("This learner is not in the session's cohort."))
    attendance, created = get_or_create(
        Attendance,
        defaults={"present": present, "recorded_by_id": trainer.id},
        session_id=session.id,
        enrolment_id=enrolment.id,
    )
    # the sheet saved again with the same mark changes nothing and sends nothing
    changed = created or attendance.present != present
    if changed:
        attendance.present = present
        attendance.recorded_by_id = trainer.id
        attendance.recorded_at = utcnow()
    if present:
        progress = progress_for(enrolment, session.lesson)
        if set_done(progress):
            complete_if_finished(enrolment)
    else:
        _undo_attendance_credit(enrolment, session)
    if changed:
        attendance_recorded.send(
            current_app._get_current_object(),
            enrolment=enrolment,
            session=session,
            attendance=attendance,
        )
    return attendance


def _undo_attendance_credit(enrolment: Enrolment, session: CohortSession) -> None:
    """A correction to "absent" takes back the session lesson, unless the learner was present at
    another meeting of the same lesson. (A certificate already issued stays: revoking one is an
    administrator's decision, with a reason.)"""
    db.session.flush()
    present_elsewhere = db.session.scalar(
        select(func.count())
        .select_from(Attendance)
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(
            Attendance.enrolment_id == enrolment.id,
            Attendance.present.is_(True),
            CohortSession.lesson_id == session.lesson_id,
        )
    )
    if present_elsewhere:
        return
    db.session.execute(
        update(LessonProgress)
        .where(
            LessonProgress.enrolment_id == enrolment.id,
            LessonProgress.lesson_id == session.lesson_id,
            LessonProgress.status == "done",
        )
        .values(status="started", completed_at=None)
        .execution_options(synchronize_session="fetch")
    )
