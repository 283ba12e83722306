"""The journal's photo pipeline with real Pillow images."""

import io
import struct
import zlib

import pytest
from PIL import Image
from PIL.JpegImagePlugin import JpegImageFile

from lms.circles.journal.photos import (
    MAX_BYTES,
    MAX_DECODED_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    PhotoError,
    decoded_bytes,
    reencode,
)


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


def _png_header(width: int, height: int, color_type: int) -> bytes:
    """A PNG that says it is ``width``×``height`` (8 bits a channel) with almost no data: what a
    bomb looks like before it is decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))  # fmt: skip

    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))  # fmt: skip


@pytest.mark.parametrize(
    "width,height,color_type",
    [
        (7700, 7700, 6),  # 59 megapixels RGBA (about 590 MB once decoded): too many pixels
        (6500, 6500, 6),  # 42 megapixels, but RGBA: 169 MB decoded
    ],
)
def test_the_default_limits_refuse_a_bomb_before_decoding(app, width, height, color_type):
    data = _png_header(width, height, color_type)
    assert len(data) < 200
    with pytest.raises(PhotoError) as refused:
        reencode(data)
    assert refused.value.kind == "bomb"


def test_a_50_megapixel_phone_photo_is_within_the_limits(app):
    with Image.open(io.BytesIO(_png_header(8160, 6120, 2))) as probe:  # 50 MP, RGB
        assert probe.size[0] * probe.size[1] <= MAX_PIXELS
        assert decoded_bytes(probe) <= MAX_DECODED_BYTES


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_only_jpeg_png_and_webp_are_read(app, kind):
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, kind)
    with pytest.raises(PhotoError) as refused:
        reencode(out.getvalue())
    assert refused.value.kind == "format"


def test_webp_accepted_and_a_big_jpeg_decoded_small(app, monkeypatch):
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 0)).save(out, "WEBP")
    assert reencode(out.getvalue())[:2] == b"\xff\xd8"

    decoded = []
    draft = JpegImageFile.draft

    def spy(self, mode, size):
        result = draft(self, mode, size)
        decoded.append(self.size)
        return result

    monkeypatch.setattr(JpegImageFile, "draft", spy)
    with Image.open(io.BytesIO(reencode(_jpeg_with_gps((4000, 3000))))) as after:
        assert after.size == (MAX_SIDE, 1200)
    assert decoded[0] == (2000, 1500)  # decoded at half its size, not 4000×3000
