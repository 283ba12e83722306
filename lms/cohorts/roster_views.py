"""Roster import pages: upload a CSV, preview every row's fate, confirm (one transaction).

The preview counts the rows of each fate and lists every row with its fate, 200 a page, those
with errors first (each error with its row number), so that a 5,000-row file stays a light
page. A roster with an error cannot be confirmed: the trainer fixes the file and uploads it again.

Access as in ``views``: staff only, 403 for a cohort one does not train, 404 for an import that
belongs to another cohort.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from lms.access import STAFF, role_required
from lms.boundary import attempt

from . import operations, queries, roster, roster_preview
from .forms import RosterConfirmForm, RosterUploadForm
from .models import Cohort, RosterImport


@role_required(*STAFF)
def upload(cohort_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    form = RosterUploadForm()
    with attempt() as done:
        if form.validate_on_submit():
            data = form.file.data.stream.read(roster.MAX_BYTES + 1)
            name = form.file.data.filename or ""
            imported = operations.upload_roster(current_user, cohort, name, data)
            return redirect(url_for("lms_cohorts.roster_preview", cohort_id=cohort.id,
                                    import_id=imported.id))  # fmt: skip
    problems = getattr(done.error, "problems", [done.message] if done.error else [])
    return render_template(
        "lms/cohorts/roster_upload.html", cohort=cohort, form=form, problems=problems,
        invited=queries.pending_invitations(cohort),
    ), 400 if (form.errors or problems) else 200  # fmt: skip


def _render_preview(cohort: Cohort, imported: RosterImport, form: RosterConfirmForm,
                    error: str | None = None, status: int = 200, page: int = 1):  # fmt: skip
    form.digest.data = imported.digest
    room = None if cohort.capacity is None else cohort.capacity - queries.cohort_size(cohort)
    shown = roster_preview.preview_page(cohort, imported, current_user, page, room)
    errors = shown["preview"].errors
    return render_template(
        "lms/cohorts/roster_preview.html", cohort=cohort, imported=imported, form=form,
        error=error, errors_text=operations.roster_errors_message(errors) if errors else None,
        **shown,
    ), status  # fmt: skip


@role_required(*STAFF)
def preview(cohort_id: int, import_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    imported = queries.roster_import_of(cohort, import_id)
    page = request.args.get("page", 1, type=int)
    return _render_preview(cohort, imported, RosterConfirmForm(), page=page)


def _refusal(imported: RosterImport, form: RosterConfirmForm) -> tuple[str, int] | None:
    """Why this confirmation is not applied, before trying it."""
    if not form.validate_on_submit():
        return _("The form expired. Please try again."), 400
    if form.digest.data != imported.digest:
        message = _(
            "This preview was replaced by a newer upload: check the rows below, then confirm."
        )
        return message, 409
    return None


@role_required(*STAFF)
def confirm(cohort_id: int, import_id: int):
    cohort = queries.managed_cohort(cohort_id, current_user)
    imported, form = queries.roster_import_of(cohort, import_id), RosterConfirmForm()
    refusal = _refusal(imported, form)
    if refusal:
        return _render_preview(cohort, imported, form, *refusal)
    with attempt() as done:
        summary = operations.confirm_roster(current_user, imported)
    if not done:
        return _render_preview(cohort, imported, form, done.message, done.status)
    flash(_("Roster imported: %(invited)d learners invited by e-mail, %(already)d already here. "
            "Each joins the cohort when they accept.", **summary), "success")  # fmt: skip
    if summary.get("enrolled"):
        flash(ngettext("%(num)d learner without e-mail is enrolled: they sign in from their platform.",
                       "%(num)d learners without e-mail are enrolled: they sign in from their platform.",
                       summary["enrolled"]), "success")  # fmt: skip
    return redirect(url_for("lms_cohorts.dashboard", cohort_id=cohort.id))
