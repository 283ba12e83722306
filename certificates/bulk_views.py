"""Administrators' bulk actions on certificates: start a job (issue to a cohort or course,
re-issue after a correction, e-mail the learners) and download a cohort's certificates as one
ZIP, streamed."""

from __future__ import annotations

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.access import role_required
from lms.boundary import attempt
from lms.cohorts.queries import managed_cohort
from lms.downloads import attachment
from lms.i18n import current_language
from lms.jobs import queries as job_queries
from lms.jobs.operations import start_job

from . import bulk, queries
from .forms import BulkIssueForm, BulkNotifyForm, BulkReissueForm


def _forms() -> tuple[BulkIssueForm, BulkReissueForm, BulkNotifyForm]:
    forms = BulkIssueForm(), BulkReissueForm(), BulkNotifyForm()
    language = current_language()
    cohorts = [("", "—")] + [
        (str(c.id), f"{c.name} — {c.course.title(language)}") for c in bulk.cohort_choices()
    ]
    courses = [("", "—")] + [(str(c.id), c.title(language)) for c in queries.courses()]
    for form in forms:
        form.cohort.choices, form.course.choices = cohorts, courses
    return forms


def _page(forms, status: int = 200):
    issue_form, reissue_form, notify_form = forms
    return render_template(
        "certificates/admin_bulk.html",
        issue_form=issue_form,
        reissue_form=reissue_form,
        notify_form=notify_form,
        cohorts=bulk.cohort_choices(),
        jobs=job_queries.recent_jobs("certificates."),
    ), status


def _scope(form) -> dict:
    params = {}
    if form.cohort.data:
        params["cohort_id"] = int(form.cohort.data)
    if form.course.data:
        params["course_id"] = int(form.course.data)
    return params


def _start(kind: str, params: dict, form):
    """Start the job and show its progress page; or the form again, with the reason it cannot."""
    with attempt(form.form_errors) as done:
        job = start_job(kind, params, current_user)
    if not done:
        return None
    flash(_("The job has started; this page shows its progress."), "success")
    return redirect(url_for("lms_jobs.detail", job_id=job.id))


@role_required("admin")
def admin_bulk():
    return _page(_forms())


@role_required("admin")
def admin_bulk_issue():
    forms = _forms()
    form = forms[0]
    if form.validate_on_submit():
        response = _start("certificates.issue", {**_scope(form), "notify": form.notify.data}, form)
        if response is not None:
            return response
    return _page(forms, 400)


@role_required("admin")
def admin_bulk_reissue():
    forms = _forms()
    form = forms[1]
    if form.validate_on_submit():
        serials = [line.strip() for line in (form.serials.data or "").splitlines() if line.strip()]
        params = {"serials": serials} if serials else _scope(form)
        response = _start("certificates.reissue", {**params, "reason": form.reason.data}, form)
        if response is not None:
            return response
    return _page(forms, 400)


@role_required("admin")
def admin_bulk_notify():
    forms = _forms()
    form = forms[2]
    if form.validate_on_submit():
        response = _start("certificates.notify", _scope(form), form)
        if response is not None:
            return response
    return _page(forms, 400)


@role_required("admin")
def admin_bulk_zip():
    cohort_id = request.args.get("cohort", type=int)
    if cohort_id is None:
        flash(_("Choose a cohort."), "error")
        return redirect(url_for("lms_certificates.admin_bulk"))
    return redirect(url_for("lms_certificates.cohort_zip", cohort_id=cohort_id))


@login_required
def cohort_zip(cohort_id: int):
    """The cohort's valid certificates as one ZIP (administrators and the cohort's trainers)."""
    cohort = managed_cohort(cohort_id, current_user)
    app = current_app._get_current_object()

    def read(certificate_id: int) -> bytes | None:
        # The body is sent after the request has ended: each PDF is read in an app context
        # (a database session) of its own, opened and closed within one chunk.
        with app.app_context():
            return bulk.read_pdf(certificate_id)

    body = bulk.stream_zip(bulk.zip_entries(cohort), read)
    return attachment(body, "application/zip", f"certificates-cohort-{cohort.id}.zip")
