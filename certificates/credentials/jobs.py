"""The back-fill job: a credential for every certificate issued before credentials existed.

One item per certificate, idempotent (a certificate that has its credential is skipped), so an
interrupted job resumes where it stopped, like the other jobs (``lms.jobs.registry``). The PDFs
stay as they were issued: they are frozen; the credential is served beside them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from certificates.models import Certificate
from curriculum.db import db
from lms.jobs.registry import JobKind, SkipItem, register

from . import operations, queries

KIND = "certificates.backfill_credentials"


def prepare(params: dict[str, Any]) -> str:
    return _("Certificates without a digital credential")


def certificates_without_credential(params: dict[str, Any]) -> list[str]:
    return [str(certificate_id) for certificate_id in queries.without_credential_ids()]


def backfill_one(job, key: str) -> None:
    certificate = db.session.get(Certificate, int(key))
    if certificate is None:
        raise SkipItem(_("The certificate no longer exists."))
    if queries.credential_of(certificate) is not None:
        raise SkipItem(_("Already has its credential."))
    operations.make_credential(certificate)


register(
    JobKind(
        KIND,
        lambda: _("Give existing certificates their digital credential"),
        prepare,
        certificates_without_credential,
        backfill_one,
    )
)
