"""Verbs: make and sign a certificate's credential; sign documents with the issuer's keys."""

from __future__ import annotations

import json
from datetime import datetime

from certificates import signing
from certificates.models import Certificate
from curriculum.db import db

from . import build, proof, status
from .did import issuer_did, method_id
from .models import CertificateCredential


def sign_document(document: dict, created: datetime, key_id: str | None = None) -> dict:
    """``document`` with an eddsa-rdfc-2022 proof by ``key_id`` (default: the active key)."""
    folder = signing.key_folder_from_app()
    key_id = key_id or signing.ensure_key(folder)
    return proof.sign(document, signing.private_key(folder, key_id), method_id(key_id), created)


def make_credential(certificate: Certificate) -> CertificateCredential:
    """Build, sign (with the key that signed the certificate) and store the credential of a
    certificate; flushed in the caller's transaction."""
    rule = dict(certificate.course.certificate_rule or {})
    unsigned = build.credential(certificate, issuer_did(), rule)
    signed = sign_document(unsigned, certificate.issued_at, certificate.key_id)
    row = CertificateCredential(certificate_id=certificate.id, document=signed)
    db.session.add(row)
    db.session.flush()
    return row


def credential_bytes(row: CertificateCredential) -> bytes:
    return json.dumps(row.document, ensure_ascii=False, indent=2).encode("utf-8")


def status_list(list_number: int) -> dict:
    return status.status_list_credential(list_number, sign_document)
