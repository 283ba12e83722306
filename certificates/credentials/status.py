"""Revocation by a Bitstring Status List (W3C Recommendation, 2025).

Every credential gets a status index (its certificate's id) in list ``index // LIST_SIZE`` at
bit ``index % LIST_SIZE``. The list is published as a ``BitstringStatusListCredential`` signed
like the credentials: the bits (1 = revoked), GZIP-compressed, multibase base64url. Revoking a
certificate flips its bit; each served list is rebuilt when the revocations of its range change
(each list cached on its own), and carries a weak ETag of that state, the same in every process,
so that a verifier's revalidation is answered 304 without building anything. A list exists once a
certificate falls in its range.
"""

from __future__ import annotations

import gzip
import hashlib
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
#: status indices are certificate ids: no list starts past the largest 32-bit id
MAX_LIST_NUMBER = (2**31 - 1) // LIST_SIZE
#: list number → (the state it was built in, the signed list)
_cache: dict[int, tuple[tuple, dict]] = {}
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


def state(list_number: int) -> tuple | None:
    """What list ``list_number`` says depends on (its URL, issuer, signing key and the revocations
    in its range); None when no certificate falls in its range: there is no such list."""
    if not 0 <= list_number <= MAX_LIST_NUMBER:
        return None
    low, high = list_number * LIST_SIZE, (list_number + 1) * LIST_SIZE
    certificates, revoked, latest = db.session.execute(
        select(
            func.count(Certificate.id), func.count(Certificate.revoked_at),
            func.max(Certificate.revoked_at),
        ).where(Certificate.id >= low, Certificate.id < high)
    ).one()  # fmt: skip
    if not certificates:
        return None
    folder = signing.key_folder_from_app()
    return (list_url(list_number), issuer_did(), str(folder), signing.ensure_key(folder), revoked,
            str(latest))  # fmt: skip


def etag(list_state: tuple) -> str:
    """A weak ETag: two processes build the same list at different times (``validFrom``)."""
    return hashlib.sha256(repr(list_state).encode("utf-8")).hexdigest()[:32]


def status_list_credential(list_number: int, list_state: tuple, sign_with) -> dict:
    """The signed list ``list_number`` in its :func:`state`; ``sign_with(document, created)`` adds
    the proof. Cached per process and per list while its state does not change."""
    with _lock:
        cached = _cache.get(list_number)
    if cached is not None and cached[0] == list_state:
        return cached[1]
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
        _cache[list_number] = (list_state, signed)
    return signed


def check_entry(status_credential: dict, status: dict) -> bool:
    """Whether the entry's bit is set in a (verified) status list credential."""
    subject = status_credential.get("credentialSubject") or {}
    return decode_bit(subject["encodedList"], int(status["statusListIndex"]))
