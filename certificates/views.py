"""Certificate pages of learners and administrators: "My certificates" and the PDF download; the
administrators' list, issuing by hand, one certificate's page, revoking and correcting. (The
public verification pages are in ``verify_views``, the bulk actions in ``bulk_views``.)"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from curriculum.db import db
from lms.access import role_required
from lms.boundary import attempt, form_status
from lms.i18n import current_language

from . import operations, queries
from .credentials.queries import credentialed_ids
from .forms import CorrectForm, IssueForm, RevokeForm
from .models import Certificate, CertificateFile


def _file_name(certificate: Certificate) -> str:
    word = "certificate" if current_language() == "en" else "certificat"
    return f"{word}-{certificate.serial}.pdf"


def _to_detail(serial: str):
    return redirect(url_for("lms_certificates.admin_detail", serial=serial))


@login_required
def mine():
    certificates = queries.of_user(current_user)
    return render_template("certificates/mine.html", certificates=certificates,
                           credentialed=credentialed_ids([c.id for c in certificates]))  # fmt: skip


@login_required
def download(serial: str):
    certificate = queries.downloadable(serial, current_user)
    stored = db.session.get(CertificateFile, certificate.id)
    response = make_response(stored.data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(certificate)}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(certificate.pdf_sha256)
    return response.make_conditional(request)


@role_required("admin")
def admin_list():
    args = request.args
    pagination = queries.search(args.get("q", ""), args.get("course", type=int),
                                args.get("cohort", type=int), args.get("status", ""),
                                args.get("page", 1, type=int))  # fmt: skip
    return render_template(
        "certificates/admin_list.html", pagination=pagination, courses=queries.courses(),
        statuses=queries.STATUSES,
        filters={k: args.get(k, "") for k in ("q", "course", "cohort", "status")},
    )  # fmt: skip


@role_required("admin")
def admin_issue():
    form = IssueForm()
    form.course.choices = [(str(c.id), c.title(current_language())) for c in queries.courses()]
    if form.validate_on_submit():
        course = queries.course_by_id(int(form.course.data))
        with attempt(form.reason) as done:
            certificate = operations.issue_by_hand(current_user, form.email.data, course,
                                                   form.reason.data, form.name.data,
                                                   form.force.data)  # fmt: skip
        if done:
            flash(_("Certificate %(serial)s issued.", serial=certificate.serial), "success")
            return _to_detail(certificate.serial)
    return render_template("certificates/admin_issue.html", form=form), form_status(form)


@role_required("admin")
def admin_detail(serial: str):
    certificate = queries.administered(serial)
    return render_template(
        "certificates/admin_detail.html", certificate=certificate,
        events=queries.audit_trail(certificate), revoke_form=RevokeForm(),
        correct_form=CorrectForm(name=certificate.snapshot["learner"]["name"]),
    )  # fmt: skip


@role_required("admin")
def admin_revoke(serial: str):
    certificate = queries.administered(serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for revoking this certificate."), "error")
        return _to_detail(serial)
    with attempt(flash_error=True) as done:
        operations.revoke(current_user, certificate, form.reason.data)
    if done:
        flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return _to_detail(serial)


@role_required("admin")
def admin_correct(serial: str):
    certificate = queries.administered(serial)
    form = CorrectForm()
    if not form.validate_on_submit():
        flash(_("Give the corrected name and the reason for the correction."), "error")
        return _to_detail(serial)
    with attempt(flash_error=True) as done:
        replacement = operations.correct(current_user, certificate, form.name.data,
                                         form.reason.data)  # fmt: skip
    if not done:
        return _to_detail(serial)
    flash(_("Certificate %(new)s replaces %(old)s.", new=replacement.serial,
            old=certificate.serial), "success")  # fmt: skip
    return _to_detail(replacement.serial)
