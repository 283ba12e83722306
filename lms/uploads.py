"""Files people send: the request size allowed for upload views, the types we accept (read from
the content, never from the name), and where accepted files are kept (outside the web root).

A leaf module: the extension, the learner's assignments and the pack upload all import it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import event
from sqlalchemy.orm import Session

from curriculum.db import LMSSession, db

from .errors import InvalidInput

#: the session's ``info`` key of the files stored in its transaction (deleted if it rolls back)
STORED_KEY = "lms_stored_files"

FILE_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
FILE_EXTENSIONS = {"pdf": "pdf", "jpeg": "jpg", "png": "png"}
FILE_MIMETYPES = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}


class BadUpload(InvalidInput):
    """The file is refused (too large, empty, not of an accepted type)."""


def accepts_large_uploads(view):
    """For a view that checks an upload's size itself (and answers with the form and what was
    typed in it): the request may be as large as ``LMS_UPLOAD_REQUEST_MAX_MB``, so a file over
    the view's own limit reaches the view instead of ending on a bare "413" page."""
    view.accepts_large_uploads = True
    return view


def request_limit(config_key: str):
    """For a view that takes a file larger than the site's usual limit (a SCORM package): the
    request may be as large as ``config_key`` says (in MB), plus room for the form's fields."""

    def mark(view):
        view.request_limit_key = config_key
        return view

    return mark


def upload_request_limit() -> None:
    """``before_request``: the larger request limit of the views marked above."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_large_uploads", False):
        request.max_content_length = current_app.config["LMS_UPLOAD_REQUEST_MAX_MB"] * 1024 * 1024
    key = getattr(view, "request_limit_key", None)
    if key:
        request.max_content_length = current_app.config[key] * 1024 * 1024 + 64 * 1024


def detect_file_type(head: bytes) -> str | None:
    for kind, signatures in FILE_SIGNATURES.items():
        if any(head.startswith(signature) for signature in signatures):
            return kind
    return None


def upload_folder() -> Path:
    configured = current_app.config["LMS_UPLOAD_FOLDER"]
    return Path(configured or os.path.join(current_app.instance_path, "uploads"))


def read_upload(upload, limit_mb: int, allowed_types: set[str]) -> tuple[bytes, str]:
    """The file's bytes and detected type, or ``BadUpload`` saying why not."""
    data = upload.stream.read(limit_mb * 1024 * 1024 + 1)
    if len(data) > limit_mb * 1024 * 1024:
        raise BadUpload(_("The file is larger than %(n)d MB. Send a smaller file.", n=limit_mb))
    if not data:
        raise BadUpload(_("The file is empty."))
    kind = detect_file_type(data[:16])
    if kind is None or kind not in allowed_types:
        names = ", ".join(sorted(t.upper() for t in allowed_types))
        raise BadUpload(_("This file is not of an accepted type (%(types)s).", types=names))
    return data, kind


def display_name(filename: str | None, kind: str) -> str:
    """The name a file is shown and downloaded under: the sender's name without its extension,
    and the extension of the type found in the content (``polyglot.html`` holding a PDF is
    ``polyglot.pdf``), so a saved file never opens as something else."""
    stem = os.path.splitext(os.path.basename(filename or ""))[0].strip(" .")[:200]
    return f"{stem or 'file'}.{FILE_EXTENSIONS[kind]}"


def store(folder: str, prefix: str, data: bytes, kind: str) -> str:
    """Keep the bytes under a random name in ``folder`` of the upload folder; the relative path."""
    relative = f"{folder}/{prefix}-{secrets.token_hex(8)}.{FILE_EXTENSIONS[kind]}"
    path = upload_folder() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return relative


def store_in_transaction(folder: str, prefix: str, data: bytes, kind: str) -> str:
    """:func:`store`, and the file is deleted again if the transaction is rolled back (a refused
    or failed request leaves no file that no row names)."""
    relative = store(folder, prefix, data, kind)
    db.session.info.setdefault(STORED_KEY, []).append(relative)
    return relative


@event.listens_for(LMSSession, "after_commit")
def _keep_stored(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(STORED_KEY, None)


@event.listens_for(LMSSession, "after_soft_rollback")
def _delete_stored(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is not None:
        return  # a savepoint: what the outer transaction commits still names its files
    for relative in session.info.pop(STORED_KEY, []):
        with contextlib.suppress(RuntimeError):  # no application: the folder is not known
            (upload_folder() / relative).unlink(missing_ok=True)
