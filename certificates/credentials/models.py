"""The signed Open Badges 3.0 credential of a certificate (one per certificate, made with it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from certificates.models import Certificate
from curriculum.db import JSONType, UTCDateTime, db, utcnow


class CertificateCredential(db.Model):
    __tablename__ = "lms_certificate_credentials"

    certificate_id: Mapped[int] = mapped_column(
        ForeignKey("lms_certificates.id", ondelete="CASCADE"), primary_key=True
    )
    #: the signed credential; its status index is the certificate's id
    document: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    certificate: Mapped[Certificate] = relationship()
