"""The geometry of the results' charts, drawn as inline SVG on the server (no script, readable
on a phone and in print): horizontal bars of counts and shares, and 100 % stacked bars that
break a question's answers down by channel or by commune. The templates only place what is
computed here; every label goes through Jinja's escaping. Right-to-left pages grow the bars from
the right, and their texts are laid out right to left (the SVG says its ``direction``, so that
``text-anchor="start"`` is the right end of an Arabic label whatever the page around it).
"""

from __future__ import annotations

from dataclasses import dataclass

#: drawn in SVG units about as wide as a phone in CSS pixels, so its text stays readable there
WIDTH = 360
ROW = 40
BAR_HEIGHT = 14
#: room left after a bar for its figures ("1 234 · 100 %")
FIGURES = 96
#: Okabe–Ito colours: told apart by people with the common colour-vision deficiencies
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000")
#: on these colours a label is written in black, on the others in white
LIGHT = {"#E69F00", "#56B4E9", "#F0E442"}


def percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


@dataclass
class Bar:
    label: str
    count: int
    percent: int
    #: the row's top, the bar's left edge and width
    y: int
    x: float
    width: float
    #: where the label and the figures are written, and how they are anchored
    label_x: float
    figures_x: float
    anchor: str


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    width: int = WIDTH
    direction: str = "ltr"


def bar_chart(rows: list[tuple[str, int]], total: int, rtl: bool = False) -> BarChart:
    """One bar per (label, count), as a share of ``total``: the label above, the figures after."""
    room = WIDTH - FIGURES
    bars = []
    for index, (label, count) in enumerate(rows):
        share = count / total if total else 0
        width = round(max(share * room, 2 if count else 0), 1)
        y = index * ROW
        if rtl:  # right to left, "start" is the right end of the text
            x, label_x, figures_x, anchor = WIDTH - width, WIDTH, WIDTH - width - 6, "start"
        else:
            x, label_x, figures_x, anchor = 0, 0, width + 6, "start"
        bars.append(
            Bar(label, count, percent(count, total), y, x, width, label_x, figures_x, anchor)
        )
    return BarChart(bars, max(len(bars), 1) * ROW, direction="rtl" if rtl else "ltr")


@dataclass
class Segment:
    key: str
    count: int
    percent: int
    x: float
    width: float
    colour: str
    ink: str
    #: the share is written inside the segment when it is wide enough
    show_label: bool


@dataclass
class StackedRow:
    label: str
    total: int
    y: int
    label_x: float
    anchor: str
    segments: list[Segment]


@dataclass
class LegendItem:
    key: str
    label: str
    colour: str


@dataclass
class StackedChart:
    rows: list[StackedRow]
    legend: list[LegendItem]
    height: int
    width: int = WIDTH
    direction: str = "ltr"


def colour_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def stacked_chart(options: list[tuple[str, str]], groups: list[tuple[str, dict[str, int], int]],
                  rtl: bool = False) -> StackedChart:  # fmt: skip
    """One 100 % bar per group (label, counts per option key, respondents of the group): each
    option's share of the group's choices, in the options' order and colours."""
    legend = [LegendItem(key, label, colour_of(i)) for i, (key, label) in enumerate(options)]
    rows = []
    for index, (label, counts, respondents) in enumerate(groups):
        chosen = sum(counts.get(key, 0) for key, _label in options)
        y = index * ROW
        position = float(WIDTH) if rtl else 0.0
        segments = []
        for item in legend:
            count = counts.get(item.key, 0)
            width = round(WIDTH * count / chosen, 1) if chosen else 0.0
            if rtl:
                position -= width
                x = position
            else:
                x = position
                position += width
            segments.append(
                Segment(
                    item.key,
                    count,
                    percent(count, chosen),
                    round(x, 1),
                    width,
                    item.colour,
                    "#000" if item.colour in LIGHT else "#fff",
                    width >= 30,
                )  # fmt: skip
            )
        rows.append(StackedRow(label, respondents, y, WIDTH if rtl else 0, "start", segments))
    return StackedChart(rows, legend, max(len(rows), 1) * ROW, direction="rtl" if rtl else "ltr")
