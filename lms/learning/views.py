"""The learner's pages: catalogue, course, lesson (reading, video, quiz, assignment, session),
"My learning", joining a cohort, pack assets and submitted files."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course, CourseAsset, Lesson
from lms.errors import LMSError, NotAllowed
from lms.extension import accepts_large_uploads
from lms.i18n import current_language
from lms.users.forms import ActionForm

from . import operations, queries
from .forms import AssignmentForm, JoinForm
from .models import Enrolment, Submission


def lesson_url(lesson: Lesson, course: Course) -> str:
    return url_for(
        "lms_learning.lesson",
        course_slug=course.slug,
        module_slug=lesson.module.slug,
        lesson_slug=lesson.slug,
    )


def catalogue():
    courses = queries.published_courses()
    enrolled = set()
    if current_user.is_authenticated:
        enrolled = set(
            db.session.scalars(
                select(Enrolment.course_id).where(Enrolment.user_id == current_user.id)
            )
        )
    return render_template(
        "lms/learning/catalogue.html",
        courses=courses,
        stats=queries.course_stats(),
        enrolled=enrolled,
    )


def course(course_slug: str):
    course = queries.course_by_slug(course_slug)
    outline = queries.outline(course, current_user)
    return render_template(
        "lms/learning/course.html", course=course, outline=outline, form=ActionForm()
    )


@login_required
def enrol(course_slug: str):
    course = queries.course_by_slug(course_slug)
    if not ActionForm().validate_on_submit():
        abort(400)
    operations.enrol(current_user, course)
    db.session.commit()
    flash(_("Welcome to %(title)s!", title=course.title(current_language())), "success")
    return redirect(url_for("lms_learning.course", course_slug=course.slug))


@login_required
def join(code: str | None = None):
    form = JoinForm(code=code)
    if form.validate_on_submit():
        try:
            enrolment = operations.join_cohort(current_user, form.code.data)
        except LMSError as error:
            db.session.rollback()
            form.code.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("You joined the cohort %(name)s.", name=enrolment.cohort.name), "success")
            return redirect(url_for("lms_learning.course", course_slug=enrolment.course.slug))
    return render_template("lms/learning/join.html", form=form), 400 if form.errors else 200


@login_required
def my_learning():
    return render_template("lms/learning/my_learning.html", items=queries.my_learning(current_user))


# -- lessons ------------------------------------------------------------------------------------


@dataclass
class LessonContext:
    course: Course
    outline: queries.Outline
    lesson: Lesson
    enrolment: Enrolment | None
    locked: bool

    def require_learner(self) -> Enrolment:
        if self.enrolment is None:
            raise NotAllowed(_("Join the course to record your progress."))
        if self.locked:
            raise NotAllowed(_("This module opens when the previous one is done."))
        return self.enrolment


def load_lesson(course_slug: str, module_slug: str, lesson_slug: str) -> LessonContext:
    """The lesson and the current user's place in its course (404 if it does not exist)."""
    course = queries.course_by_slug(course_slug)
    outline = queries.outline(course, current_user)
    lesson = queries.find_lesson(outline, module_slug, lesson_slug)
    locked = outline.module_of(lesson).locked if outline.enrolment else False
    return LessonContext(course, outline, lesson, outline.enrolment, locked)


def _render_lesson(
    ctx: LessonContext,
    assignment_form: AssignmentForm | None = None,
    status: int = 200,
    quiz_answers: dict[str, list[str]] | None = None,
    quiz_error: str = "",
):
    lesson, enrolment = ctx.lesson, ctx.enrolment
    language = current_language()
    content_language = lesson.body_language(language, ctx.course.default_language)
    progress = ctx.outline.progress.get(lesson.id)
    extra: dict = {}
    if lesson.kind == "quiz":
        extra["questions"] = queries.quiz_questions(lesson)
        extra["attempts"] = queries.attempts_of(progress)
        # what the learner ticked is kept when the form comes back with an error
        extra["ticked"] = quiz_answers or {}
        extra["quiz_error"] = quiz_error
    elif lesson.kind == "assignment":
        extra["submission"] = queries.submission_of(enrolment, lesson)
        extra["assignment_form"] = assignment_form or AssignmentForm()
        extra["file_limit_mb"] = operations.file_limit_mb(lesson)
    elif lesson.kind == "session":
        extra["sessions"] = queries.sessions_for(enrolment, lesson)
    previous, following = ctx.outline.neighbours(lesson)
    return render_template(
        "lms/learning/lesson.html",
        ctx=ctx,
        course=ctx.course,
        lesson=lesson,
        module_view=ctx.outline.module_of(lesson),
        progress=progress,
        content_language=content_language,
        fallback=content_language != language,
        previous=previous,
        following=following,
        lesson_url=lesson_url,
        action_form=ActionForm(),
        **extra,
    ), status


@login_required
def lesson(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = load_lesson(course_slug, module_slug, lesson_slug)
    if ctx.enrolment is None and not (current_user.is_admin or current_user.is_trainer):
        flash(_("Join the course to open its lessons."), "info")
        return redirect(url_for("lms_learning.course", course_slug=course_slug))
    return _render_lesson(ctx)


@login_required
def mark_done(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = load_lesson(course_slug, module_slug, lesson_slug)
    operations.mark_done(ctx.require_learner(), ctx.lesson)
    db.session.commit()
    _, following = ctx.outline.neighbours(ctx.lesson)
    if following is not None:
        return redirect(lesson_url(following, ctx.course))
    return redirect(url_for("lms_learning.course", course_slug=course_slug))


@login_required
def submit_quiz(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = load_lesson(course_slug, module_slug, lesson_slug)
    enrolment = ctx.require_learner()
    posted = operations.parse_answers(ctx.lesson, request.form.to_dict(flat=False))
    try:
        result = operations.submit_quiz(enrolment, ctx.lesson, posted.answers, posted.attempt)
    except operations.UnansweredQuestions as error:
        db.session.rollback()
        return _render_lesson(
            ctx, status=400, quiz_answers=posted.answers, quiz_error=error.message
        )
    db.session.commit()
    if result.passed:
        flash(_("Passed with %(score)d%%. Well done!", score=result.attempt.score), "success")
    else:
        flash(
            _(
                "Your score: %(score)d%%. Read the explanations and try again.",
                score=result.attempt.score,
            ),
            "warning",
        )
    return redirect(lesson_url(ctx.lesson, ctx.course) + "#result")


@accepts_large_uploads
@login_required
def submit_assignment(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = load_lesson(course_slug, module_slug, lesson_slug)
    enrolment = ctx.require_learner()
    form = AssignmentForm()
    if not form.validate_on_submit():
        return _render_lesson(ctx, form, 400)
    try:
        operations.submit_assignment(enrolment, ctx.lesson, form.text.data, form.file.data)
    except operations.BadUpload as error:
        db.session.rollback()
        form.file.errors.append(error.message)  # the typed answer stays in the form
        return _render_lesson(ctx, form, 400)
    except LMSError as error:
        db.session.rollback()
        form.text.errors.append(error.message)
        return _render_lesson(ctx, form, error.status_code)
    db.session.commit()
    flash(_("Your work is handed in. Your trainer will review it."), "success")
    return redirect(lesson_url(ctx.lesson, ctx.course))


def _can_see_submission(submission: Submission) -> bool:
    if current_user.is_admin or submission.enrolment.user_id == current_user.id:
        return True
    cohort = submission.enrolment.cohort
    return cohort is not None and cohort.is_trainer(current_user)


@login_required
def submission_file(submission_id: int):
    submission = db.session.get(Submission, submission_id)
    if submission is None or not submission.file_path or not _can_see_submission(submission):
        abort(404)  # another learner's work does not exist for you
    path = operations.upload_folder() / submission.file_path
    return send_file(
        path,
        mimetype=operations.FILE_MIMETYPES[submission.file_type or "pdf"],
        as_attachment=True,
        download_name=submission.file_name or path.name,
        max_age=0,
    )


def asset(course_slug: str, path: str):
    course = queries.course_by_slug(course_slug)
    item = db.session.scalar(
        select(CourseAsset).filter_by(course_id=course.id, path=f"assets/{path}")
    )
    if item is None:
        abort(404)
    response = make_response(item.data)
    response.headers["Content-Type"] = item.mimetype
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(item.sha256)
    return response.make_conditional(request)
