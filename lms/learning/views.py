"""The learner's pages: catalogue, course, lesson (reading, video, quiz, assignment, session),
"My learning", joining a cohort, pack assets and submitted files."""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from curriculum.models import Course, Lesson
from lms.boundary import attempt, form_status
from lms.i18n import current_language
from lms.uploads import FILE_MIMETYPES, BadUpload, accepts_large_uploads, upload_folder
from lms.users.forms import ActionForm, require_action_form

from . import operations, queries
from .forms import AssignmentForm, JoinForm, parse_answers
from .panels import LESSON_PANELS
from .quizorder import shown_questions


def lesson_url(lesson: Lesson, course: Course) -> str:
    return url_for(
        "lms_learning.lesson",
        course_slug=course.slug,
        module_slug=lesson.module.slug,
        lesson_slug=lesson.slug,
    )


def _to_course(course: Course):
    return redirect(url_for("lms_learning.course", course_slug=course.slug))


def catalogue():
    return render_template(
        "lms/learning/catalogue.html",
        courses=queries.published_courses(),
        stats=queries.course_stats(),
        enrolled=queries.enrolled_course_ids(current_user),
    )


def course(course_slug: str):
    course = queries.course_by_slug(course_slug)
    outline = queries.outline(course, current_user)
    missing = (
        operations.missing_requirements(current_user, course)
        if current_user.is_authenticated and outline.enrolment is None
        else []
    )
    return render_template(
        "lms/learning/course.html",
        course=course,
        outline=outline,
        form=ActionForm(),
        required=queries.courses_by_slug(course.requires),
        missing=missing,
    )


@login_required
def enrol(course_slug: str):
    course = queries.course_by_slug(course_slug)
    require_action_form()
    operations.enrol(current_user, course)
    flash(_("Welcome to %(title)s!", title=course.title(current_language())), "success")
    return _to_course(course)


@login_required
def join(code: str | None = None):
    form = JoinForm(code=code)
    if form.validate_on_submit():
        with attempt(form.code) as done:
            enrolment = operations.join_cohort(current_user, form.code.data)
        if done:
            flash(_("You joined the cohort %(name)s.", name=enrolment.cohort.name), "success")
            return _to_course(enrolment.course)
    return render_template("lms/learning/join.html", form=form), form_status(form)


@login_required
def my_learning():
    return render_template("lms/learning/my_learning.html", items=queries.my_learning(current_user))


# -- lessons ------------------------------------------------------------------------------------


def _quiz_questions(lesson: Lesson, enrolment, progress) -> dict:
    """The attempts, the form's questions (choices in the order of the next attempt) and the
    last attempt's questions (in the order that attempt showed them)."""
    questions = queries.quiz_questions(lesson)
    attempts = queries.attempts_of(progress)
    learner = enrolment.id if enrolment else None
    last = attempts[-1].number if attempts else 0
    return {
        "attempts": attempts,
        "questions": shown_questions(lesson, questions, learner, len(attempts) + 1),
        "result_questions": shown_questions(lesson, questions, learner, last) if last else [],
    }


def _render_lesson(
    ctx: queries.LessonContext,
    assignment_form: AssignmentForm | None = None,
    status: int = 200,
    quiz_answers: dict[str, list[str]] | None = None,
    quiz_error: str = "",
):
    lesson, enrolment = ctx.lesson, ctx.enrolment
    language = current_language()
    content_language = lesson.content_language(ctx.course, language)
    progress = ctx.outline.progress.get(lesson.id)
    extra: dict = {}
    if lesson.kind == "quiz":
        extra.update(_quiz_questions(lesson, enrolment, progress))
        # what the learner ticked is kept when the form comes back with an error
        extra["ticked"] = quiz_answers or {}
        extra["quiz_error"] = quiz_error
    elif lesson.kind == "assignment":
        extra["submission"] = queries.submission_of(enrolment, lesson)
        extra["assignment_form"] = assignment_form or AssignmentForm()
        extra["file_limit_mb"] = operations.file_limit_mb(lesson)
    elif lesson.kind == "session":
        extra["sessions"] = queries.sessions_for(enrolment, lesson)
    elif lesson.kind in LESSON_PANELS:
        extra["panel"] = LESSON_PANELS[lesson.kind](ctx)
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


def _lesson(course_slug: str, module_slug: str, lesson_slug: str) -> queries.LessonContext:
    return queries.load_lesson(course_slug, module_slug, lesson_slug, current_user)


@login_required
def lesson(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = _lesson(course_slug, module_slug, lesson_slug)
    if ctx.enrolment is None and not (current_user.is_admin or current_user.is_trainer):
        flash(_("Join the course to open its lessons."), "info")
        return _to_course(ctx.course)
    if ctx.enrolment is not None and not ctx.locked:
        operations.open_lesson(ctx.enrolment, ctx.lesson)
    return _render_lesson(ctx)


@login_required
def mark_done(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = _lesson(course_slug, module_slug, lesson_slug)
    operations.mark_done(ctx.require_learner(), ctx.lesson)
    _, following = ctx.outline.neighbours(ctx.lesson)
    if following is not None:
        return redirect(lesson_url(following, ctx.course))
    return _to_course(ctx.course)


def _quiz_result_message(result: operations.QuizResult) -> None:
    if result.passed:
        flash(_("Passed with %(score)d%%. Well done!", score=result.attempt.score), "success")
    else:
        flash(_("Your score: %(score)d%%. Read the explanations and try again.",
                score=result.attempt.score), "warning")  # fmt: skip


@login_required
def submit_quiz(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = _lesson(course_slug, module_slug, lesson_slug)
    enrolment = ctx.require_learner()
    posted = parse_answers(ctx.lesson, request.form.to_dict(flat=False))
    with attempt(catch=operations.UnansweredQuestions) as done:
        result = operations.submit_quiz(enrolment, ctx.lesson, posted.answers, posted.attempt)
    if not done:
        return _render_lesson(ctx, status=400, quiz_answers=posted.answers,
                              quiz_error=done.message)  # fmt: skip
    _quiz_result_message(result)
    return redirect(lesson_url(ctx.lesson, ctx.course) + "#result")


@accepts_large_uploads
@login_required
def submit_assignment(course_slug: str, module_slug: str, lesson_slug: str):
    ctx = _lesson(course_slug, module_slug, lesson_slug)
    enrolment = ctx.require_learner()
    form = AssignmentForm()
    if not form.validate_on_submit():
        return _render_lesson(ctx, form, 400)
    with attempt() as done:
        operations.submit_assignment(enrolment, ctx.lesson, form.text.data, form.file.data)
    if not done:  # the typed answer stays in the form
        field = form.file if isinstance(done.error, BadUpload) else form.text
        field.errors.append(done.message)
        return _render_lesson(ctx, form, 400 if field is form.file else done.status)
    flash(_("Your work is handed in. Your trainer will review it."), "success")
    return redirect(lesson_url(ctx.lesson, ctx.course))


@login_required
def submission_file(submission_id: int):
    submission = queries.visible_submission_file(submission_id, current_user)
    path = upload_folder() / submission.file_path
    return send_file(
        path,
        mimetype=FILE_MIMETYPES[submission.file_type or "pdf"],
        as_attachment=True,
        download_name=submission.file_name or path.name,
        max_age=0,
    )


def asset(course_slug: str, path: str):
    item = queries.course_asset(queries.course_by_slug(course_slug), path)
    response = make_response(item.data)
    response.headers["Content-Type"] = item.mimetype
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.set_etag(item.sha256)
    return response.make_conditional(request)
