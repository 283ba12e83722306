"""Administrators upload a curriculum pack (.zip): validation report, preview, apply."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.access import role_required
from lms.boundary import attempt
from lms.uploads import accepts_large_uploads

from . import operations, queries
from .forms import ApplyForm, UploadForm


def _packs_page(form: UploadForm, status: int = 200):
    courses = queries.courses_with_lesson_counts()
    return render_template("lms/packs/index.html", courses=courses, form=form), status


def _to_packs():
    return redirect(url_for("lms_packs.packs"))


@role_required("admin")
def packs():
    return _packs_page(UploadForm())


@accepts_large_uploads  # the view says how large a pack may be, with its page
@role_required("admin")
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return _packs_page(form, 400)
    operations.forget_old_uploads()
    with attempt(form.pack) as done:
        check = operations.check_upload(current_user, form.pack.data.stream)
    if not done:
        return _packs_page(form, 400)
    return render_template(
        "lms/packs/preview.html", check=check, form=ApplyForm(token=check.token or "")
    ), 400 if check.problems else 200


@role_required("admin")
def apply():
    form = ApplyForm()
    if not form.validate_on_submit():
        flash(_("This upload has expired. Upload the pack again."), "error")
        return _to_packs()
    with attempt(flash_error=True) as done:
        report = operations.apply_upload(current_user, form.token.data)
    if done:
        flash(_("Pack imported: %(summary)s", summary=report.summary()), "success")
    return _to_packs()
