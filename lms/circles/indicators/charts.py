"""A small server-side SVG line chart of an indicator: its measured values over time, with the
baseline and the target as dashed lines. No script; every text escaped."""

from __future__ import annotations

from datetime import date
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT, PAD = 320, 140, 28


def line_chart(points: list[tuple[date, float]], baseline: float, target: float, label: str):
    """``points`` sorted by date → an ``<svg>`` (Markup) sized for a phone."""
    values = [v for _, v in points] + [baseline, target]
    low, high = min(values), max(values)
    if high == low:
        high, low = high + 1, low - 1
    days = [d.toordinal() for d, _ in points]
    first, last = (min(days), max(days)) if days else (0, 1)
    span = (last - first) or 1

    def x(day: int) -> float:
        return PAD + (WIDTH - 2 * PAD) * ((day - first) / span if len(days) > 1 else 0.5)

    def y(value: float) -> float:
        return HEIGHT - PAD - (HEIGHT - 2 * PAD) * (value - low) / (high - low)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
    ]
    for value, css in ((baseline, "#888"), (target, "#1a7f37")):
        parts.append(
            f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{css}" stroke-dasharray="4 3"/>'
            f'<text x="{WIDTH - PAD + 2}" y="{y(value) + 4:.1f}" font-size="10">{value:g}</text>'
        )
    if points:
        coords = " ".join(f"{x(d.toordinal()):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="#0b5cad" stroke-width="2"/>')
        for d, v in points:
            parts.append(
                f'<circle cx="{x(d.toordinal()):.1f}" cy="{y(v):.1f}" r="3" fill="#0b5cad">'
                f"<title>{d.isoformat()}: {v:g}</title></circle>"
            )
        parts.append(
            f'<text x="{PAD}" y="{HEIGHT - 8}" font-size="10">{points[0][0].isoformat()}</text>'
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 8}" font-size="10" text-anchor="end">'
            f"{points[-1][0].isoformat()}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text above is escaped


def indicator_chart(indicator) -> Markup:
    label = f"{indicator.name} ({indicator.unit})" if indicator.unit else indicator.name
    points = [(v.measured_on, v.value) for v in indicator.values]
    return line_chart(points, indicator.baseline, indicator.target, label)
