"""Uploading a curriculum pack from the web: check it, preview the change, then apply it.

The uploaded zip is kept in the instance folder between the preview and the apply step (under a
random token bound to the administrator who uploaded it), then validated again on apply: what is
applied is exactly what was previewed.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from curriculum.importer import ImportReport, import_pack
from curriculum.pack import Pack, PackError, load_pack
from curriculum.zipsafe import PackZipError, unpacked_zip
from lms.audit.operations import record
from lms.errors import InvalidInput, NotFound

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class PackCheck:
    token: str | None = None
    problems: list[str] = field(default_factory=list)
    report: ImportReport | None = None
    summary: str = ""


def _upload_dir() -> Path:
    path = Path(current_app.instance_path) / "pack-uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _stored_path(user, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise NotFound(_("This upload has expired. Upload the pack again."))
    return _upload_dir() / f"{user.id}-{token}.zip"


def _limit() -> int:
    return int(current_app.config["LMS_PACK_UPLOAD_MAX_MB"]) * 1024 * 1024


def _check_folder(folder: Path) -> tuple[Pack | None, list[str]]:
    pack, problems = load_pack(folder)
    # Paths relative to the pack (the temporary folder's name means nothing to the uploader).
    return pack, [str(problem) for problem in problems]


def check_upload(user, stream) -> PackCheck:
    """Validate an uploaded zip and preview the import (nothing is written to the database)."""
    data = stream.read(_limit() + 1)
    if len(data) > _limit():
        raise InvalidInput(_("The zip is larger than %(n)d MB.", n=_limit() // (1024 * 1024)))
    token = secrets.token_hex(16)
    path = _stored_path(user, token)
    path.write_bytes(data)
    result = PackCheck(token=token)
    kept = False
    try:
        with unpacked_zip(str(path), max_zip_bytes=_limit()) as folder:
            pack, result.problems = _check_folder(folder)
            if pack is not None and not result.problems:
                result.summary = pack.summary()
                try:
                    result.report = import_pack(pack, dry_run=True)
                except PackError as error:  # e.g. it requires a course the site does not have
                    result.problems = [str(problem) for problem in error.problems]
        kept = not result.problems
    except PackZipError as error:
        result.problems = [str(error)]
    finally:
        if not kept:  # refused, or failed: nothing to apply later, so nothing stays on disk
            path.unlink(missing_ok=True)
            result.token = None
    return result


def apply_upload(user, token: str) -> ImportReport:
    """Import the previewed zip (validated again) in the caller's transaction."""
    path = _stored_path(user, token)
    if not path.exists():
        raise NotFound(_("This upload has expired. Upload the pack again."))
    try:
        with unpacked_zip(str(path), max_zip_bytes=_limit()) as folder:
            pack, problems = _check_folder(folder)
            if pack is None or problems:
                raise InvalidInput(_("The pack has problems: upload it again to see them."))
            report = import_pack(pack)
    except PackError as error:
        raise InvalidInput(" ".join(str(problem) for problem in error.problems)) from error
    except PackZipError as error:
        raise InvalidInput(str(error)) from error
    finally:
        path.unlink(missing_ok=True)
    record(user, "pack.imported", "course", report.course, summary=report.summary())
    return report


def forget_old_uploads(max_age_seconds: int = 24 * 3600) -> None:
    """Remove uploads that were previewed but never applied."""
    import time

    for path in _upload_dir().glob("*.zip"):
        if time.time() - path.stat().st_mtime > max_age_seconds:
            os.unlink(path)
