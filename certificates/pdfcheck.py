"""Checks on a certificate PDF someone uploads: its embedded signed data and its fingerprint.

The verify page compares :func:`sha256` of an upload with the stored one to say "untouched
original", and reads the embedded ``certificate.json`` (:func:`read_attachment`) to say which
certificate a modified or re-saved copy claims to be. Uploads are untrusted: these functions
answer ``None`` for anything they cannot read, and never raise.
"""

from __future__ import annotations

import hashlib
import json
import logging
from io import BytesIO
from typing import Any

from pypdf import PdfReader

#: Name of the embedded signed JSON (render.py attaches it; kept here so that checking an upload
#: does not import WeasyPrint).
ATTACHMENT_NAME = "certificate.json"
#: The Open Badges 3.0 credential, embedded beside it.
CREDENTIAL_ATTACHMENT_NAME = "credential.json"
#: The embedded JSON is a few kilobytes; anything much larger is not ours.
MAX_ATTACHMENT_BYTES = 256 * 1024


def sha256(pdf_bytes: bytes) -> str:
    """The hex SHA-256 of the file, as recorded at issuance."""
    return hashlib.sha256(pdf_bytes).hexdigest()


def read_attachment(pdf_bytes: bytes, name: str = ATTACHMENT_NAME) -> dict[str, Any] | None:
    """The embedded ``certificate.json`` (or another attachment ``name``) as a dict; ``None`` if
    the bytes are not a readable PDF, have no such attachment, or it is not a JSON object."""
    # Readers accept the header anywhere in the first kilobyte.
    if not isinstance(pdf_bytes, bytes | bytearray) or b"%PDF-" not in pdf_bytes[:1024]:
        return None
    try:
        with _quiet_pypdf():
            reader = PdfReader(BytesIO(pdf_bytes), strict=False)
            contents = reader.attachments.get(name)
            if not contents:
                return None
            data = contents[0]
        if len(data) > MAX_ATTACHMENT_BYTES:
            return None
        document = json.loads(data.decode("utf-8"))
    except Exception:  # noqa: BLE001 - untrusted input: pypdf raises many kinds of errors
        return None
    return document if isinstance(document, dict) else None


class _quiet_pypdf:
    """pypdf logs a warning for every oddity of a damaged file; uploads are often damaged, so
    those warnings are noise here."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("pypdf")
        self.level = self.logger.level
        self.logger.setLevel(logging.ERROR)

    def __exit__(self, *exc_info: object) -> None:
        self.logger.setLevel(self.level)
