"""Revocation by a Bitstring Status List (W3C Recommendation, 2025).

Every credential gets a status index (its certificate's id) in list ``index // LIST_SIZE`` at
bit ``index % LIST_SIZE``. The list is published as a ``BitstringStatusListCredential`` signed
like the credentials: the bits (1 = revoked), GZIP-compressed, multibase base64url. Revoking a
certificate flips its bit; the served list is rebuilt when the revocations of its range change.
"""

from __future__ import annotations

import gzip
import threading
from datetime import datetime

from sqlalchemy import func, select

from certificates import signing
from certificates.models import Certificate
from curriculum.db import db, utcnow
from lms.urls import absolute_url

from . import multibase
from .contexts import VC_V2
from .did import issuer_did

#: The minimum size the Recommendation asks for (16 KB of bits), for group privacy.
LIST_SIZE = 131072
PURPOSE = "revocation"
MEDIA_TYPE = "application/vc"
_cache: dict[tuple, dict] = {}
_lock = threading.Lock()


def list_url(list_number: int) -> str:
    return absolute_url("lms_certificates.status_list", list_number=list_number)


def entry(index: int) -> dict:
    """The ``credentialStatus`` of the credential with status index ``index``."""
    url = list_url(index // LIST_SIZE)
    return {
        "id": f"{url}#{index % LIST_SIZE}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": PURPOSE,
        "statusListIndex": str(index % LIST_SIZE),
        "statusListCredential": url,
    }


def encode(revoked_bits: list[int]) -> str:
    bits = bytearray(LIST_SIZE // 8)
    for bit in revoked_bits:
        bits[bit // 8] |= 0x80 >> (bit % 8)  # the first index is the left-most bit
    return multibase.encode_u(gzip.compress(bytes(bits), mtime=0))


def decode_bit(encoded: str, bit: int) -> bool:
    bits = gzip.decompress(multibase.decode_u(encoded))
    return bool(bits[bit // 8] & (0x80 >> (bit % 8)))


def _revoked_in(list_number: int) -> list[int]:
    low, high = list_number * LIST_SIZE, (list_number + 1) * LIST_SIZE
    return [
        index - low
        for index in db.session.scalars(
            select(Certificate.id).where(
                Certificate.revoked_at.is_not(None), Certificate.id >= low, Certificate.id < high
            )
        )
    ]


def _version(list_number: int) -> tuple:
    low, high = list_number * LIST_SIZE, (list_number + 1) * LIST_SIZE
    count, latest = db.session.execute(
        select(func.count(Certificate.id), func.max(Certificate.revoked_at)).where(
            Certificate.revoked_at.is_not(None), Certificate.id >= low, Certificate.id < high
        )
    ).one()
    return count, latest


def status_list_credential(list_number: int, sign_with) -> dict:
    """The signed list ``list_number``; ``sign_with(document, created)`` adds the proof.

    Cached per process while the revocations of its range do not change."""
    folder = signing.key_folder_from_app()
    key = (list_url(list_number), issuer_did(), str(folder), signing.ensure_key(folder),
           *_version(list_number))  # fmt: skip
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    now: datetime = utcnow().replace(microsecond=0)
    url = list_url(list_number)
    document = {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": PURPOSE,
            "encodedList": encode(_revoked_in(list_number)),
        },
    }
    signed = sign_with(document, now)
    with _lock:
        _cache.clear()
        _cache[key] = signed
    return signed


def check_entry(status_credential: dict, status: dict) -> bool:
    """Whether the entry's bit is set in a (verified) status list credential."""
    subject = status_credential.get("credentialSubject") or {}
    return decode_bit(subject["encodedList"], int(status["statusListIndex"]))
