"""The SCORM runtime's URLs: the package's files (for its sandboxed frame), the commits the
lesson page sends, starting again; and the player panel of the lesson page."""

from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.errors import LMSError
from lms.learning.panels import LESSON_PANELS
from lms.users.forms import require_action_form

from . import content as package_files
from . import operations, queries

MAX_COMMIT_BYTES = 512 * 1024


class CommitTooLarge(LMSError):
    status_code = 413


def player_panel(ctx) -> dict:
    return {"player": queries.player_for(ctx.lesson, ctx.enrolment, current_user),
            "script": "scorm/player.js"}  # fmt: skip


LESSON_PANELS["scorm"] = player_panel


def content(grant: str, path: str):
    """No login: the browser sends no cookie from the sandboxed frame; the grant is the key."""
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
    return redirect(
        url_for(
            "lms_learning.lesson",
            course_slug=lesson.module.course.slug,
            module_slug=lesson.module.slug,
            lesson_slug=lesson.slug,
        )
    )
