"""Reads: a certificate's credential, and the certificates still without one."""

from __future__ import annotations

from sqlalchemy import select

from certificates.models import Certificate
from curriculum.db import db

from .models import CertificateCredential


def credential_of(certificate: Certificate) -> CertificateCredential | None:
    return db.session.get(CertificateCredential, certificate.id)


def credentialed_ids(certificate_ids: list[int]) -> set[int]:
    """Which of these certificates have their credential (old ones wait for the back-fill)."""
    if not certificate_ids:
        return set()
    return set(
        db.session.scalars(
            select(CertificateCredential.certificate_id).where(
                CertificateCredential.certificate_id.in_(certificate_ids)
            )
        )
    )


def without_credential_ids(limit: int | None = None) -> list[int]:
    """Certificates issued before credentials existed (for the back-fill job), oldest first."""
    statement = (
        select(Certificate.id)
        .outerjoin(CertificateCredential, CertificateCredential.certificate_id == Certificate.id)
        .where(CertificateCredential.certificate_id.is_(None))
        .order_by(Certificate.id)
    )
    if limit:
        statement = statement.limit(limit)
    return list(db.session.scalars(statement))
