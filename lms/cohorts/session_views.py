"""In-person sessions of a cohort: schedule, change or cancel them, take attendance from a phone.

The attendance page works without JavaScript: each learner is a pair of radio buttons styled as
large "present"/"absent" toggles, and one POST saves the whole list. Access as in ``views``;
a session of another cohort answers 404.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user
from wtforms.fields import SelectChoice

from curriculum.db import db
from lms.access import role_required
from lms.errors import LMSError
from lms.i18n import current_language
from lms.users.forms import ActionForm

from . import operations, queries
from .forms import SessionForm, parse_attendance
from .views import STAFF, managed_cohort


class SessionChangeForm(SessionForm):
    """Changing a session: its day, time, place and notes. Its lesson stays (attendance already
    taken belongs to it); to hold another lesson, schedule another session."""

    lesson = None


def _starts_at(form: SessionForm) -> datetime:
    """The trainer types the local time; it is stored in UTC and shown back in local time."""
    return to_utc(datetime.combine(form.day.data, form.time.data)).replace(tzinfo=UTC)


def _lesson_choices(form: SessionForm, cohort) -> dict:
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
    return lessons


@role_required(*STAFF)
def sessions(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    form = SessionForm()
    lessons = _lesson_choices(form, cohort)
    if form.validate_on_submit():
        try:
            operations.schedule_session(
                current_user,
                cohort,
                lessons[form.lesson.data],
                _starts_at(form),
                form.place.data,
                form.notes.data or "",
            )
        except LMSError as error:
            db.session.rollback()
            form.lesson.errors.append(error.message)
        else:
            db.session.commit()
            flash(
                _("The session is scheduled; the learners see it on the lesson's page."), "success"
            )
            return redirect(url_for("lms_cohorts.sessions", cohort_id=cohort.id))
    return _render_sessions(cohort, form, 400 if form.errors else 200)


def _render_sessions(cohort, form: SessionForm, status: int = 200, error: str | None = None):
    return render_template(
        "lms/cohorts/sessions.html",
        cohort=cohort,
        form=form,
        items=queries.sessions_of(cohort),
        error=error,
    ), status


@role_required(*STAFF)
def edit_session(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id)
    session = queries.session_in_cohort(cohort, session_id)
    form = SessionChangeForm()
    if request.method == "GET":
        local = to_user_timezone(session.starts_at)
        form.day.data, form.time.data = local.date(), local.time().replace(second=0, microsecond=0)
        form.place.data, form.notes.data = session.place, session.notes
    if form.validate_on_submit():
        operations.reschedule_session(
            current_user, session, _starts_at(form), form.place.data, form.notes.data or ""
        )
        db.session.commit()
        flash(_("The session is changed; the learners see the new date and place."), "success")
        return redirect(url_for("lms_cohorts.sessions", cohort_id=cohort.id))
    return render_template(
        "lms/cohorts/session_edit.html", cohort=cohort, session=session, form=form
    ), 400 if form.errors else 200


@role_required(*STAFF)
def cancel_session(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id)
    session = queries.session_in_cohort(cohort, session_id)  # (CSRF: checked for every POST)
    try:
        operations.cancel_session(current_user, session)
    except LMSError as error:
        db.session.rollback()
        schedule_form = SessionForm(formdata=None)
        _lesson_choices(schedule_form, cohort)
        return _render_sessions(cohort, schedule_form, error.status_code, error.message)
    db.session.commit()
    flash(_("The session is cancelled; the learners no longer see it."), "success")
    return redirect(url_for("lms_cohorts.sessions", cohort_id=cohort.id))


@role_required(*STAFF)
def attendance(cohort_id: int, session_id: int):
    cohort = managed_cohort(cohort_id)
    session = queries.session_in_cohort(cohort, session_id)
    form = ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_sheet(
                cohort, session, form, _("The form expired. Please try again."), 400
            )
        marks = parse_attendance(request.form)
        operations.take_attendance(current_user, session, marks)
        db.session.commit()
        present = sum(marks.values())
        flash(
            _(
                "Attendance saved: %(present)d present, %(absent)d absent.",
                present=present,
                absent=len(marks) - present,
            ),
            "success",
        )
        return redirect(
            url_for("lms_cohorts.attendance", cohort_id=cohort.id, session_id=session.id)
        )
    return _render_sheet(cohort, session, form)


def _render_sheet(cohort, session, form, error: str | None = None, status: int = 200):
    return render_template(
        "lms/cohorts/attendance.html",
        cohort=cohort,
        session=session,
        lines=queries.attendance_sheet(session),
        form=form,
        error=error,
    ), status
