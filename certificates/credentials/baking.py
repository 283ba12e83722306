"""Open Badges 3.0 baking: the signed credential in a PNG's ``iTXt`` chunk, keyword
``openbadgecredential`` (uncompressed, UTF-8), written before ``IEND``; and reading it back."""

from __future__ import annotations

import struct
import zlib
from functools import cache
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
_BADGE = Path(__file__).parent / "badge.png"


class NotABakedBadge(ValueError):
    """The bytes are not a PNG, or it carries no credential."""


@cache
def badge_image() -> bytes:
    return _BADGE.read_bytes()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _chunks(png: bytes):
    if not png.startswith(PNG_SIGNATURE):
        raise NotABakedBadge("not a PNG image")
    offset = len(PNG_SIGNATURE)
    while offset + 12 <= len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        data = png[offset + 8 : offset + 8 + length]
        if len(data) != length:
            raise NotABakedBadge("the PNG image is truncated")
        yield offset, kind, data
        offset += 12 + length
        if kind == b"IEND":
            return
    raise NotABakedBadge("the PNG image is truncated")


def bake(credential_json: str, png: bytes | None = None) -> bytes:
    """The badge image (ours by default) with the credential in an ``iTXt`` chunk; an earlier
    credential chunk is replaced."""
    png = png or badge_image()
    payload = KEYWORD + b"\0\0\0" + b"\0" + b"\0" + credential_json.encode("utf-8")
    out = bytearray(PNG_SIGNATURE)
    for offset, kind, data in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\0"):
            continue
        if kind == b"IEND":
            out += _chunk(b"iTXt", payload)
        out += png[offset : offset + 12 + len(data)]
    return bytes(out)


def unbake(png: bytes) -> str:
    """The credential text of a baked badge; :class:`NotABakedBadge` if there is none."""
    for _offset, kind, data in _chunks(png):
        if kind != b"iTXt" or not data.startswith(KEYWORD + b"\0"):
            continue
        rest = data[len(KEYWORD) + 1 :]
        if len(rest) < 2:
            raise NotABakedBadge("the credential chunk is damaged")
        compressed, rest = rest[0], rest[2:]
        _language, _, rest = rest.partition(b"\0")
        _translated, _, text = rest.partition(b"\0")
        try:
            if compressed:
                text = zlib.decompressobj().decompress(text, 2 * 1024 * 1024)
            return text.decode("utf-8")
        except (zlib.error, UnicodeDecodeError) as error:
            raise NotABakedBadge("the credential chunk is damaged") from error
    raise NotABakedBadge("the PNG image carries no credential")
