"""In-person sessions of a cohort: schedule, change or cancel them, take attendance from a phone.

The attendance page works without JavaScript: each learner is a pair of radio buttons styled as
large "present"/"absent" toggles, and one POST saves the whole list. Access as for cohorts
(staff only, 403 for a cohort one does not train); a session of another cohort answers 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from wtforms.fields import SelectChoice

from lms.access import STAFF, role_required
from lms.boundary import attempt, form_status
from lms.cohorts.queries import managed_cohort
from lms.i18n import current_language
from lms.users.forms import ActionForm

from . import operations, queries
from .forms import SessionChangeForm, SessionForm, parse_attendance


def _starts_at(form: SessionForm) -> datetime:
    """The trainer types the local time; it is stored in UTC and shown back in local time."""
    return to_utc(datetime.combine(form.day.data, form.time.data)).replace(tzinfo=UTC)


def _schedule_form(cohort, blank: bool = False) -> tuple[SessionForm, dict]:
    """The form that schedules a session, with the course's session lessons to choose from
    (``blank``: not filled from the request, to show beside another action's error)."""
    form = SessionForm(formdata=None) if blank else SessionForm()
    lessons = {lesson.id: lesson for lesson in queries.session_lessons(cohort)}
    course = cohort.course
    language = course.content_language(current_language())
    form.lesson.choices = [
        SelectChoice(
            lesson.id,
            f"{lesson.module.title(language)} — {lesson.title(language, course.default_language)}",
        )
        for lesson in lessons.values()
    ]
    return form, lessons


def _to_sessions(cohort):
    return redirect(url_for("lms_sessions.sessions", cohort_id=cohort.id))


def _render_sessions(cohort, form: SessionForm, status: int = 200, error: str | None = None):
    return render_template(
        "lms/sessions/sessions.html",
        cohort=cohort,
        form=form,
        items=queries.sessions_of(cohort),
        error=error,
    ), status


@role_required(*STAFF)
def sessions(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form, lessons = _schedule_form(cohort)
    if form.validate_on_submit():
        with attempt(form.lesson) as done:
            operations.schedule_session(current_user, cohort, lessons[form.lesson.data],
                                        _starts_at(form), form.place.data, form.notes.data or "")  # fmt: skip
        if done:
            flash(_("The session is scheduled; the learners see it on the lesson's page."),
                  "success")  # fmt: skip
            return _to_sessions(cohort)
    return _render_sessions(cohort, form, form_status(form))


@role_required(*STAFF)
def edit_session(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    session = queries.session_in_cohort(cohort, session_id)
    form = SessionChangeForm()
    if request.method == "GET":
        form.fill(to_user_timezone(session.starts_at), session.place, session.notes)
    if form.validate_on_submit():
        operations.reschedule_session(current_user, session, _starts_at(form), form.place.data,
                                      form.notes.data or "")  # fmt: skip
        flash(_("The session is changed; the learners see the new date and place."), "success")
        return _to_sessions(cohort)
    return render_template(
        "lms/sessions/session_edit.html", cohort=cohort, session=session, form=form
    ), form_status(form)


@role_required(*STAFF)
def cancel_session(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    session = queries.session_in_cohort(cohort, session_id)  # (CSRF: checked for every POST)
    with attempt() as done:
        operations.cancel_session(current_user, session)
    if not done:
        return _render_sessions(cohort, _schedule_form(cohort, blank=True)[0], done.status,
                                done.message)  # fmt: skip
    flash(_("The session is cancelled; the learners no longer see it."), "success")
    return _to_sessions(cohort)


def _attendance_saved(marks: dict[int, bool]) -> None:
    present = sum(marks.values())
    flash(_("Attendance saved: %(present)d present, %(absent)d absent.",
            present=present, absent=len(marks) - present), "success")  # fmt: skip


@role_required(*STAFF)
def attendance(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    session = queries.session_in_cohort(cohort, session_id)
    form = ActionForm()
    if request.method == "GET":
        return _render_sheet(cohort, session, form)
    if not form.validate_on_submit():
        return _render_sheet(cohort, session, form, _("The form expired. Please try again."), 400)
    marks = parse_attendance(request.form)
    operations.take_attendance(current_user, session, marks)
    _attendance_saved(marks)
    return redirect(url_for("lms_sessions.attendance", cohort_id=cohort.id,
                            session_id=session.id))  # fmt: skip


def _render_sheet(cohort, session, form, error: str | None = None, status: int = 200):
    return render_template(
        "lms/sessions/attendance.html",
        cohort=cohort,
        session=session,
        lines=queries.attendance_sheet(session),
        form=form,
        error=error,
    ), status
