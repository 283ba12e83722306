"""The public verification pages: a certificate's page and JSON by serial, the upload of a PDF
("is this an untouched original?") and the public keys. No account needed; look-ups are
rate-limited per address (against serial enumeration)."""

from __future__ import annotations

from flask import abort, current_app, jsonify, render_template, request, url_for
from flask_babel import gettext as _

from . import operations, queries, signing
from .credentials import verify as verify_credential
from .credentials.queries import credentialed_ids
from .forms import VerifyUploadForm

MAX_VERIFY_UPLOAD = 10 * 1024 * 1024


def throttle_lookups(bucket: str = "verify") -> None:
    state = current_app.extensions["lms"]
    if not state.throttle.allow(
        current_app.config["LMS_VERIFY_LIMIT"], f"{bucket}:" + (request.remote_addr or "")
    ):
        abort(429)


def verify_page(serial: str):
    throttle_lookups()
    certificate = queries.by_serial(serial)
    if certificate is None:
        return render_template("certificates/verify_unknown.html", serial=serial), 404
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        facts=queries.public_facts(certificate),
        has_credential=bool(credentialed_ids([certificate.id])),
    )


def verify_json(serial: str):
    throttle_lookups()
    certificate = queries.by_serial(serial)
    if certificate is None:
        return jsonify({"error": "no such certificate", "serial": serial}), 404
    facts = queries.public_facts(certificate)
    facts.update(
        snapshot=certificate.snapshot,
        key_id=certificate.key_id,
        signature=certificate.signature,
        alg=signing.ALGORITHM,
        pdf_sha256=certificate.pdf_sha256,
        keys=url_for("lms_certificates.keys", _external=True),
    )
    return jsonify(facts)


def _check_upload(form: VerifyUploadForm):
    """(the PDF check, None, None), (None, the credential check, None) or (None, None, why the
    file cannot be one of ours)."""
    data = form.pdf.data.stream.read(MAX_VERIFY_UPLOAD + 1)
    if len(data) > MAX_VERIFY_UPLOAD:
        return None, None, _("The file is larger than 10 MB: it cannot be one of our certificates.")
    if data.startswith(b"%PDF-"):
        return operations.check_pdf(data), None, None
    return None, verify_credential.check(data), None


def verify_upload():
    form = VerifyUploadForm()
    check, credential, error = None, None, None
    if form.validate_on_submit():
        throttle_lookups()
        check, credential, error = _check_upload(form)
    elif request.method == "POST":
        error = _("Choose the file of the certificate: its PDF, its credential or its badge.")
    refused = error or (credential is not None and not credential.signature_valid)
    return render_template(
        "certificates/verify_upload.html", form=form, check=check, credential=credential,
        error=error,
    ), 400 if refused else 200  # fmt: skip


def keys():
    response = jsonify(signing.jwks(signing.key_folder_from_app()))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
