"""Certificate pages: the learner's certificates and downloads, the administrators' list and
actions, the public verification pages and the public keys."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from curriculum.db import db
from curriculum.models import Course
from lms.access import role_required
from lms.audit.models import AuditEvent
from lms.errors import LMSError, NotFound
from lms.i18n import current_language

from . import operations, queries, signing
from .forms import CorrectForm, IssueForm, RevokeForm, VerifyUploadForm
from .models import Certificate, CertificateFile

MAX_VERIFY_UPLOAD = 10 * 1024 * 1024


def _throttle_lookups() -> None:
    """Verification look-ups are rate-limited per address (against serial enumeration)."""
    state = current_app.extensions["lms"]
    if not state.throttle.allow(
        current_app.config["LMS_VERIFY_LIMIT"], "verify:" + (request.remote_addr or "")
    ):
        abort(429)


def _file_name(certificate: Certificate) -> str:
    word = "certificate" if current_language() == "en" else "certificat"
    return f"{word}-{certificate.serial}.pdf"


def earned_certificates(user) -> dict[int, Certificate]:
    """The user's valid certificates by enrolment id."""
    return {c.enrolment_id: c for c in queries.of_user(user) if c.status() == "valid"}


@login_required
def mine():
    return render_template("certificates/mine.html", certificates=queries.of_user(current_user))


@login_required
def download(serial: str):
    try:
        certificate = operations.get_by_serial(serial)
    except NotFound:
        abort(404)
    if certificate.user_id != current_user.id and not current_user.is_admin:
        abort(404)
    stored = db.session.get(CertificateFile, certificate.id)
    response = make_response(stored.data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{_file_name(certificate)}"'
    response.headers["Cache-Control"] = "private, max-age=0, must-revalidate"
    response.set_etag(certificate.pdf_sha256)
    return response.make_conditional(request)


# -- administration -----------------------------------------------------------------------------


@role_required("admin")
def admin_list():
    args = request.args
    pagination = queries.search(
        args.get("q", ""),
        args.get("course", type=int),
        args.get("cohort", type=int),
        args.get("status", ""),
        args.get("page", 1, type=int),
    )
    return render_template(
        "certificates/admin_list.html",
        pagination=pagination,
        courses=queries.courses(),
        statuses=queries.STATUSES,
        filters={k: args.get(k, "") for k in ("q", "course", "cohort", "status")},
    )


@role_required("admin")
def admin_issue():
    form = IssueForm()
    form.course.choices = [(str(c.id), c.title(current_language())) for c in queries.courses()]
    if form.validate_on_submit():
        course = db.get_or_404(Course, int(form.course.data))
        try:
            certificate = operations.issue_by_hand(
                current_user,
                form.email.data,
                course,
                form.reason.data,
                form.name.data,
                form.force.data,
            )
        except LMSError as error:
            db.session.rollback()
            form.reason.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s issued.", serial=certificate.serial), "success")
            return redirect(url_for("lms_certificates.admin_detail", serial=certificate.serial))
    return render_template("certificates/admin_issue.html", form=form), 400 if form.errors else 200


def _admin_certificate(serial: str) -> Certificate:
    try:
        return operations.get_by_serial(serial)
    except NotFound:
        abort(404)


@role_required("admin")
def admin_detail(serial: str):
    certificate = _admin_certificate(serial)
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "certificate", AuditEvent.object_id == certificate.serial)
        .order_by(AuditEvent.created_at)
    )
    return render_template(
        "certificates/admin_detail.html",
        certificate=certificate,
        events=list(events),
        revoke_form=RevokeForm(),
        correct_form=CorrectForm(name=certificate.snapshot["learner"]["name"]),
    )


@role_required("admin")
def admin_revoke(serial: str):
    certificate = _admin_certificate(serial)
    form = RevokeForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for revoking this certificate."), "error")
        return redirect(url_for("lms_certificates.admin_detail", serial=serial))
    try:
        operations.revoke(current_user, certificate, form.reason.data)
    except LMSError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return redirect(url_for("lms_certificates.admin_detail", serial=serial))


@role_required("admin")
def admin_correct(serial: str):
    certificate = _admin_certificate(serial)
    form = CorrectForm()
    if not form.validate_on_submit():
        flash(_("Give the corrected name and the reason for the correction."), "error")
        return redirect(url_for("lms_certificates.admin_detail", serial=serial))
    try:
        replacement = operations.correct(
            current_user, certificate, form.name.data, form.reason.data
        )
    except LMSError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("lms_certificates.admin_detail", serial=serial))
    db.session.commit()
    flash(
        _("Certificate %(new)s replaces %(old)s.", new=replacement.serial, old=certificate.serial),
        "success",
    )
    return redirect(url_for("lms_certificates.admin_detail", serial=replacement.serial))


# -- public verification ------------------------------------------------------------------------


def _public_facts(certificate: Certificate) -> dict:
    snapshot = certificate.snapshot
    status = certificate.status()
    facts = {
        "serial": certificate.serial,
        "status": status,
        "name": snapshot["learner"]["name"],
        "course": snapshot["course"]["titles"],
        "completed_on": snapshot["completed_on"],
        "issued_at": snapshot["issued_at"],
        "expires_on": snapshot.get("expires_on"),
        "issuer": snapshot["issuer"],
        "signature_valid": operations.signature_valid(certificate),
    }
    if status == "revoked":
        facts["revoked_on"] = certificate.revoked_at.date().isoformat()
        facts["revoke_reason"] = certificate.revoke_reason
    if certificate.superseded_by is not None:
        facts["superseded_by"] = certificate.superseded_by.serial
    return facts


def verify_page(serial: str):
    _throttle_lookups()
    try:
        certificate = operations.get_by_serial(serial)
    except NotFound:
        return render_template("certificates/verify_unknown.html", serial=serial), 404
    return render_template(
        "certificates/verify.html", certificate=certificate, facts=_public_facts(certificate)
    )


def verify_json(serial: str):
    _throttle_lookups()
    try:
        certificate = operations.get_by_serial(serial)
    except NotFound:
        return jsonify({"error": "no such certificate", "serial": serial}), 404
    facts = _public_facts(certificate)
    facts.update(
        snapshot=certificate.snapshot,
        key_id=certificate.key_id,
        signature=certificate.signature,
        alg=signing.ALGORITHM,
        pdf_sha256=certificate.pdf_sha256,
        keys=url_for("lms_certificates.keys", _external=True),
    )
    return jsonify(facts)


def verify_upload():
    form = VerifyUploadForm()
    check = None
    error = None
    if form.validate_on_submit():
        _throttle_lookups()
        data = form.pdf.data.stream.read(MAX_VERIFY_UPLOAD + 1)
        if len(data) > MAX_VERIFY_UPLOAD:
            error = _("The file is larger than 10 MB: it cannot be one of our certificates.")
        elif not data.startswith(b"%PDF-"):
            error = _("This file is not a PDF.")
        else:
            check = operations.check_pdf(data)
    elif request.method == "POST":
        error = _("Choose the PDF file of the certificate.")
    return render_template(
        "certificates/verify_upload.html", form=form, check=check, error=error
    ), 400 if error else 200


def keys():
    response = jsonify(signing.jwks(signing.key_folder_from_app()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
