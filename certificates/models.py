"""Issued certificates and their frozen PDF bytes.

A certificate is frozen at issuance: ``snapshot`` holds everything printed on it and is signed;
the PDF is rendered once and stored. ``live_enrolment_id`` equals ``enrolment_id`` while the
certificate is neither revoked nor superseded, and is unique: at most one live certificate per
enrolment, enforced by the database.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from curriculum.db import JSONType, UTCDateTime, db, utcnow
from curriculum.models import Course
from lms.learning.models import Enrolment
from lms.users.models import User


class Certificate(db.Model):
    __tablename__ = "lms_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(32), unique=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("lms_enrolments.id"), index=True)
    live_enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("lms_enrolments.id"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_users.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("lms_courses.id"), index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    signature: Mapped[str] = mapped_column(String(200))
    key_id: Mapped[str] = mapped_column(String(64))
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    issue_reason: Mapped[str | None] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_users.id"))
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("lms_certificates.id"))

    enrolment: Mapped[Enrolment] = relationship(foreign_keys=[enrolment_id])
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    course: Mapped[Course] = relationship()
    superseded_by: Mapped[Certificate | None] = relationship(remote_side=[id])

    def can_download(self, user) -> bool:
        """The PDF: its learner and administrators (for anyone else it does not exist; the
        public verify page shows what anyone may know)."""
        return user.is_authenticated and (user.is_admin or user.id == self.user_id)

    def status(self, now: datetime | None = None) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_by_id is not None:
            return "superseded"
        if self.expires_at is not None and self.expires_at <= (now or utcnow()):
            return "expired"
        return "valid"


class CertificateFile(db.Model):
    __tablename__ = "lms_certificate_files"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("lms_certificates.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[bytes] = mapped_column(LargeBinary)
