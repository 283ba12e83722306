"""Bulk work on certificates: the kinds of job (issue to a cohort or course, supersede-and-reissue
after a correction, "your certificate is ready" e-mails) and a cohort's certificates as one ZIP.

Each kind processes one item at a time and is idempotent (see ``lms.jobs.registry``): issuing
relies on the database's one-live-certificate-per-enrolment rule, re-issuing skips a certificate
that is no longer valid, and the job records each item's outcome in the item's transaction.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.orm import joinedload

from curriculum.db import db
from curriculum.models import Course
from lms.cohorts.models import Cohort
from lms.errors import InvalidInput
from lms.i18n import current_language
from lms.jobs.models import ACTIVE_STATUSES, Job
from lms.jobs.operations import start_job
from lms.jobs.registry import JobKind, SkipItem, register
from lms.learning.models import Enrolment
from lms.mail.operations import render_mail, send_mail

from . import operations
from .models import Certificate, CertificateFile
from .serials import normalize_serial

MAX_SERIALS = 10_000


# -- choosing learners and certificates ---------------------------------------------------------


def _scope(params: dict[str, Any]) -> tuple[Cohort | None, Course]:
    """The cohort or the course the job is about (exactly one must be given)."""
    cohort_id, course_id = params.get("cohort_id"), params.get("course_id")
    if bool(cohort_id) == bool(course_id):
        raise InvalidInput(_("Choose either a cohort or a course."))
    if cohort_id:
        cohort = db.session.get(Cohort, _as_id(cohort_id))
        if cohort is None:
            raise InvalidInput(_("No cohort has the number %(id)s.", id=cohort_id))
        return cohort, cohort.course
    course = db.session.get(Course, _as_id(course_id))
    if course is None:
        raise InvalidInput(_("No course has the number %(id)s.", id=course_id))
    return None, course


def _as_id(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("%(value)s is not a number.", value=value)) from None


def _subject(cohort: Cohort | None, course: Course) -> str:
    title = course.title(current_language())
    return f"{cohort.name} — {title}" if cohort else title


def _enrolments_in(cohort: Cohort | None, course: Course):
    statement = select(Enrolment.id)
    if cohort is not None:
        return statement.where(Enrolment.cohort_id == cohort.id)
    return statement.where(Enrolment.course_id == course.id)


def _live_certificates_in(cohort: Cohort | None, course: Course):
    """Certificates neither revoked nor superseded (expired ones included), oldest first."""
    statement = (
        select(Certificate)
        .where(Certificate.live_enrolment_id.is_not(None))
        .order_by(Certificate.id)
    )
    if cohort is not None:
        return statement.where(Certificate.enrolment_id.in_(_enrolments_in(cohort, course)))
    return statement.where(Certificate.course_id == course.id)


# -- issue to every eligible learner ------------------------------------------------------------


def prepare_issue(params: dict[str, Any]) -> str:
    return _subject(*_scope(params))


def eligible_enrolments(params: dict[str, Any]) -> list[str]:
    """Completed enrolments without a live certificate (the rule is checked item by item: a
    learner who does not meet it is skipped, with the reason)."""
    cohort, course = _scope(params)
    no_live = ~exists().where(Certificate.live_enrolment_id == Enrolment.id)
    statement = (
        _enrolments_in(cohort, course)
        .where(Enrolment.status == "completed", no_live)
        .order_by(Enrolment.id)
    )
    return [str(enrolment_id) for enrolment_id in db.session.scalars(statement)]


def issue_one(job, key: str) -> None:
    # the learner comes with it: her name is on the certificate (one round trip, not two)
    enrolment = db.session.get(Enrolment, int(key), options=[joinedload(Enrolment.user)])
    if enrolment is None or enrolment.status != "completed":
        raise SkipItem(_("The enrolment is no longer complete."))
    existing = operations.live_certificate(enrolment.id)
    if existing is not None:
        raise SkipItem(_("Already has the certificate %(serial)s.", serial=existing.serial))
    try:
        certificate = operations.issue_new(enrolment, actor=job.created_by)
    except operations.RuleNotMet as error:
        raise SkipItem(error.message) from None
    if job.params.get("notify"):
        notify_learner(certificate)  # a deactivated account gets no e-mail, the certificate stands


# -- a certificate that could not be issued at completion ---------------------------------------

PENDING = "certificates.pending"


def pending_enrolment_ids(enrolment_ids: Iterable[int]) -> set[int]:
    """Those of these enrolments whose certificate is waiting for a retry."""
    wanted = set(enrolment_ids)
    if not wanted:
        return set()
    params = db.session.scalars(
        select(Job.params).where(Job.kind == PENDING, Job.status.in_(ACTIVE_STATUSES))
    )
    return {p["enrolment_id"] for p in params if p.get("enrolment_id") in wanted}


def retry_later(enrolment: Enrolment, error: Exception) -> None:
    """Issuing failed at completion: a job tries again (once per enrolment at a time)."""
    if enrolment.id in pending_enrolment_ids([enrolment.id]):
        return
    message = f"{type(error).__name__}: {error}"[:300]
    start_job(PENDING, {"enrolment_id": enrolment.id, "error": message})


def prepare_pending(params: dict[str, Any]) -> str:
    return _("Certificate pending: %(error)s", error=params.get("error", ""))


def pending_enrolment(params: dict[str, Any]) -> list[str]:
    return [str(_as_id(params.get("enrolment_id")))]


def issue_pending(job, key: str) -> None:
    enrolment = db.session.get(Enrolment, int(key))
    if enrolment is None:
        raise SkipItem(_("The enrolment no longer exists."))
    if operations.on_course_completed(enrolment) is None:
        raise SkipItem(_("Nothing to issue: a certificate exists or the rule no longer holds."))


# -- supersede and re-issue after a correction --------------------------------------------------


def prepare_reissue(params: dict[str, Any]) -> str:
    """Checks the reason and scope; normalises the serials in ``params`` (stored as the job's)."""
    if not (params.get("reason") or "").strip():
        raise InvalidInput(
            _("Give the reason for re-issuing (e.g. the course title was corrected).")
        )
    serials = params.get("serials") or []
    if serials:
        if not isinstance(serials, list) or len(serials) > MAX_SERIALS:
            raise InvalidInput(_("Give at most %(n)d serials, one per line.", n=MAX_SERIALS))
        params["serials"] = [
            normalize_serial(str(serial)) for serial in serials if str(serial).strip()
        ]
        return _("%(n)d chosen certificates", n=len(params["serials"]))
    return _subject(*_scope(params))


def certificates_to_reissue(params: dict[str, Any]) -> list[str]:
    if params.get("serials"):
        return list(params["serials"])
    return [
        certificate.serial
        for certificate in db.session.scalars(_live_certificates_in(*_scope(params)))
    ]


def reissue_one(job, key: str) -> None:
    certificate = operations.get_by_serial(
        key
    )  # NotFound: the item fails with "No such certificate."
    if certificate.superseded_by_id is not None:
        raise SkipItem(
            _("Already replaced by %(serial)s.", serial=certificate.superseded_by.serial)
        )
    if certificate.revoked_at is not None:
        raise SkipItem(_("Revoked: a revoked certificate is not re-issued."))
    # The new certificate is built from today's course data; the name stays the one printed on
    # the old certificate, which may itself have been corrected by hand.
    operations.correct(
        job.created_by, certificate, certificate.snapshot["learner"]["name"], job.params["reason"]
    )


# -- "your certificate is ready" ----------------------------------------------------------------


def certificates_to_announce(params: dict[str, Any]) -> list[str]:
    return [
        str(certificate.id)
        for certificate in db.session.scalars(_live_certificates_in(*_scope(params)))
    ]


def notify_one(job, key: str) -> None:
    certificate = db.session.get(Certificate, int(key))
    if certificate is None or certificate.status() != "valid":
        raise SkipItem(_("The certificate is no longer valid."))
    if not notify_learner(certificate):
        raise SkipItem(_("The account is deactivated."))


def notify_learner(certificate: Certificate) -> bool:
    """E-mail the learner that the certificate is ready (False: the account is deactivated)."""
    user = certificate.user
    if not user.active:
        return False
    language = user.locale or current_app.config["LMS_DEFAULT_LANGUAGE"]
    with force_locale(language):
        title = certificate.course.title(language)
        subject = _("Your certificate for %(course)s is ready", course=title)
        body = render_mail(
            "certificates/emails/certificate_ready.txt",
            name=user.name,
            course=title,
            link=operations.public_base_url() + url_for("lms_certificates.mine"),
            serial=certificate.serial,
            verify=operations.verify_url(certificate.serial),
        )
    send_mail(user.email, subject, body)
    return True


register(
    JobKind(
        "certificates.issue",
        lambda: _("Issue certificates"),
        prepare_issue,
        eligible_enrolments,
        issue_one,
    )
)
register(
    JobKind(
        "certificates.reissue",
        lambda: _("Re-issue certificates"),
        prepare_reissue,
        certificates_to_reissue,
        reissue_one,
    )
)
register(
    JobKind(
        PENDING,
        lambda: _("Issue a pending certificate"),
        prepare_pending,
        pending_enrolment,
        issue_pending,
    )
)
register(
    JobKind(
        "certificates.notify",
        lambda: _("E-mail certificates"),
        prepare_issue,
        certificates_to_announce,
        notify_one,
    )
)


# -- one ZIP of a cohort's certificates ---------------------------------------------------------


def zip_entries(cohort: Cohort) -> list[tuple[int, str]]:
    """(certificate id, file name) of the cohort's valid certificates (no PDF bytes yet)."""
    rows = db.session.execute(
        select(
            Certificate.id, Certificate.serial, Certificate.snapshot["learner"]["name"].as_string()
        )
        .where(Certificate.live_enrolment_id.is_not(None))
        .where(
            Certificate.enrolment_id.in_(
                select(Enrolment.id).where(Enrolment.cohort_id == cohort.id)
            )
        )
        .order_by(Certificate.id)
    )
    return [
        (certificate_id, f"{_file_part(name)}-{serial}.pdf")
        for certificate_id, serial, name in rows
    ]


def _file_part(name: str | None) -> str:
    return re.sub(r"[^\w]+", "-", name or "", flags=re.UNICODE).strip("-")[:60] or "certificate"


class _Sink:
    """A write-only file for ``zipfile``: it keeps the bytes until they are taken."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._offset = 0

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        self._offset += len(data)
        return len(data)

    def tell(self) -> int:
        return self._offset

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def read_pdf(certificate_id: int) -> bytes | None:
    """One certificate's stored PDF bytes (and nothing else)."""
    return db.session.scalar(
        select(CertificateFile.data).where(CertificateFile.certificate_id == certificate_id)
    )


def stream_zip(
    entries: Iterable[tuple[int, str]], read: Callable[[int], bytes | None] = read_pdf
) -> Iterator[bytes]:
    """The ZIP's bytes, one certificate at a time: only one PDF is ever in memory.

    PDFs are already compressed, so they are stored as they are (fast, and the same bytes).
    """
    sink = _Sink()
    with zipfile.ZipFile(sink, mode="w", compression=zipfile.ZIP_STORED) as archive:
        for certificate_id, name in entries:
            data = read(certificate_id)
            if data is None:
                continue
            archive.writestr(name, data)
            del data
            yield sink.take()
    yield sink.take()  # the central directory, written when the archive closes


def cohort_choices() -> list[Cohort]:
    """The cohorts an administrator can pick for bulk work (with their course)."""
    return list(
        db.session.scalars(
            select(Cohort)
            .options(joinedload(Cohort.course))
            .where(Cohort.archived_at.is_(None))
            .order_by(Cohort.name)
        )
    )
