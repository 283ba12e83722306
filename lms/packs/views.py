"""Administrators upload a curriculum pack (.zip): validation report, preview, apply."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import HiddenField
from wtforms.validators import DataRequired

from curriculum.db import db
from curriculum.models import Course, Lesson
from lms.access import role_required
from lms.errors import LMSError
from lms.extension import accepts_large_uploads

from . import operations


class UploadForm(FlaskForm):
    pack = FileField(_l("Pack (.zip)"), validators=[FileRequired()])


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])


def _courses():
    counts = dict(
        db.session.execute(
            select(Lesson.course_id, func.count())
            .where(Lesson.archived_at.is_(None))
            .group_by(Lesson.course_id)
        ).all()
    )
    courses = db.session.scalars(select(Course).order_by(Course.slug))
    return [(course, counts.get(course.id, 0)) for course in courses]


@role_required("admin")
def packs():
    return render_template("lms/packs/index.html", courses=_courses(), form=UploadForm())


@accepts_large_uploads  # the view says how large a pack may be, with its page
@role_required("admin")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("lms/packs/index.html", courses=_courses(), form=form), 400
    operations.forget_old_uploads()
    try:
        check = operations.check_upload(current_user, form.pack.data.stream)
    except LMSError as error:
        form.pack.errors.append(error.message)
        return render_template("lms/packs/index.html", courses=_courses(), form=form), 400
    status = 400 if check.problems else 200
    return render_template(
        "lms/packs/preview.html", check=check, form=ApplyForm(token=check.token or "")
    ), status


@role_required("admin")
def apply():
    form = ApplyForm()
    if not form.validate_on_submit():
        flash(_("This upload has expired. Upload the pack again."), "error")
        return redirect(url_for("lms_packs.packs"))
    try:
        report = operations.apply_upload(current_user, form.token.data)
    except LMSError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("lms_packs.packs"))
    db.session.commit()
    flash(_("Pack imported: %(summary)s", summary=report.summary()), "success")
    return redirect(url_for("lms_packs.packs"))
