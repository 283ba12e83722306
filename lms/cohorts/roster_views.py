"""Roster import pages: upload a CSV, preview every row's fate, confirm (one transaction).

The preview counts the rows of each fate and lists every row with its fate, 200 a page, those
with errors first (each error with its row number), so that a 5,000-row file stays a light
page. A roster with an error cannot be confirmed: the trainer fixes the file and uploads it again.

Access as in ``views``: staff only, 403 for a cohort one does not train, 404 for an import that
belongs to another cohort.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import current_app, flash, redirect, render_template, request, url_for
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


#: rows listed on one page of the preview
PER_PAGE = 200


@dataclass
class RowsPage:
    """One page of the preview's rows (what the ``pager`` macro needs)."""

    items: list[roster.RosterLine]
    page: int
    pages: int
    total: int

    @property
    def first(self) -> int:
        return (self.page - 1) * PER_PAGE + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _rows_page(preview: roster.RosterPreview, page: int) -> RowsPage:
    listing = preview.listing()
    pages = max(1, math.ceil(len(listing) / PER_PAGE))
    page = min(max(page, 1), pages)
    return RowsPage(listing[(page - 1) * PER_PAGE : page * PER_PAGE], page, pages, len(listing))


def _render_preview(
    cohort: Cohort,
    imported: RosterImport,
    form: RosterConfirmForm,
    error: str | None = None,
    status: int = 200,
    page: int = 1,
):
    preview = roster.classify(cohort, imported.rows, current_user)
    form.digest.data = imported.digest
    room = None if cohort.capacity is None else cohort.capacity - queries.cohort_size(cohort)
    fits = room is None or preview.adding <= room
    rows = _rows_page(preview, page)
    # The first errors in a short list by the notice; the table lists them all (first).
    listed_errors = [line for line in preview.lines if line.fate == "error"][:PER_PAGE]
    languages = list(current_app.config["LMS_LANGUAGES"])
    messages = {line.row: roster.row_error_message({"error": line.error, "error_detail": line.error_detail, "email": line.email}, languages)
                for line in listed_errors + rows.items if line.error}  # fmt: skip
    return render_template(
        "lms/cohorts/roster_preview.html",
        cohort=cohort,
        imported=imported,
        preview=preview,
        rows=rows,
        messages=messages,
        listed_errors=listed_errors,
        errors_text=operations.roster_errors_message(preview.errors) if preview.errors else None,
        room=room,
        # Only a roster whose every row is right, and that fits the cohort, can be confirmed.
        can_confirm=imported.applied_at is None and not preview.errors and fits,
        form=form,
        error=error,
    ), status


@role_required(*STAFF)
def preview(cohort_id: int, import_id: int):
    cohort = managed_cohort(cohort_id)
    page = request.args.get("page", 1, type=int)
    return _render_preview(cohort, _import_of(cohort, import_id), RosterConfirmForm(), page=page)


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
        summary = operations.confirm_roster(current_user, imported)
    except LMSError as error:
        db.session.rollback()
        return _render_preview(cohort, imported, form, error.message, error.status_code)
    db.session.commit()
    flash(
        _("Roster imported: %(new)d new accounts (invited by e-mail), %(enrolled)d existing accounts enrolled, "
          "%(moved)d moved from another cohort, %(already)d already here.", **summary),
        "success",
    )  # fmt: skip
    return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
