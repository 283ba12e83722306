"""A plain verdict on a credential someone uploads (the ``.json`` or a baked badge PNG).

Untrusted input: every failure is a :class:`CredentialCheck` naming the reason, never an
exception (an unexpected one is logged and becomes a verdict too). The checks, in order: size,
PNG chunk or JSON, nesting depth and number of values (bounded before any JSON-LD processing, which
recurses), a credential at all, known contexts, the official Open Badges 3.0 JSON Schema, the proof
(an eddsa-rdfc-2022 signature by a key of our DID document, over a canonical form from which
nothing was dropped: :mod:`.safemode`), then the certificate's status (valid, revoked, expired,
superseded).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from jsonschema import Draft201909Validator
from sqlalchemy import select

from certificates import signing
from certificates.models import Certificate
from curriculum.db import db

from . import baking, proof
from .contexts import UnknownContext, known, schema
from .did import key_id_from_method
from .safemode import DROPPED, RELATIVE, Dropped

MAX_BYTES = 1024 * 1024
#: ours are nested 5 levels deep and hold about 60 values
MAX_DEPTH = 32
MAX_VALUES = 10_000
logger = logging.getLogger(__name__)


@dataclass
class CredentialCheck:
    signature_valid: bool = False
    ours: bool = False
    status: str | None = None  # valid | revoked | expired | superseded (only when ours and valid)
    reason: str | None = None  # why it cannot be trusted, in words
    subject: str | None = None
    achievement: str | None = None
    issuer: str | None = None
    certificate: Certificate | None = None

    @property
    def trusted(self) -> bool:
        return self.signature_valid and self.ours and self.status == "valid"


def _validator() -> Draft201909Validator:
    return Draft201909Validator(schema())


def load(data: bytes) -> tuple[dict | None, str | None]:
    """(the credential, None) or (None, the reason it is not one)."""
    if len(data) > MAX_BYTES:
        return None, _("The file is larger than 1 MB: it is not one of our credentials.")
    if data.startswith(baking.PNG_SIGNATURE):
        try:
            data = baking.unbake(data).encode("utf-8")
        except baking.NotABakedBadge:
            return None, _("This image carries no credential.")
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, _("This file is neither a credential (JSON) nor a badge image (PNG).")
    depth, count = _shape(document)
    if depth > MAX_DEPTH:
        return None, _(
            "The file is nested too deeply (over %(depth)d levels): it is not one of our "
            "credentials.",
            depth=MAX_DEPTH,
        )
    if count > MAX_VALUES:
        return None, _(
            "The file holds too many values (over %(count)d): it is not one of our credentials.",
            count=MAX_VALUES,
        )
    if not isinstance(document, dict) or "VerifiableCredential" not in _types(document):
        return None, _("This file is JSON but not a verifiable credential.")
    return document, None


def _shape(document: Any) -> tuple[int, int]:
    """(how deep, how many values) ``document`` is, without recursion; stops early past a bound."""
    deepest, count, pending = 0, 0, [(document, 1)]
    while pending and deepest <= MAX_DEPTH and count <= MAX_VALUES:
        value, depth = pending.pop()
        count += 1
        deepest = max(deepest, depth)
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return deepest, count


def _types(document: dict) -> list:
    kinds = document.get("type")
    return kinds if isinstance(kinds, list) else [kinds]


def _names(document: dict) -> tuple[str | None, str | None, str | None]:
    subject = document.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    issuer = document.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else issuer

    def text(value: Any) -> str | None:
        return value[:300] if isinstance(value, str) else None

    return text(subject.get("name")), text(achievement.get("name")), text(issuer_name)


def check(data: bytes) -> CredentialCheck:
    """The verdict on an uploaded file; never raises."""
    try:
        return _check(data)
    except Exception:  # a bug or an input we did not foresee: a verdict, not a 500
        logger.exception("checking an uploaded credential failed")
        return CredentialCheck(
            reason=_("This file could not be checked: it is not a credential we can read.")
        )


def _check(data: bytes) -> CredentialCheck:
    document, reason = load(data)
    if document is None:
        return CredentialCheck(reason=reason)
    subject, achievement, issuer = _names(document)
    result = CredentialCheck(subject=subject, achievement=achievement, issuer=issuer)
    contexts = document.get("@context")
    for url in contexts if isinstance(contexts, list) else [contexts]:
        if isinstance(url, str) and not known(url):
            result.reason = _("It names an unknown JSON-LD context: %(url)s.", url=url[:200])
            return result
    error = next(iter(sorted(_validator().iter_errors(document), key=str)), None)
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "/"
        result.reason = _(
            "It does not follow the Open Badges 3.0 schema (at %(where)s).", where=where[:100]
        )
        return result
    return _check_proof(document, result)


def _check_proof(document: dict, result: CredentialCheck) -> CredentialCheck:
    try:
        method = proof.proof_of(document)["verificationMethod"]
    except proof.ProofError:
        result.reason = _("It carries no signature we can check (eddsa-rdfc-2022).")
        return result
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    # ours: signed by one of our keys, named under the credential's own issuer (the DID it was
    # issued under: an earlier LMS_PUBLIC_URL's credentials stay ours)
    key_id = key_id_from_method(method, issuer_id) if isinstance(issuer_id, str) else None
    public_key = signing.public_keys(signing.key_folder_from_app()).get(key_id or "")
    if public_key is None:
        result.reason = _("It is not signed by this site: it was issued by someone else.")
        return result
    try:
        proof.verify(document, public_key)
    except Dropped as error:
        result.reason = _dropped_reason(error)
        return result
    except UnknownContext as error:  # named inside the document (refused, never fetched)
        result.reason = _("It names an unknown JSON-LD context: %(url)s.", url=error.url[:200])
        return result
    except (proof.ProofError, ValueError):
        result.reason = _("The signature does not match: the credential was changed after issue.")
        return result
    result.signature_valid = result.ours = True
    certificate = db.session.scalar(
        select(Certificate).where(Certificate.serial == _serial(document))
    )
    if certificate is None:
        result.reason = _("It is signed by us but names no certificate we know.")
        return result
    result.certificate = certificate
    result.status = certificate.status()
    until = document.get("validUntil")
    if result.status == "valid" and isinstance(until, str) and _expired(until):
        result.status = "expired"
    return result


def _dropped_reason(error: Dropped) -> str:
    where = error.path[:200]
    if error.kind == RELATIVE:
        return _("The credential holds an identifier or a type that is not a full IRI: %(where)s.",
                 where=where)  # fmt: skip
    if error.kind == DROPPED:
        return _("The credential holds a value that JSON-LD would leave out: %(where)s.",
                 where=where)  # fmt: skip
    return _("The credential holds a property its contexts do not define: %(where)s.", where=where)


def _serial(document: dict) -> str:
    identifier = document.get("id")
    return identifier.rstrip("/").rsplit("/", 1)[-1] if isinstance(identifier, str) else ""


def _expired(until: str) -> bool:
    try:
        moment = datetime.fromisoformat(until.replace("Z", "+00:00"))
    except ValueError:
        return False
    return moment.astimezone(UTC) < datetime.now(UTC)
