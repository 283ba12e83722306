"""A team milestone of a circle: its version history, handing it in (any current member), the
facilitator's review (accept, or ask for changes), the files of each version, and the way from
the lesson page to the learner's circle's milestone.

Access: the circle's members, its facilitators and administrators (403 for anyone else).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from curriculum.db import db
from curriculum.models import Lesson
from lms.boundary import attempt
from lms.errors import NotFound
from lms.i18n import current_language
from lms.learning.operations import file_limit_mb
from lms.uploads import FILE_MIMETYPES, BadUpload, accepts_large_uploads, upload_folder

from . import milestones, queries
from .consultations import queries as consultation_queries
from .forms import HandInForm, TeamReviewForm
from .models import Circle, CircleMember
from .views import LABELS


def _page(circle: Circle, lesson: Lesson, form=None, review_form=None, status: int = 200):
    submission = milestones.submission_of(circle, lesson)
    course = circle.cohort.course
    attached = consultation_queries.attached_to(circle.id, lesson.id)
    return render_template(
        "lms/circles/milestone.html",
        circle=circle,
        lesson=lesson,
        course=course,
        content_language=course.content_language(current_language()),
        submission=submission,
        changes=queries.version_changes(submission),
        due_on=queries.dues_of(circle.cohort).get(lesson.id),
        # a new version starts from the text handed in before
        form=form or HandInForm(text=submission.text if submission else ""),
        review_form=review_form or TeamReviewForm(version=submission.version if submission else 0),
        file_limit_mb=file_limit_mb(lesson),
        attached=attached,
        attached_counts=consultation_queries.answer_counts([c.id for c in attached]),
        **LABELS,
    ), status


def _load(circle_id: int, lesson_id: int) -> tuple[Circle, Lesson]:
    circle = queries.visible_circle(circle_id, current_user)
    return circle, milestones.team_lesson_of(circle, lesson_id)


def _to_milestone(circle: Circle, lesson: Lesson):
    return redirect(url_for("lms_circles.milestone", circle_id=circle.id, lesson_id=lesson.id))


@login_required
def milestone(circle_id: int, lesson_id: int):
    return _page(*_load(circle_id, lesson_id))


@accepts_large_uploads
@login_required
def hand_in(circle_id: int, lesson_id: int):
    circle, lesson = _load(circle_id, lesson_id)
    form = HandInForm()
    if not form.validate_on_submit():
        return _page(circle, lesson, form=form, status=400)
    with attempt() as done:
        milestones.hand_in(current_user, circle, lesson, form.text.data, form.file.data)
    if not done:  # what was typed stays in the form
        field = form.file if isinstance(done.error, BadUpload) else form.text
        field.errors.append(done.message)
        return _page(circle, lesson, form=form, status=400 if field is form.file else done.status)
    flash(_("The circle's work is handed in. Your facilitator will review it."), "success")
    return _to_milestone(circle, lesson)


@login_required
def review(circle_id: int, lesson_id: int):
    circle = queries.facilitated_circle(circle_id, current_user)
    lesson = milestones.team_lesson_of(circle, lesson_id)
    submission = milestones.submission_of(circle, lesson)
    if submission is None:
        raise NotFound()
    form = TeamReviewForm()
    status = 400
    if form.validate_on_submit():
        if not (form.accept.data or form.revise.data):
            form.feedback.errors.append(_("Choose: accept the work, or ask for changes."))
        else:
            with attempt(form.feedback) as done:
                milestones.review(current_user, submission, bool(form.accept.data),
                                  form.feedback.data or "", form.version.data)  # fmt: skip
            if done:
                flash(_("Review saved; the circle's members are notified."), "success")
                return _to_milestone(circle, lesson)
            status = done.status
            # the form shown again names the version there is now
            form.version.raw_data = []
            form.version.data = milestones.submission_of(circle, lesson).version
    return _page(circle, lesson, review_form=form, status=status)


@login_required
def version_file(circle_id: int, lesson_id: int, version_id: int):
    circle, lesson = _load(circle_id, lesson_id)
    submission = milestones.submission_of(circle, lesson)
    version = next(
        (v for v in (submission.versions if submission else []) if v.id == version_id), None
    )
    if version is None or not version.file_path:
        raise NotFound()
    return send_file(
        upload_folder() / version.file_path,
        mimetype=FILE_MIMETYPES[version.file_type or "pdf"],
        as_attachment=True,
        download_name=version.file_name or "file",
        max_age=0,
    )


@login_required
def for_lesson(lesson_id: int):
    """From a team lesson's page: the milestone of the learner's circle in her cohort."""
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None or not milestones.is_team_lesson(lesson):
        raise NotFound()
    member = db.session.scalar(
        db.select(CircleMember)
        .join(Circle)
        .where(
            CircleMember.user_id == current_user.id,
            CircleMember.left_at.is_(None),
            Circle.cohort.has(course_id=lesson.course_id),
        )
    )
    if member is None:
        flash(_("This is team work: join a circle of your cohort to hand it in."), "info")
        return redirect(url_for("lms_circles.mine"))
    return redirect(url_for("lms_circles.milestone", circle_id=member.circle_id,
                            lesson_id=lesson.id))  # fmt: skip
