"""Verbs on certificates: issue (automatically or by hand), revoke, correct, and check a PDF.

A certificate is frozen at issuance: the snapshot holds everything printed, it is signed with
Ed25519, the PDF is rendered once and its bytes are stored with their sha256. The database keeps
at most one live certificate per enrolment (``live_enrolment_id`` is unique), so a double click or
two workers never make two.
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from curriculum.db import db, utcnow
from curriculum.models import Course, CourseAsset
from lms.audit.operations import record
from lms.errors import Conflict, InvalidInput, NotFound
from lms.learning.models import Enrolment
from lms.signals import certificate_issued, certificate_revoked
from lms.urls import absolute_url, public_base_url
from lms.users.models import User
from lms.users.operations import create_user, find_by_email

from . import pdfcheck, signing
from .credentials.operations import credential_bytes, make_credential
from .enrolments import enrolment_for_certificate
from .models import Certificate, CertificateFile
from .render import get_renderer
from .rules import RuleResult, evaluate, frozen_facts
from .serials import new_serial, normalize_serial

TEMPLATE_VERSION = "1"
MAX_SERIAL_TRIES = 5


class RuleNotMet(InvalidInput):
    """The course's rule does not hold; ``message`` names what is missing."""


class AlreadyRevoked(Conflict):
    pass


# -- snapshot -----------------------------------------------------------------------------------


def verify_url(serial: str) -> str:
    return absolute_url("lms_certificates.verify_page", serial=serial)


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def _data_url(mimetype: str, data: bytes) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(data).decode()}"


def _configured_logo(path: str) -> str:
    """A logo from LMS_CERTIFICATE_LOGOS (PNG or JPEG, recognised by its content)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        raise InvalidInput(_("The certificate logo %(path)s cannot be read.", path=path)) from error
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _data_url("image/png", data)
    if data.startswith(b"\xff\xd8\xff"):
        return _data_url("image/jpeg", data)
    raise InvalidInput(_("The certificate logo %(path)s is not a PNG or JPEG image.", path=path))


def _logos(course: Course) -> list[str]:
    """The course's logos (pack assets, in the pack's order), then the configured ones."""
    paths = list((course.certificate_rule or {}).get("logos") or [])
    logos = []
    if paths:
        assets = {
            asset.path: asset
            for asset in db.session.scalars(
                select(CourseAsset).where(
                    CourseAsset.course_id == course.id, CourseAsset.path.in_(paths)
                )
            )
        }
        logos = [_data_url(assets[p].mimetype, assets[p].data) for p in paths if p in assets]
    return logos + [_configured_logo(path) for path in current_app.config["LMS_CERTIFICATE_LOGOS"]]


def build_snapshot(
    enrolment: Enrolment,
    serial: str,
    issued_at: datetime,
    key_id: str,
    name: str | None = None,
    result: RuleResult | None = None,
) -> dict:
    course = enrolment.course
    rule = course.certificate_rule or {}
    result = result or evaluate(enrolment)
    expires = None
    if rule.get("validity_months"):
        expires = _add_months(issued_at, int(rule["validity_months"])).date().isoformat()
    completed = enrolment.completed_at or issued_at
    return {
        "serial": serial,
        "learner": {"name": name or enrolment.user.name},
        "course": {
            "slug": course.slug,
            "titles": dict(course.titles),
            "hours": course.estimated_hours,
        },
        "languages": list(rule.get("languages") or [course.default_language]),
        "wording": dict(rule.get("wording") or {}),
        "completed_on": completed.date().isoformat(),
        "issued_at": issued_at.isoformat(timespec="seconds"),
        "expires_on": expires,
        "scores": {"quiz_average": result.quiz_average, "attendance": result.attendance},
        "signatories": list(rule.get("signatories") or []),
        "issuer": {"name": current_app.config["LMS_SITE_NAME"], "url": public_base_url()},
        "logos": _logos(course),
        "verify_url": verify_url(serial),
        "template": rule.get("template", "default"),
        "template_version": TEMPLATE_VERSION,
        "key_id": key_id,
        **frozen_facts(rule, result),
    }


# -- issuing ------------------------------------------------------------------------------------


def live_certificate(enrolment_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.live_enrolment_id == enrolment_id)
    )


def _create(
    enrolment: Enrolment,
    actor: User | None,
    reason: str | None,
    name: str | None = None,
    result: RuleResult | None = None,
) -> Certificate:
    """Sign, store, give its credential and render a new live certificate (inside a savepoint: a
    race loses cleanly)."""
    folder = signing.key_folder_from_app()
    key_id = signing.ensure_key(folder)
    issued_at = utcnow().replace(microsecond=0)
    for _attempt in range(MAX_SERIAL_TRIES):
        serial = new_serial(enrolment.course.serial_prefix, issued_at.year)
        if db.session.scalar(select(Certificate.id).where(Certificate.serial == serial)) is None:
            break
    snapshot = build_snapshot(enrolment, serial, issued_at, key_id, name, result)
    signed_key_id, signature = signing.sign(folder, snapshot)
    certificate = Certificate(
        serial=serial,
        enrolment_id=enrolment.id,
        live_enrolment_id=enrolment.id,
        user_id=enrolment.user_id,
        course_id=enrolment.course_id,
        snapshot=snapshot,
        signature=signature,
        key_id=signed_key_id,
        pdf_sha256="",
        issued_at=issued_at,
        issued_by_id=actor.id if actor else None,
        issue_reason=reason,
        expires_at=datetime.fromisoformat(snapshot["expires_on"]).replace(tzinfo=issued_at.tzinfo)
        if snapshot["expires_on"]
        else None,
    )
    with db.session.begin_nested():
        db.session.add(certificate)
        db.session.flush()  # the id is the credential's status index
        credential = credential_bytes(make_credential(certificate))
        pdf = get_renderer().render(
            snapshot,
            attachment=signing.envelope_bytes(snapshot, signed_key_id, signature),
            credential=credential,
        )
        certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        db.session.add(CertificateFile(certificate_id=certificate.id, data=pdf))
        db.session.flush()
    certificate_issued.send(current_app._get_current_object(), certificate=certificate)
    return certificate


def issue_for_enrolment(
    enrolment: Enrolment, actor: User | None = None, force: bool = False, reason: str | None = None
) -> Certificate:
    """Issue the certificate of an enrolment, if the rule holds (or by force, with a reason).

    Idempotent: an enrolment that already has a live certificate gets that one back.
    """
    existing = live_certificate(enrolment.id)
    if existing is not None:
        return existing
    return issue_new(enrolment, actor, force, reason)


def issue_new(
    enrolment: Enrolment, actor: User | None = None, force: bool = False, reason: str | None = None
) -> Certificate:
    """:func:`issue_for_enrolment` for a caller that has just found no live certificate (a job's
    item says why it skips one); one issued meanwhile by another request is still returned."""
    reason = (reason or "").strip() or None
    result = evaluate(enrolment)  # once: it decides, and its figures are printed
    if force:
        if reason is None:
            raise InvalidInput(
                _("Say why the certificate is issued without the course's rule being met.")
            )
    elif not result.met:
        raise RuleNotMet(
            _("The course's rule is not met: %(missing)s", missing=" ".join(result.missing))
        )
    try:
        certificate = _create(enrolment, actor, reason, result=result)
    except IntegrityError:  # another request issued it at the same moment
        existing = live_certificate(enrolment.id)
        if existing is None:
            raise
        return existing
    if actor is not None:
        record(
            actor,
            "certificate.issued",
            "certificate",
            certificate.serial,
            forced=force,
            reason=reason,
        )
    return certificate


def issue_by_hand(
    admin: User,
    email: str,
    course: Course,
    reason: str,
    name: str | None = None,
    force: bool = False,
) -> Certificate:
    """An administrator issues a certificate, enrolling the person (and creating an account for
    someone who followed the masterclass in person) as needed. Always audited."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for issuing this certificate by hand."))
    user = find_by_email(email)
    if user is None:
        if not (name or "").strip():
            raise InvalidInput(
                _("No account has this e-mail: give the person's full name to create one.")
            )
        user = create_user(email, name, None, ["learner"])
        record(admin, "user.created_for_certificate", "user", user.id)
    enrolment = enrolment_for_certificate(admin, user, course)
    if live_certificate(enrolment.id) is not None:
        raise Conflict(_("This person already has a valid certificate for this course."))
    return issue_for_enrolment(enrolment, admin, force=force, reason=reason)


def on_course_completed(enrolment: Enrolment) -> Certificate | None:
    """Listener of completion (and of progress after it): issue at once when the rule holds.

    Only for an enrolment that never had a certificate: one that was revoked or superseded is an
    administrator's decision, never undone automatically.
    """
    if (
        db.session.scalar(select(Certificate.id).where(Certificate.enrolment_id == enrolment.id))
        is not None
    ):
        return None
    try:
        return issue_for_enrolment(enrolment)
    except RuleNotMet:
        return None


# -- revoking and correcting --------------------------------------------------------------------


def get_by_serial(serial: str) -> Certificate:
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.serial == normalize_serial(serial))
    )
    if certificate is None:
        raise NotFound(_("No such certificate."))
    return certificate


def revoke(admin: User | None, certificate: Certificate, reason: str) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for revoking this certificate."))
    if certificate.revoked_at is not None:
        raise AlreadyRevoked(
            _(
                "This certificate was already revoked on %(date)s.",
                date=certificate.revoked_at.date().isoformat(),
            )
        )
    certificate.revoked_at = utcnow()
    certificate.revoked_by_id = admin.id if admin else None
    certificate.revoke_reason = reason
    certificate.live_enrolment_id = None
    record(admin, "certificate.revoked", "certificate", certificate.serial, reason=reason)
    certificate_revoked.send(current_app._get_current_object(), certificate=certificate)
    return certificate


def correct(admin: User, certificate: Certificate, name: str, reason: str) -> Certificate:
    """A new certificate (e.g. with the name spelt right) that supersedes ``certificate``."""
    name, reason = (name or "").strip(), (reason or "").strip()
    if not name or not reason:
        raise InvalidInput(_("Give the corrected name and the reason for the correction."))
    if certificate.status() in ("revoked", "superseded"):
        raise Conflict(_("Only a valid certificate can be corrected."))
    certificate.live_enrolment_id = None
    db.session.flush()
    replacement = _create(certificate.enrolment, admin, reason, name=name)
    certificate.superseded_by_id = replacement.id
    record(
        admin,
        "certificate.corrected",
        "certificate",
        certificate.serial,
        replacement=replacement.serial,
        reason=reason,
    )
    return replacement


# -- checking a PDF -----------------------------------------------------------------------------


@dataclass
class PdfCheck:
    """What an uploaded PDF is: ``original`` only for the untouched bytes we issued."""

    verdict: str  # original | modified | unknown | not_ours
    certificate: Certificate | None = None


def check_pdf(data: bytes) -> PdfCheck:
    envelope = pdfcheck.read_attachment(data)
    if not isinstance(envelope, dict) or not isinstance(envelope.get("snapshot"), dict):
        return PdfCheck("not_ours")
    serial = str(envelope["snapshot"].get("serial", ""))
    certificate = db.session.scalar(select(Certificate).where(Certificate.serial == serial))
    if certificate is None:
        return PdfCheck("unknown")
    if pdfcheck.sha256(data) != certificate.pdf_sha256:
        return PdfCheck("modified", certificate)
    return PdfCheck("original", certificate)


def signature_valid(certificate: Certificate) -> bool:
    return signing.verify(
        signing.key_folder_from_app(),
        certificate.snapshot,
        certificate.key_id,
        certificate.signature,
    )


def snapshot_json(certificate: Certificate) -> str:
    return json.dumps(certificate.snapshot, ensure_ascii=False, sort_keys=True)
