"""Read side of certificates: the administrators' list, a learner's certificates."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from curriculum.db import db, utcnow
from curriculum.models import Course
from lms.access import authorized
from lms.audit.models import AuditEvent
from lms.errors import NotFound
from lms.learning.models import Enrolment
from lms.users.models import User

from . import operations
from .models import Certificate
from .serials import normalize_serial

STATUSES = ("valid", "revoked", "superseded", "expired")


def search(
    query: str = "",
    course_id: int | None = None,
    cohort_id: int | None = None,
    status: str = "",
    page: int = 1,
    per_page: int = 25,
):
    statement = (
        select(Certificate)
        .join(Certificate.user)
        .join(Certificate.course)
        .options(contains_eager(Certificate.user), contains_eager(Certificate.course))
        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
    )
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(User.name.ilike(like), Certificate.serial.ilike(like), User.email_key.like(like))
        )
    if course_id:
        statement = statement.where(Certificate.course_id == course_id)
    if cohort_id:
        statement = statement.where(
            Certificate.enrolment_id.in_(
                select(Enrolment.id).where(Enrolment.cohort_id == cohort_id)
            )
        )
    now = utcnow()
    if status == "revoked":
        statement = statement.where(Certificate.revoked_at.is_not(None))
    elif status == "superseded":
        statement = statement.where(
            Certificate.revoked_at.is_(None), Certificate.superseded_by_id.is_not(None)
        )
    elif status == "expired":
        statement = statement.where(
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
            Certificate.expires_at <= now,
        )
    elif status == "valid":
        statement = statement.where(
            Certificate.revoked_at.is_(None),
            Certificate.superseded_by_id.is_(None),
            or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
        )
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def of_user(user) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .join(Certificate.course)
            .options(contains_eager(Certificate.course))
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc())
        )
    )


def courses() -> list[Course]:
    return list(
        db.session.scalars(select(Course).where(Course.archived_at.is_(None)).order_by(Course.slug))
    )


def by_serial(serial: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(Certificate.serial == normalize_serial(serial))
    )


def downloadable(serial: str, user) -> Certificate:
    """A certificate's PDF, for its learner and administrators (404 for anyone else)."""
    return authorized(by_serial(serial), "can_download", user, hide=True)


def administered(serial: str) -> Certificate:
    """A certificate for an administrator's page (404 if there is none)."""
    certificate = by_serial(serial)
    if certificate is None:
        raise NotFound()
    return certificate


def audit_trail(certificate: Certificate) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "certificate",
                AuditEvent.object_id == certificate.serial,
            )
            .order_by(AuditEvent.created_at)
        )
    )


def earned_certificates(user) -> dict[int, Certificate]:
    """The user's valid certificates by enrolment id."""
    return {c.enrolment_id: c for c in of_user(user) if c.status() == "valid"}


def public_facts(certificate: Certificate) -> dict:
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
    if snapshot.get("project"):  # the circle's project, on certificates whose rule asks for one
        facts["project"] = snapshot["project"]["title"]
    if status == "revoked":
        facts["revoked_on"] = certificate.revoked_at.date().isoformat()
        facts["revoke_reason"] = certificate.revoke_reason
    if certificate.superseded_by is not None:
        facts["superseded_by"] = certificate.superseded_by.serial
    return facts


def course_by_id(course_id: int) -> Course:
    """Any course (an administrator may issue for an unpublished one), 404 if none."""
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound()
    return course
