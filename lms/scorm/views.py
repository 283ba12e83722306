"""The SCORM runtime's URLs: the package's files (for its sandboxed frame), the commits the
lesson page sends, starting again; and the player panel of the lesson page."""

from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.access import role_required
from lms.boundary import attempt, form_status
from lms.errors import LMSError
from lms.i18n import current_language
from lms.learning.panels import LESSON_PANELS
from lms.uploads import request_limit
from lms.users.forms import require_action_form

from . import content as package_files
from . import operations, queries
from .forms import PackageForm

MAX_COMMIT_BYTES = 512 * 1024


class CommitTooLarge(LMSError):
    status_code = 413


def player_panel(ctx) -> dict:
    return {"player": queries.player_for(ctx.lesson, ctx.enrolment, current_user),
            "script": "scorm/player.js"}  # fmt: skip


LESSON_PANELS["scorm"] = player_panel


def content(grant: str, path: str):
    """No login: the grant is the key (the sandboxed frame cannot read a cookie, and only a
    session begun in an LTI platform's frame, ``SameSite=None``, has one sent: docs/scorm.md)."""
    found = package_files.read_grant(grant)
    return package_files.serve(found, path, lambda: queries.resume_data(found))


@login_required
def commit(lesson_id: int, number: int):
    lesson, enrolment = queries.lesson_for_commit(lesson_id, current_user)
    if (request.content_length or 0) > MAX_COMMIT_BYTES:
        raise CommitTooLarge(_("This commit is too large."))
    # JSON whatever the Content-Type says (the CSRF token in the header is what protects it)
    received = operations.Commit.parse(request.get_json(force=True, silent=True))
    result = operations.record_commit(enrolment, lesson, number, received)
    attempt = result.attempt
    return jsonify(saved=True, sequence=attempt.sequence, score=attempt.score, done=result.done)


@login_required
def restart(lesson_id: int):
    lesson, enrolment = queries.lesson_for_commit(lesson_id, current_user)
    require_action_form()
    operations.start_again(enrolment, lesson)
    return redirect(_lesson_url(lesson))


def _lesson_url(lesson) -> str:
    return url_for(
        "lms_learning.lesson",
        course_slug=lesson.module.course.slug,
        module_slug=lesson.module.slug,
        lesson_slug=lesson.slug,
    )


@request_limit("LMS_SCORM_UPLOAD_MAX_MB")
@role_required("admin")
def upload():
    """Administrators add a SCORM package as a new lesson of an existing module."""
    form = PackageForm()
    form.module_id.choices = queries.module_choices(current_language())
    if form.validate_on_submit():
        module = queries.live_module(form.module_id.data)
        with attempt(form.package) as done:
            lesson = operations.add_package_lesson(
                current_user, module, form.title.data, form.minutes.data, form.required.data,
                form.package.data.stream, current_app.config["LMS_SCORM_UPLOAD_MAX_MB"],
            )  # fmt: skip
        if done:
            flash(_("The SCORM package is now the lesson %(title)s.", title=lesson.titles[module.course.default_language]), "success")  # fmt: skip
            return redirect(_lesson_url(lesson))
    limit = current_app.config["LMS_SCORM_UPLOAD_MAX_MB"]
    return render_template("lms/scorm/upload.html", form=form, limit=limit), form_status(form)
