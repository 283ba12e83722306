"""Extracting an uploaded pack ``.zip`` safely.

A zip from the web is hostile until proven otherwise: entries may climb out of the folder
(``../evil``, ``/etc/x``, ``C:\\x``), be symbolic links, repeat a name, or decompress to far more
than they weigh (a zip bomb). Every entry is checked before anything is written, and the bytes
actually decompressed are counted while writing. The pack is either the zip's single top
folder or the zip's root.

Typical use::

    with unpacked_zip(upload.stream) as folder:
        pack, problems = load_pack(folder)
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask_babel import gettext as _

MAX_ZIP_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024
MAX_FILES = 2000
#: an entry (or the whole zip) above ``RATIO_FLOOR`` bytes decompressed that compresses better
#: than ``MAX_RATIO`` to 1 is refused: text compresses 3 to 10 times, media hardly at all;
#: a run of zeros, the stuff of zip bombs, a thousand times
MAX_RATIO = 100
RATIO_FLOOR = 4 * 1024 * 1024
#: the longest file or folder name most file systems take (in bytes), and a whole entry's path
#: well under the longest path (4,096 bytes, the temporary folder included)
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 1000
#: entries that archivers add and that are not part of the pack
IGNORED_PARTS = ("__MACOSX", ".DS_Store", "Thumbs.db")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CHUNK = 64 * 1024


class PackZipError(ValueError):
    """The upload is not a zip we accept; ``message`` says why (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ZipTooLarge(PackZipError):
    pass


class UnsafeZipEntry(PackZipError):
    pass


class NotAZip(PackZipError):
    pass


def extract_pack_zip(
    source: str | os.PathLike[str] | IO[bytes],
    destination: str | os.PathLike[str],
    *,
    max_zip_bytes: int = MAX_ZIP_BYTES,
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES,
    max_files: int = MAX_FILES,
) -> Path:
    """Extract the zip into the (empty) ``destination`` folder; return the pack folder."""
    size = _size_of(source)
    if size > max_zip_bytes:
        raise ZipTooLarge(
            _(
                "The zip is too large (%(size)s MB; at most %(limit)s MB).",
                size=_mb(size),
                limit=_mb(max_zip_bytes),
            )
        )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise NotAZip(_("The file is not a valid .zip archive.")) from error
    with archive:
        entries = checked_entries(archive, max_unzipped_bytes, max_files)
        root = Path(destination)
        try:
            for info, parts in entries:
                _extract_entry(archive, info, root.joinpath(*parts), max_unzipped_bytes)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
            raise NotAZip(
                _("The .zip archive is damaged or uses an unsupported format.")
            ) from error
    return _pack_folder(root, [parts for _info, parts in entries])


@contextmanager
def unpacked_zip(source: str | os.PathLike[str] | IO[bytes], **limits: int) -> Iterator[Path]:
    """The pack folder of a zip, extracted in a temporary folder removed afterwards."""
    directory = tempfile.mkdtemp(prefix="lms-pack-")
    try:
        yield extract_pack_zip(source, directory, **limits)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _size_of(source: str | os.PathLike[str] | IO[bytes]) -> int:
    if isinstance(source, str | os.PathLike):
        return os.path.getsize(source)
    position = source.tell()
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _shown(name: str) -> str:
    """An entry's name as a message shows it: a very long one by its start and its end."""
    return name if len(name) <= 80 else f"{name[:40]}…{name[-20:]}"


def _entry_parts(info: zipfile.ZipInfo) -> list[str] | None:
    """The path parts of a safe entry name (None for an entry to skip); raises if unsafe."""
    name = info.filename
    if "\\" in name:
        raise UnsafeZipEntry(_("The zip entry '%(name)s' contains a backslash.", name=_shown(name)))
    if name.startswith("/") or _DRIVE_RE.match(name):
        raise UnsafeZipEntry(_("The zip entry '%(name)s' is an absolute path.", name=_shown(name)))
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise UnsafeZipEntry(
            _("The zip entry '%(name)s' points outside the folder.", name=_shown(name))
        )
    if any(part in IGNORED_PARTS for part in parts) or not parts:
        return None
    # Refused here, before anything is written, rather than by the file system mid-extraction.
    if len("/".join(parts).encode()) > MAX_PATH_BYTES:
        raise UnsafeZipEntry(
            _(
                "The zip entry '%(name)s' has a path longer than %(n)d characters.",
                name=_shown(name),
                n=MAX_PATH_BYTES,
            )
        )
    if any(len(part.encode()) > MAX_NAME_BYTES for part in parts):
        raise UnsafeZipEntry(
            _(
                "The zip entry '%(name)s' has a file or folder name longer than %(n)d characters.",
                name=_shown(name),
                n=MAX_NAME_BYTES,
            )
        )
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise UnsafeZipEntry(_("The zip entry '%(name)s' is a symbolic link.", name=_shown(name)))
    # Zips from Windows tools and Python's writestr carry no file type bits: only refuse a
    # type that is set and is neither a file nor a folder (devices, fifos, sockets).
    if stat.S_IFMT(mode) and not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise UnsafeZipEntry(
            _("The zip entry '%(name)s' is not a regular file.", name=_shown(name))
        )
    if info.flag_bits & 0x1:
        raise UnsafeZipEntry(_("The zip entry '%(name)s' is encrypted.", name=_shown(name)))
    return parts


def checked_entries(
    archive: zipfile.ZipFile, max_unzipped_bytes: int, max_files: int
) -> list[tuple[zipfile.ZipInfo, list[str]]]:
    """The file entries to extract (with their path parts), after checking every entry of the
    zip: raises ``UnsafeZipEntry`` or ``ZipTooLarge`` (too many entries, too large decompressed,
    or compressing suspiciously well: ``MAX_RATIO``; also used on SCORM packages)."""
    infos = archive.infolist()
    if len(infos) > max_files:
        raise ZipTooLarge(_("The zip has too many entries (at most %(limit)s).", limit=max_files))
    entries = []
    seen: set[str] = set()
    total = packed = 0
    for info in infos:
        parts = _entry_parts(info)
        if parts is None:
            continue
        key = "/".join(parts).casefold()
        if key in seen:
            raise UnsafeZipEntry(
                _("The zip has the entry '%(name)s' twice.", name=_shown(info.filename))
            )
        seen.add(key)
        if info.is_dir():
            continue
        total += info.file_size
        packed += info.compress_size
        if total > max_unzipped_bytes:
            raise ZipTooLarge(
                _(
                    "The zip's content is too large (at most %(limit)s MB).",
                    limit=_mb(max_unzipped_bytes),
                )
            )
        if _too_compressed(info.file_size, info.compress_size):
            raise ZipTooLarge(
                _(
                    "The zip entry '%(name)s' decompresses to more than %(n)d times its size "
                    "(a zip bomb?).",
                    name=_shown(info.filename),
                    n=MAX_RATIO,
                )
            )
        entries.append((info, parts))
    if _too_compressed(total, packed):
        raise ZipTooLarge(
            _(
                "The zip's content decompresses to more than %(n)d times its size (a zip bomb?).",
                n=MAX_RATIO,
            )
        )
    file_paths = {"/".join(parts).casefold() for _info, parts in entries}
    for _info, parts in entries:
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]).casefold() in file_paths:
                raise UnsafeZipEntry(
                    _(
                        "The zip has '%(name)s' both as a file and as a folder.",
                        name="/".join(parts[:depth]),
                    )
                )
    return entries


def _too_compressed(size: int, compressed: int) -> bool:
    return size > RATIO_FLOOR and size > MAX_RATIO * max(compressed, 1)


def _extract_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, limit: int
) -> None:
    """Write one entry, counting the bytes really decompressed (sizes in a zip can lie)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as source, open(target, "xb") as output:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > limit or written > info.file_size:
                raise ZipTooLarge(
                    _("The zip's content is too large (at most %(limit)s MB).", limit=_mb(limit))
                )
            output.write(chunk)


def _pack_folder(root: Path, paths: list[list[str]]) -> Path:
    """The single top folder when every file is inside it, else the root."""
    tops = {parts[0] for parts in paths}
    if len(tops) == 1 and all(len(parts) > 1 for parts in paths):
        return root / tops.pop()
    return root
