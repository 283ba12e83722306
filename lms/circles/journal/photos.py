"""A journal photo as it is kept: decoded with Pillow, turned upright, resized, re-encoded as JPEG
with no metadata (EXIF, GPS location, comments are dropped by re-encoding the pixels only).
Refused, with a typed error, when it is not a JPEG, PNG or WebP image, over 10 MB, or a
decompression bomb: its size is read from the header and judged before any pixel is decoded."""

from __future__ import annotations

import io
import math
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
#: more pixels than this is treated as a decompression bomb (a 50-megapixel phone is at it)
MAX_PIXELS = 50_000_000
#: nor may the decoded pixels take more memory than this (a 50-megapixel RGB photo takes 150 MB;
#: the same pixels with transparency, or 16 bits a channel, are refused)
MAX_DECODED_BYTES = 160 * 1024 * 1024
MAX_SIDE = 1600
#: what a phone sends (HEIC is converted by the phone's browser when it uploads)
FORMATS = ("JPEG", "PNG", "WEBP")


class PhotoError(ValueError):
    """``kind``: ``size``, ``bomb`` or ``format``; ``message`` for the person."""

    def __init__(self, kind: str, message):
        super().__init__(str(message))
        self.kind = kind
        self.message = message


def decoded_bytes(image: Image.Image) -> int:
    """The memory its pixels take once decoded (bands × bytes a band × pixels)."""
    mode = image.mode
    per_band = 4 if mode in ("I", "F") else 2 if "16" in mode else 1
    width, height = image.size
    return width * height * len(image.getbands()) * per_band


def _bomb() -> PhotoError:
    return PhotoError("bomb", _l("The photo is too large to open (too many pixels)."))


def reencode(
    data: bytes,
    *,
    max_pixels: int = MAX_PIXELS,
    max_decoded: int = MAX_DECODED_BYTES,
    max_side: int = MAX_SIDE,
) -> bytes:
    """The photo's bytes as sent → clean JPEG bytes (at most ``max_side`` pixels a side)."""
    if len(data) > MAX_BYTES:
        raise PhotoError("size", _l("The photo is over 10 MB."))
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as probe:
            width, height = probe.size
            if width * height > max_pixels or decoded_bytes(probe) > max_decoded:
                raise _bomb()
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                scale = min(1.0, max_side / max(width, height, 1))
                # a JPEG is decoded at 1/2, 1/4 or 1/8 of its size when that is still enough
                probe.draft(None, (math.ceil(width * scale), math.ceil(height * scale)))
                probe.thumbnail((max_side, max_side))
                image = ImageOps.exif_transpose(probe)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("format", _l("This file is not a photo (JPEG, PNG or WebP).")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _bomb() from None
    image = image.convert("RGB")
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()
