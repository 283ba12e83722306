"""A journal photo as it is kept: decoded with Pillow, turned upright, resized, re-encoded as JPEG
with no metadata (EXIF, GPS location, comments are dropped by re-encoding the pixels only).
Refused, with a typed error, when it is not an image, over 10 MB, or a decompression bomb."""

from __future__ import annotations

import io
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
#: more pixels than this is treated as a decompression bomb (a 50-megapixel phone is below)
MAX_PIXELS = 60_000_000
MAX_SIDE = 1600


class PhotoError(ValueError):
    """``kind``: ``size``, ``bomb`` or ``format``; ``message`` for the person."""

    def __init__(self, kind: str, message):
        super().__init__(str(message))
        self.kind = kind
        self.message = message


def reencode(data: bytes, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> bytes:
    """The photo's bytes as sent → clean JPEG bytes (at most ``max_side`` pixels a side)."""
    if len(data) > MAX_BYTES:
        raise PhotoError("size", _l("The photo is over 10 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise PhotoError("bomb", _l("The photo is too large to open (too many pixels)."))
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                probe.load()
                image = ImageOps.exif_transpose(probe)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("format", _l("This file is not a photo (JPEG, PNG or WebP).")) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoError("bomb", _l("The photo is too large to open (too many pixels).")) from None
    image = image.convert("RGB")
    image.thumbnail((max_side, max_side))
    clean = Image.new("RGB", image.size)
    clean.paste(image)
    out = io.BytesIO()
    clean.save(out, "JPEG", quality=82, optimize=True)
    return out.getvalue()
