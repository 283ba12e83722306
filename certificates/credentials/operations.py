"""Verbs: make and sign a certificate's credential; sign documents with the issuer's keys."""

from __future__ import annotations

import json
from datetime import datetime

from certificates import rules, signing
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
    criteria = certificate.snapshot.get("criteria")
    if criteria is None:
        # a certificate issued before its snapshot froze the criteria (its credential made by the
        # back-fill job): the course's rule as it is now is the best account left of its rule
        criteria = rules.criteria(certificate.course.certificate_rule or {})
    unsigned = build.credential(certificate, issuer_did(), criteria)
    signed = sign_document(unsigned, certificate.issued_at, certificate.key_id)
    row = CertificateCredential(certificate_id=certificate.id, document=signed)
    db.session.add(row)
    db.session.flush()
    return row


def credential_bytes(row: CertificateCredential) -> bytes:
    return json.dumps(row.document, ensure_ascii=False, indent=2).encode("utf-8")


def status_list(list_number: int, holds=lambda tag: False) -> tuple[str, dict | None] | None:
    """(its ETag, the signed list) of status list ``list_number``, the list None when the caller
    ``holds(tag)`` that version already; None when there is no such list."""
    list_state = status.state(list_number)
    if list_state is None:
        return None
    tag = status.etag(list_state)
    if holds(tag):
        return tag, None
    return tag, status.status_list_credential(list_number, list_state, sign_document)
