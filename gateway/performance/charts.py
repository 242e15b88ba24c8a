"""Server-made SVG charts (no script, no style attribute: CSP-safe), each with its data table.

A chart is decorative for screen readers (``aria-hidden``) because the table next to it holds
the same numbers; the figure's caption names both.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 640
HEIGHT = 200
PAD_LEFT = 40
PAD_BOTTOM = 24
MAX_BARS = 62


@dataclass(frozen=True)
class Series:
    """One chart's points: labels (days or weeks) and values, current and previous period."""

    title: str
    labels: list[str]
    values: list[int]
    previous: list[int]


def bucketed(labels: list[str], values: list[int], size: int) -> tuple[list[str], list[int]]:
    """Sum consecutive points into groups of ``size`` (labelled by their first day)."""
    if size <= 1:
        return labels, values
    return ([labels[i] for i in range(0, len(labels), size)],
            [sum(values[i:i + size]) for i in range(0, len(values), size)])


def group_size(points: int) -> int:
    """Days per bar so a chart has at most :data:`MAX_BARS` bars (1, 7 or 30)."""
    if points <= MAX_BARS:
        return 1
    return 7 if points <= MAX_BARS * 7 else 30


def bar_chart(series: Series, chart_id: str) -> str:
    """An SVG bar chart of ``series.values`` with a line for the previous period."""
    count = max(len(series.values), 1)
    top = max([*series.values, *series.previous, 1])
    inner_w = WIDTH - PAD_LEFT
    inner_h = HEIGHT - PAD_BOTTOM - 8
    step = inner_w / count
    parts = [f'<svg class="chart" id="{chart_id}" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'aria-hidden="true" focusable="false" preserveAspectRatio="none">',
             f'<line class="axis" x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH}" '
             f'y2="{HEIGHT - PAD_BOTTOM}"/>',
             f'<text class="tick" x="{PAD_LEFT - 4}" y="14" text-anchor="end">{top}</text>',
             f'<text class="tick" x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" '
             f'text-anchor="end">0</text>']
    for index, value in enumerate(series.values):
        height = inner_h * value / top
        x = PAD_LEFT + index * step + step * 0.1
        parts.append(f'<rect class="bar" x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM - height:.1f}" '
                     f'width="{step * 0.8:.1f}" height="{height:.1f}"/>')
    if series.previous and len(series.previous) == len(series.values):
        points = " ".join(
            f"{PAD_LEFT + (i + 0.5) * step:.1f},{HEIGHT - PAD_BOTTOM - inner_h * v / top:.1f}"
            for i, v in enumerate(series.previous))
        parts.append(f'<polyline class="previous" points="{points}"/>')
    if series.labels:
        parts.append(f'<text class="tick" x="{PAD_LEFT}" y="{HEIGHT - 6}">'
                     f'{escape(series.labels[0])}</text>')
        parts.append(f'<text class="tick" x="{WIDTH}" y="{HEIGHT - 6}" text-anchor="end">'
                     f'{escape(series.labels[-1])}</text>')
    parts.append("</svg>")
    return "".join(parts)


def data_table(series: Series, table_id: str, unit: str) -> str:
    """The chart's numbers as a table (with the previous period's matching point)."""
    rows = "".join(
        f"<tr><th scope=\"row\">{escape(label)}</th><td>{value:,}</td>"
        f"<td>{series.previous[i]:,}</td></tr>" if i < len(series.previous)
        else f"<tr><th scope=\"row\">{escape(label)}</th><td>{value:,}</td><td>–</td></tr>"
        for i, (label, value) in enumerate(zip(series.labels, series.values, strict=True)))
    return (f'<table class="data" id="{table_id}"><caption>{escape(series.title)}: '
            f'{escape(unit)}</caption><thead><tr><th scope="col">From</th>'
            f'<th scope="col">This period</th><th scope="col">Previous period</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def chart_figure(series: Series, chart_id: str, unit: str) -> str:
    """A figure with the chart and, below it, its data table in a disclosure."""
    return (f'<figure class="trend" aria-labelledby="{chart_id}-caption">'
            f'<figcaption id="{chart_id}-caption">{escape(series.title)} '
            f'(bars: this period; line: previous period)</figcaption>'
            f"{bar_chart(series, chart_id)}"
            f'<details><summary>Table of {escape(series.title.lower())}</summary>'
            f"{data_table(series, chart_id + '-table', unit)}</details></figure>")
