"""Read side of certificates: the administrators' list, a learner's certificates."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager

from curriculum.db import db, utcnow
from curriculum.models import Course
from lms.learning.models import Enrolment
from lms.users.models import User

from .models import Certificate

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
