"""Reading an uploaded PDF: the signed JSON embedded in our certificates, and the file's hash.

Everything here takes untrusted bytes: garbage gives ``None``, never an exception.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from typing import Any

from pypdf import PdfReader

ATTACHMENT_NAME = "certificate.json"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_attachment(data: bytes) -> dict[str, Any] | None:
    """The ``certificate.json`` embedded in the PDF, or None (not a PDF, no such attachment)."""
    if not data.startswith(b"%PDF-"):
        return None
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        attachments = reader.attachments
        contents = attachments.get(ATTACHMENT_NAME)
        if not contents:
            return None
        document = json.loads(contents[0].decode("utf-8"))
    except Exception:  # noqa: BLE001 - any malformed PDF or JSON means "not ours"
        return None
    return document if isinstance(document, dict) else None
