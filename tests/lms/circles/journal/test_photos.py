"""The journal's photo pipeline with real Pillow images."""

import io

import pytest
from PIL import Image

from lms.circles.journal.photos import MAX_BYTES, PhotoError, reencode


def _jpeg_with_gps(size=(2400, 1200)) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = 1  # Orientation
    exif.get_ifd(0x8825)[2] = (33.0, 35.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_reencoded_resized_and_stripped(app):
    data = _jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as before:
        assert before.getexif().get_ifd(0x8825)
    clean = reencode(data)
    with Image.open(io.BytesIO(clean)) as after:
        assert after.format == "JPEG"
        assert max(after.size) == 1600
        assert not after.getexif()
        assert "exif" not in after.info
    assert b"PhoneMaker" not in clean


def test_png_accepted(app):
    out = io.BytesIO()
    Image.new("RGBA", (10, 10)).save(out, "PNG")
    assert reencode(out.getvalue())[:2] == b"\xff\xd8"


@pytest.mark.parametrize("data", [b"", b"%PDF-1.4 not a photo", b"\xff\xd8\xff garbage"])
def test_not_an_image_refused(app, data):
    with pytest.raises(PhotoError) as refused:
        reencode(data)
    assert refused.value.kind == "format"


def test_over_10_mb_refused(app):
    with pytest.raises(PhotoError) as refused:
        reencode(b"\xff" * (MAX_BYTES + 1))
    assert refused.value.kind == "size"


def test_decompression_bomb_refused(app):
    out = io.BytesIO()
    Image.new("L", (4000, 4000)).save(out, "PNG")  # a small file of many pixels
    assert len(out.getvalue()) < 100_000
    with pytest.raises(PhotoError) as refused:
        reencode(out.getvalue(), max_pixels=1_000_000)
    assert refused.value.kind == "bomb"
