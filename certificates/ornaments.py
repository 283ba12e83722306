"""The certificate's vector ornaments — frame, rule, star and QR code — as PDF drawing operators.

A template marks where an ornament goes with an empty element, e.g.
``<div class="qr" data-ornament="qr"></div>``, and places and sizes it with CSS like any other
box. After WeasyPrint has laid the page out, the renderer finds those boxes and draws each
ornament into its box with the few path operators below, under the page's text.

Why not SVG images: WeasyPrint parses, styles and draws an SVG image again on every page it is
on, and paints a background image through a tiling pattern; for the frame, two ornaments and the
QR code that was about a sixth of the time of a certificate. Drawn here, they cost a fraction of
a millisecond and come out identical in every certificate.

Coordinates: each ornament is designed in its own box of ``width`` x ``height`` units (the SVG
``viewBox`` it replaced, y pointing down); :class:`Canvas` maps that box onto the laid-out one.
Colours are sRGB, which the PDF/A output intent declares.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: Points per CSS pixel (WeasyPrint lays out in CSS pixels; PDF space is in points).
PT_PER_PX = 0.75
#: Control-point distance of a quarter circle drawn as one cubic Bézier curve.
KAPPA = 0.5522847498

NAVY = "#1c2a43"
GOLD = "#b08a3e"
PAPER = "#fffdf7"
WATERMARK = "#f4eddc"
WHITE = "#ffffff"

Point = tuple[float, float]


@dataclass(frozen=True)
class Box:
    """Where an ornament goes, in PDF points from the page's bottom-left corner."""

    x: float
    y: float
    width: float
    height: float

    @classmethod
    def from_css(cls, x: float, y: float, width: float, height: float, page_height: float) -> Box:
        """A box laid out in CSS pixels from the top-left corner of a page ``page_height``
        points tall."""
        return cls(
            x * PT_PER_PX,
            page_height - (y + height) * PT_PER_PX,
            width * PT_PER_PX,
            height * PT_PER_PX,
        )


class Canvas:
    """Path operators for one ornament, in the ornament's own units (y down) mapped onto
    ``box``."""

    def __init__(self, box: Box, width: float, height: float):
        self.scale_x = box.width / width
        self.scale_y = box.height / height
        self.box = box
        self.ops: list[str] = []

    def _point(self, x: float, y: float) -> str:
        return f"{_n(self.box.x + x * self.scale_x)} {_n(self.box.y + self.box.height - y * self.scale_y)}"

    def fill_colour(self, colour: str) -> Canvas:
        self.ops.append(f"{_rgb(colour)} rg")
        return self

    def stroke_colour(self, colour: str, width: float) -> Canvas:
        self.ops.append(f"{_rgb(colour)} RG {_n(width * self.scale_x)} w")
        return self

    def rect(self, x: float, y: float, width: float, height: float) -> Canvas:
        box = self.box
        left = box.x + x * self.scale_x
        bottom = box.y + box.height - (y + height) * self.scale_y
        self.ops.append(
            f"{_n(left)} {_n(bottom)} {_n(width * self.scale_x)} {_n(height * self.scale_y)} re"
        )
        return self

    def line(self, points: Sequence[Point]) -> Canvas:
        (x, y), *rest = points
        self.ops.append(f"{self._point(x, y)} m")
        self.ops.extend(f"{self._point(x, y)} l" for x, y in rest)
        return self

    def polygon(self, points: Sequence[Point]) -> Canvas:
        self.line(points).ops.append("h")
        return self

    def diamond(self, cx: float, cy: float, radius: float) -> Canvas:
        return self.polygon(
            [(cx, cy - radius), (cx + radius, cy), (cx, cy + radius), (cx - radius, cy)]
        )

    def circle(self, cx: float, cy: float, r: float) -> Canvas:
        k = r * KAPPA
        self.ops.append(f"{self._point(cx + r, cy)} m")
        for (x1, y1), (x2, y2), (x3, y3) in (
            ((cx + r, cy + k), (cx + k, cy + r), (cx, cy + r)),
            ((cx - k, cy + r), (cx - r, cy + k), (cx - r, cy)),
            ((cx - r, cy - k), (cx - k, cy - r), (cx, cy - r)),
            ((cx + k, cy - r), (cx + r, cy - k), (cx + r, cy)),
        ):
            self.ops.append(f"{self._point(x1, y1)} {self._point(x2, y2)} {self._point(x3, y3)} c")
        self.ops.append("h")
        return self

    def stroke(self) -> Canvas:
        self.ops.append("S")
        return self

    def fill(self) -> Canvas:
        self.ops.append("f")
        return self

    def fill_and_stroke(self) -> Canvas:
        self.ops.append("B")
        return self


def frame(box: Box, payload: object = None) -> list[str]:
    """The whole sheet: paper, a faint watermark in the middle, a navy and a gold border and
    a diamond at each corner. Designed on the A4 landscape page (297 x 210 mm)."""
    canvas = Canvas(box, 297, 210)
    canvas.fill_colour(PAPER).rect(0, 0, 297, 210).fill()
    canvas.stroke_colour(WATERMARK, 0.6)
    canvas.rect(97.5, 58, 102, 102).diamond(148.5, 109, 72.12)
    canvas.rect(112.5, 73, 72, 72).diamond(148.5, 109, 50.91).circle(148.5, 109, 21).stroke()
    canvas.stroke_colour(NAVY, 0.8).rect(8.4, 8.4, 280.2, 193.2).stroke()
    canvas.stroke_colour(GOLD, 0.3).rect(10.15, 10.15, 276.7, 189.7).stroke()
    corners = [(9, 9), (288, 9), (9, 201), (288, 201)]
    canvas.fill_colour(PAPER).stroke_colour(GOLD, 0.4)
    for x, y in corners:  # filled as one shape: both outlines turn the same way (nonzero rule)
        canvas.polygon([(x - 3, y - 3), (x + 3, y - 3), (x + 3, y + 3), (x - 3, y + 3)])
        canvas.diamond(x, y, 4.24)
    canvas.fill_and_stroke().fill_colour(NAVY)
    for x, y in corners:
        canvas.diamond(x, y, 1.27)
    return canvas.fill().ops


def rule(box: Box, payload: object = None) -> list[str]:
    """A gold line broken in its middle by a small four-pointed star (120 x 4 units)."""
    canvas = Canvas(box, 120, 4)
    canvas.stroke_colour(GOLD, 0.3)
    canvas.line([(0, 2), (55, 2)]).line([(65, 2), (120, 2)]).stroke().fill_colour(GOLD)
    canvas.polygon([(60, 0.2), (60.8, 2), (60, 3.8), (59.2, 2)])
    return canvas.polygon([(58.2, 2), (60, 1.2), (61.8, 2), (60, 2.8)]).fill().ops


def star(box: Box, payload: object = None) -> list[str]:
    """A four-pointed gold star (20 x 20 units)."""
    canvas = Canvas(box, 20, 20)
    points = [(10, 1), (12.2, 7.8), (19, 10), (12.2, 12.2), (10, 19), (7.8, 12.2), (1, 10)]
    return canvas.fill_colour(GOLD).polygon([*points, (7.8, 7.8)]).fill().ops


def qr(box: Box, payload: object = None) -> list[str]:
    """The QR code ``payload`` (a ``segno.QRCode``) on white with its four-module quiet zone:
    one path of all dark modules, each row's runs merged, filled at once (no seams). The
    modules are drawn in module units (whole numbers) through one transformation matrix."""
    matrix: Sequence[Iterable[int]] = payload.matrix  # type: ignore[attr-defined]
    size = len(matrix) + 8
    canvas = Canvas(box, size, size)
    canvas.fill_colour(WHITE).rect(0, 0, size, size).fill().fill_colour(NAVY)
    module = box.width / size
    top = box.y + box.height
    ops = canvas.ops
    ops.append(
        f"q {_n(module)} 0 0 {_n(-module)} {_n(box.x + 4 * module)} {_n(top - 4 * module)} cm"
    )
    for row_index, row in enumerate(matrix):
        start = None
        for column_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column_index
            elif not dark and start is not None:
                ops.append(f"{start} {row_index} {column_index - start} 1 re")
                start = None
    ops.extend(("f", "Q"))
    return ops


ORNAMENTS: dict[str, Callable[[Box, object], list[str]]] = {
    "frame": frame,
    "rule": rule,
    "star": star,
    "qr": qr,
}


def operators(placed: Iterable[tuple[str, Box, object]]) -> bytes:
    """The PDF operators drawing each ``(ornament name, box, payload)``, in order, with the
    graphics state saved and restored around them."""
    ops = [b"q"]
    for name, box, payload in placed:
        if payload is None:
            ops.append(_static(name, box))
        else:
            ops.append("\n".join(ORNAMENTS[name](box, payload)).encode("ascii"))
    ops.append(b"Q")
    return b"\n".join(ops)


@functools.lru_cache(maxsize=64)
def _static(name: str, box: Box) -> bytes:
    """An ornament without a payload is the same in every certificate: drawn once."""
    return "\n".join(ORNAMENTS[name](box, None)).encode("ascii")


def _n(value: float) -> str:
    """A number as PDF writes it: at most 3 decimals, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _rgb(colour: str) -> str:
    red, green, blue = (int(colour[index : index + 2], 16) / 255 for index in (1, 3, 5))
    return f"{_n(red)} {_n(green)} {_n(blue)}"
