"""What the dashboard turns into for other media: the CSV export, the funnel chart's geometry,
the QR code of the join link."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import segno
from flask_babel import gettext as _
from markupsafe import Markup

from .dashboard import Dashboard

#: a spreadsheet runs a cell that starts with one of these as a formula (CSV injection); some
#: read the full-width forms (＝＋－＠, typed with an East Asian keyboard) as the plain ones
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: object) -> str:
    """The cell as text that no spreadsheet will run: a leading quote before formula characters."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_delimiter(language: str) -> str:
    """Excel splits on the list separator of its locale: a semicolon in French and Arabic."""
    return "," if language == "en" else ";"


def progress_csv(data: Dashboard, language: str) -> str:
    """The cohort's progress, one learner per row, with a byte-order mark so Excel reads UTF-8."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=csv_delimiter(language), lineterminator="\r\n")
    header = [
        _("Name"), _("E-mail"), _("Status"), _("Enrolled on"), _("Last activity"), _("Progress (%)"),
        _("Required lessons done"), _("Required lessons"), _("Not started"), _("Behind schedule"), _("Inactive for 14 days"),
    ]  # fmt: skip
    header += [column.module.title(language) for column in data.columns]
    header += [_("Sessions attended")] if data.sessions_total else []
    writer.writerow([neutralise(cell) for cell in header])
    yes, no = _("yes"), _("no")
    for learner in data.learners:
        row = [
            learner.name, learner.email, learner.status, learner.enrolled_at.date().isoformat(),
            learner.last_activity_at.date().isoformat() if learner.last_activity_at else "",
            learner.percent, learner.done, learner.total,
            yes if "not_started" in learner.flags else no, yes if "behind" in learner.flags else no,
            yes if "inactive" in learner.flags else no,
        ]  # fmt: skip
        row += [f"{done}/{counted}" for done, counted in learner.modules]
        row += [f"{learner.attended}/{data.sessions_total}"] if data.sessions_total else []
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


@dataclass
class FunnelBar:
    label: str
    count: int
    y: int
    x: float
    width: float
    percent: int


#: drawn in SVG units about as wide as a phone in CSS pixels, so its text stays readable there
FUNNEL_WIDTH = 360
FUNNEL_ROW = 44


def funnel_bars(data: Dashboard, language: str, rtl: bool) -> tuple[list[FunnelBar], int]:
    """Bars of the completion funnel (enrolled, then each module completed), laid out for an SVG
    of ``FUNNEL_WIDTH`` units; right-to-left pages grow the bars from the right."""
    enrolled = data.funnel[0][1]
    bars = []
    for index, (module, count) in enumerate(data.funnel):
        label = (
            _("Enrolled")
            if module is None
            else _("%(n)d. %(title)s", n=index, title=module.title(language))
        )
        share = count / enrolled if enrolled else 0
        width = round(max(share * (FUNNEL_WIDTH - 80), 2 if count else 0), 1)
        x = FUNNEL_WIDTH - width if rtl else 0
        bars.append(FunnelBar(label, count, index * FUNNEL_ROW, x, width, round(100 * share)))
    return bars, len(bars) * FUNNEL_ROW


def qr_svg(url: str) -> Markup:
    """The QR code of ``url`` as inline SVG (segno writes paths only: no script, no style)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=8, border=2, dark="#000", light="#fff", omitsize=True, svgclass="qr"
    )
    return Markup(svg)  # noqa: S704 - segno's own output, no user markup in it
