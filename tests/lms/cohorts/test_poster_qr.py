"""The printed poster's QR code really opens the cohort's join link: its inline SVG is drawn
into a bitmap and read back with a barcode reader, as a phone camera would."""

from __future__ import annotations

import re
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest
from PIL import Image, ImageColor, ImageDraw
from sqlalchemy import select

from curriculum.db import db
from lms.learning.models import Enrolment

zxingcpp = pytest.importorskip("zxingcpp")

#: a quiet zone around the code, in pixels (the SVG's own border is only 2 modules wide)
MARGIN = 40
PATH_TOKENS = re.compile(r"[MmHhVvLlZz]|-?(?:\d+\.?\d*|\.\d+)")
SCALE = re.compile(r"^scale\(([\d.]+)\)$")


def _tag(element) -> str:
    return element.tag.rpartition("}")[2]  # with or without the SVG namespace


def _subpaths(d: str) -> list[list[tuple[float, float]]]:
    """The points of each subpath of ``d`` (the commands segno writes: M, L, H, V, Z, either
    case); any other command fails the test rather than being drawn wrong."""
    subpaths: list[list[tuple[float, float]]] = []
    x = y = 0.0
    tokens = PATH_TOKENS.findall(d)
    assert "".join(tokens) == re.sub(r"[\s,]", "", d), f"unexpected path data: {d[:80]}"
    i = 0
    while i < len(tokens):
        command = tokens[i]
        i += 1
        if command in "Zz":
            subpaths[-1].append(subpaths[-1][0])
            x, y = subpaths[-1][0]
            continue
        arity = 2 if command in "MmLl" else 1
        values = [float(v) for v in tokens[i : i + arity]]
        i += arity
        relative = command.islower()
        if command in "MmLl":
            x, y = (x + values[0], y + values[1]) if relative else tuple(values)
        elif command in "Hh":
            x = x + values[0] if relative else values[0]
        else:
            y = y + values[0] if relative else values[0]
        if command in "Mm":
            subpaths.append([(x, y)])
        else:
            subpaths[-1].append((x, y))
    return subpaths


def _line_box(start, end, half: float) -> list[float]:
    """The rectangle a straight line of width ``2 * half`` covers (widened across its length)."""
    (x0, y0), (x1, y1) = start, end
    assert x0 == x1 or y0 == y1, "only straight runs of modules expected"
    across_x, across_y = (half if x0 == x1 else 0), (half if y0 == y1 else 0)
    # Pillow's rectangles include their last row and column
    return [min(x0, x1) - across_x, min(y0, y1) - across_y,
            max(x0, x1) + across_x - 1, max(y0, y1) + across_y - 1]  # fmt: skip


def rasterize(svg: str) -> Image.Image:
    """A greyscale bitmap of the QR code's SVG: filled paths as polygons, stroked paths as lines
    of their stroke width (segno draws each run of dark modules as a one-unit-thick line)."""
    root = ElementTree.fromstring(svg)
    assert _tag(root) == "svg"
    _, _, width, height = (float(v) for v in root.get("viewBox").split())
    image = Image.new("L", (round(width) + 2 * MARGIN, round(height) + 2 * MARGIN), 255)
    draw = ImageDraw.Draw(image)

    def paint(element, scale: float) -> None:
        transform = element.get("transform")
        if transform:
            match = SCALE.match(transform.strip())
            assert match, f"unexpected transform: {transform}"
            scale *= float(match.group(1))
        if _tag(element) == "path":
            fill, stroke = element.get("fill"), element.get("stroke")
            for subpath in _subpaths(element.get("d")):
                points = [(MARGIN + x * scale, MARGIN + y * scale) for x, y in subpath]
                if stroke in (None, "none") and fill != "none":
                    draw.polygon(points, fill=ImageColor.getcolor(fill or "#000", "L"))
                elif stroke not in (None, "none"):
                    half = float(element.get("stroke-width", 1)) * scale / 2
                    color = ImageColor.getcolor(stroke, "L")
                    for start, end in zip(points, points[1:], strict=False):
                        draw.rectangle(_line_box(start, end, half), fill=color)
        for child in element:
            paint(child, scale)

    paint(root, 1.0)
    return image


def qr_of(html: str) -> str:
    """The text of the one QR code on the page."""
    (svg,) = re.findall(r'<svg[^>]*class="qr".*?</svg>', html, re.DOTALL)
    results = zxingcpp.read_barcodes(rasterize(svg))
    assert [r.format for r in results] == [zxingcpp.BarcodeFormat.QRCode], results
    return results[0].text


def test_the_posters_qr_code_reads_as_the_cohorts_join_link_and_it_lets_a_learner_in(
    app, trainer, make_cohort, make_user, as_user
):
    cohort = make_cohort([trainer], code="K7M2QX9P")
    html = as_user(trainer).get(f"/cohorts/{cohort.id}/poster").get_data(as_text=True)
    link = qr_of(html)
    assert link == "http://lms.test/join/K7M2QX9P"  # absolute: a phone has no page to start from
    assert link in html  # the same link is printed under the code for those who type it

    learner = make_user(email="salma@example.org")
    phone = as_user(learner)
    page = phone.get(urlsplit(link).path).get_data(as_text=True)
    assert 'value="K7M2QX9P"' in page  # the code is filled in: one tap to join
    assert phone.post(urlsplit(link).path, data={"code": "K7M2QX9P"}).status_code == 302
    enrolment = db.session.scalar(select(Enrolment).filter_by(user_id=learner.id))
    assert enrolment.cohort_id == cohort.id


def test_a_new_join_code_gives_a_new_qr_code(app, trainer, make_cohort, as_user):
    cohort = make_cohort([trainer], code="K7M2QX9P")
    client = as_user(trainer)
    assert client.post(f"/cohorts/{cohort.id}/code").status_code == 302
    db.session.expire_all()
    link = qr_of(client.get(f"/cohorts/{cohort.id}/poster").get_data(as_text=True))
    assert link == f"http://lms.test/join/{cohort.join_code}"
    assert "K7M2QX9P" not in link


def test_the_rasterizer_draws_what_it_is_given():
    """The drawing helper itself: a mangled QR code must not read as the link (the test above
    could otherwise pass on a bitmap that ignores the SVG)."""
    from lms.cohorts.reports import qr_svg

    svg = str(qr_svg("http://lms.test/join/K7M2QX9P"))
    assert zxingcpp.read_barcodes(rasterize(svg))[0].text == "http://lms.test/join/K7M2QX9P"
    # the dark modules' path dropped: a blank square, nothing to read
    blank = re.sub(r'<path class="qrline"[^>]*/>', "", svg)
    assert blank != svg and zxingcpp.read_barcodes(rasterize(blank)) == []
