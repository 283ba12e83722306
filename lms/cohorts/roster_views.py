"""Roster import pages: upload a CSV, preview every row's fate, confirm (one transaction).

Access as in ``views``: staff only, 403 for a cohort one does not train, 404 for an import that
belongs to another cohort.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from curriculum.db import db
from lms.access import role_required
from lms.errors import LMSError, NotFound

from . import operations, queries, roster
from .forms import RosterConfirmForm, RosterUploadForm
from .models import Cohort, RosterImport
from .views import STAFF, managed_cohort


@role_required(*STAFF)
def upload(cohort_id: int):
    cohort = managed_cohort(cohort_id)
    form = RosterUploadForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read(roster.MAX_BYTES + 1)
        try:
            imported = operations.upload_roster(current_user, cohort, upload.filename or "", data)
        except roster.RosterFileError as error:
            db.session.rollback()
            problems = error.problems
        else:
            db.session.commit()
            return redirect(
                url_for("lms_cohorts.roster_preview", cohort_id=cohort.id, import_id=imported.id)
            )
    status = 400 if (form.errors or problems) else 200
    return render_template(
        "lms/cohorts/roster_upload.html", cohort=cohort, form=form, problems=problems
    ), status


def _import_of(cohort: Cohort, import_id: int) -> RosterImport:
    imported = db.session.get(RosterImport, import_id)
    if imported is None or imported.cohort_id != cohort.id:
        raise NotFound()
    return imported


def _render_preview(
    cohort: Cohort,
    imported: RosterImport,
    form: RosterConfirmForm,
    error: str | None = None,
    status: int = 200,
):
    preview = roster.classify(cohort, imported.rows, current_user)
    form.digest.data = imported.digest
    languages = list(current_app.config["LMS_LANGUAGES"])
    messages = {line.row: roster.row_error_message({"error": line.error, "error_detail": line.error_detail, "email": line.email}, languages)
                for line in preview.lines if line.error}  # fmt: skip
    room = None if cohort.capacity is None else cohort.capacity - queries.cohort_size(cohort)
    return render_template(
        "lms/cohorts/roster_preview.html",
        cohort=cohort,
        imported=imported,
        preview=preview,
        messages=messages,
        room=room,
        form=form,
        error=error,
    ), status


@role_required(*STAFF)
def preview(cohort_id: int, import_id: int):
    cohort = managed_cohort(cohort_id)
    return _render_preview(cohort, _import_of(cohort, import_id), RosterConfirmForm())


@role_required(*STAFF)
def confirm(cohort_id: int, import_id: int):
    cohort = managed_cohort(cohort_id)
    imported = _import_of(cohort, import_id)
    form = RosterConfirmForm()
    if not form.validate_on_submit():
        return _render_preview(
            cohort, imported, form, _("The form expired. Please try again."), 400
        )
    if form.digest.data != imported.digest:
        message = _(
            "This preview was replaced by a newer upload: check the rows below, then confirm."
        )
        return _render_preview(cohort, imported, form, message, 409)
    try:
        summary = operations.confirm_roster(current_user, imported, form.skip_errors.data)
    except LMSError as error:
        db.session.rollback()
        return _render_preview(cohort, imported, form, error.message, error.status_code)
    db.session.commit()
    flash(
        _("Roster imported: %(new)d new accounts (invited by e-mail), %(enrolled)d existing accounts enrolled, "
          "%(moved)d moved from another cohort, %(already)d already here, %(skipped)d rows skipped.", **summary),
        "success",
    )  # fmt: skip
    return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
