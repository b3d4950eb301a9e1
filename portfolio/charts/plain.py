"""Series → SVG written directly, for the chart the portfolio export draws once per
competency: growth across the rounds.

The export draws five of these per portfolio, and through matplotlib each took about
40 ms and came out as several hundred elements that WeasyPrint then had to lay out again.
Written by hand, the same chart is a few dozen elements made in well under a millisecond,
and looks the same: the palette's colour, marker and dash per series (never colour alone),
a gap where a round has no rating, the training modules as light bands with their short
labels, the rounds' names wrapped as on the page, and a legend under the plot.

The result follows :mod:`portfolio.charts.svg`'s contract: an ``<svg>`` element without an
XML prolog, a ``viewBox`` and a width of 100 % (laid out for an A4 text column of 16 cm),
a ``<title>`` and a ``<desc>``, text kept as text in DejaVu Sans, every id starting with the
chart's id, and byte-identical output for the same series. Typed labels are escaped, and
characters XML cannot hold are dropped.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from portfolio.charts.figures import label as plotly_label
from portfolio.charts.figures import round1
from portfolio.charts.palette import COLOURS, DASHES, MARKERS
from portfolio.charts.series import MODULE_MIN_WIDTH, Lines, grouped_marks

TEXT = "#1f2933"
GRID = "#c8ced6"
#: The training modules' bands behind the growth lines.
MODULE_FILL = "#eef0f3"
FONT_SIZE = 9.0
#: Characters XML 1.0 cannot carry.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """A label as it may be drawn: no characters XML cannot hold."""
    return _NOT_XML.sub("", text)


def wrap(text: str, width: int = 14) -> str:
    """A label wrapped as on the page (:func:`portfolio.charts.figures.label`), as plain text."""
    return "\n".join(html.unescape(line) for line in plotly_label(clean(text), width).split("<br>"))


#: An A4 text column (16 cm) in points: the drawing's own unit.
WIDTH = 16 / 2.54 * 72
PLOT_HEIGHT = 170.0
LINE_WIDTH = 1.6
MARKER_RADIUS = 3.4
#: Space for the level labels left of the plot, and room on the right.
LEFT, RIGHT = 30.0, 12.0
#: Space above the plot for the modules' labels.
TOP = 16.0
LINE_HEIGHT = FONT_SIZE * 1.25
LEGEND_ROW = FONT_SIZE * 1.8
LEGEND_SAMPLE = 30.0
FONT = "DejaVu Sans, sans-serif"

#: plotly.js dash names → dash patterns in line widths, with the proportions plotly.js uses.
DASH_PATTERNS: dict[str, tuple[float, ...]] = {
    "solid": (),
    "dot": (1.5, 1.5),
    "dash": (4.5, 3),
    "longdash": (7.5, 3),
    "dashdot": (4.5, 1.5, 1.5, 1.5),
    "longdashdot": (7.5, 3, 1.5, 3),
}


def _n(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _star(radius: float) -> str:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.45
        angle = -math.pi / 2 + i * math.pi / 5
        points.append(f"{_n(r * math.cos(angle))},{_n(r * math.sin(angle))}")
    return "M" + " L".join(points) + " Z"


def _marker_shape(name: str, colour: str, element_id: str) -> str:
    """A marker symbol centred on 0,0, filled with the series' colour."""
    r = MARKER_RADIUS
    paint = f'fill="{colour}" stroke="#ffffff" stroke-width="0.6"'
    if name == "circle":
        return f'<circle id="{element_id}" r="{_n(r)}" {paint}/>'
    if name == "square":
        side = r * 1.7
        return (
            f'<rect id="{element_id}" x="{_n(-side / 2)}" y="{_n(-side / 2)}" '
            f'width="{_n(side)}" height="{_n(side)}" {paint}/>'
        )
    if name == "diamond":
        d = r * 1.25
        path = f"M0,{_n(-d)} L{_n(d)},0 L0,{_n(d)} L{_n(-d)},0 Z"
    elif name == "triangle-up":
        path = f"M0,{_n(-r * 1.15)} L{_n(r)},{_n(r * 0.75)} L{_n(-r)},{_n(r * 0.75)} Z"
    elif name == "star":
        path = _star(r * 1.35)
    else:  # "x": two crossing bars, drawn as one outline so it can be filled
        a, b = r, r * 0.35
        path = (
            f"M{_n(-a)},{_n(-a + b)} L{_n(-a + b)},{_n(-a)} L0,{_n(-b)} L{_n(a - b)},{_n(-a)} "
            f"L{_n(a)},{_n(-a + b)} L{_n(b)},0 L{_n(a)},{_n(a - b)} L{_n(a - b)},{_n(a)} "
            f"L0,{_n(b)} L{_n(-a + b)},{_n(a)} L{_n(-a)},{_n(a - b)} L{_n(-b)},0 Z"
        )
    return f'<path id="{element_id}" d="{path}" {paint}/>'


def _stroke(index: int, colour: str) -> str:
    pattern = DASH_PATTERNS[DASHES[index % len(DASHES)]]
    dashes = (
        f' stroke-dasharray="{" ".join(_n(p * LINE_WIDTH) for p in pattern)}"' if pattern else ""
    )
    return (
        f'fill="none" stroke="{colour}" stroke-width="{_n(LINE_WIDTH)}" '
        f'stroke-linejoin="round"{dashes}'
    )


def _text(
    x: float,
    y: float,
    body: str,
    *,
    anchor: str = "middle",
    size: float = FONT_SIZE,
    extra: str = "",
) -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{_n(size)}"'
        f"{extra}>{escape(body)}</text>"
    )


def _path(points: Sequence[tuple[float, float] | None]) -> str:
    """Line segments through the points, broken where a point is missing."""
    parts: list[str] = []
    pen_down = False
    for point in points:
        if point is None:
            pen_down = False
            continue
        parts.append(("L" if pen_down else "M") + f"{_n(point[0])},{_n(point[1])}")
        pen_down = True
    return " ".join(parts)


def lines_svg(lines: Lines, summary: str = "", *, chart_id: str = "chart-lines") -> str:
    """One line per series across the rounds (a gap where a round has no rating)."""
    scale = lines.scale
    rounds = [wrap(r).split("\n") for r in lines.rounds]
    groups = grouped_marks(lines.modules)
    count = len(lines.rounds)
    low, high = -0.35, max(count - 1, 0) + 0.35
    if groups:
        low = min([low, *(min(m.x0 for m in g) - 0.15 for g in groups)])
        high = max([high, *(max(m.x1 for m in g) + 0.15 for g in groups)])
    plot_left, plot_right = LEFT, WIDTH - RIGHT
    plot_top, plot_bottom = TOP, TOP + PLOT_HEIGHT
    y_low, y_high = scale.low - 0.2, scale.high + 0.2

    def x_of(position: float) -> float:
        return plot_left + (position - low) / (high - low) * (plot_right - plot_left)

    def y_of(level: float) -> float:
        return plot_bottom - (level - y_low) / (y_high - y_low) * (plot_bottom - plot_top)

    label_lines = max((len(r) for r in rounds), default=1)
    legend_top = plot_bottom + 8 + label_lines * LINE_HEIGHT + 8
    longest = max((len(clean(s.label)) for s in lines.series), default=0)
    # DejaVu Sans averages a little over half an em per character.
    entry = (6 + 0.6 * longest) * FONT_SIZE
    columns = max(1, min(len(lines.series), 4, int(WIDTH * 0.95 // entry))) if lines.series else 1
    legend_rows = math.ceil(len(lines.series) / columns) if lines.series else 0
    height = legend_top + legend_rows * LEGEND_ROW + 4

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'id={quoteattr(chart_id)} width="100%" viewBox="0 0 {_n(WIDTH)} {_n(height)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" version="1.1" '
        f'font-family="{FONT}" fill="{TEXT}">',
        f'<title id="{chart_id}-title">{escape(clean(lines.title))}</title>',
        f'<desc id="{chart_id}-desc">{escape(clean(summary))}</desc>',
        "<defs>",
    ]
    for index in range(len(lines.series)):
        out.append(
            _marker_shape(
                MARKERS[index % len(MARKERS)],
                COLOURS[index % len(COLOURS)],
                f"{chart_id}-marker-{index}",
            )
        )
    out.append("</defs>")
    # The training modules as context: a light band with a dotted edge, labels above.
    for index, group in enumerate(groups):
        start, end = min(m.x0 for m in group), max(m.x1 for m in group)
        half = max((end - start) / 2, MODULE_MIN_WIDTH / 2)
        middle = (start + end) / 2
        left, right = x_of(middle - half), x_of(middle + half)
        out.append(
            f'<rect id="{chart_id}-module-{index}" x="{_n(left)}" y="{_n(plot_top)}" '
            f'width="{_n(right - left)}" height="{_n(PLOT_HEIGHT)}" fill="{MODULE_FILL}" '
            f'stroke="{GRID}" stroke-width="0.8" stroke-dasharray="1 1.6"/>'
        )
        out.append(
            f'<g id="{chart_id}-module-label-{index}">'
            + _text(
                x_of(middle),
                plot_top - 4,
                clean(", ".join(m.short for m in group)),
                size=FONT_SIZE - 2,
            )
            + "</g>"
        )
    # Levels: a grid line and a label each, and the two axes.
    out.append(f'<g id="{chart_id}-levels">')
    for level in range(scale.low, scale.high + 1):
        y = y_of(level)
        out.append(
            f'<line x1="{_n(plot_left)}" y1="{_n(y)}" x2="{_n(plot_right)}" y2="{_n(y)}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
        out.append(_text(plot_left - 6, y + FONT_SIZE * 0.35, str(level), anchor="end"))
    out.append("</g>")
    out.append(
        f'<path d="M{_n(plot_left)},{_n(plot_top)} L{_n(plot_left)},{_n(plot_bottom)} '
        f'L{_n(plot_right)},{_n(plot_bottom)}" fill="none" stroke="{TEXT}" stroke-width="0.8"/>'
    )
    out.append(f'<g id="{chart_id}-rounds">')
    for position, label in enumerate(rounds):
        x = x_of(position)
        out.append(
            f'<line x1="{_n(x)}" y1="{_n(plot_bottom)}" x2="{_n(x)}" y2="{_n(plot_bottom + 3.5)}" '
            f'stroke="{TEXT}" stroke-width="0.8"/>'
        )
        for row, text in enumerate(label):
            out.append(_text(x, plot_bottom + 8 + (row + 0.8) * LINE_HEIGHT, text))
    out.append("</g>")
    # The series: a line with a gap where a round has no rating, a marker on each value.
    for index, series in enumerate(lines.series):
        colour = COLOURS[index % len(COLOURS)]
        values = [round1(v) if v is not None else None for v in series.values]
        points = [
            (x_of(position), y_of(value)) if value is not None else None
            for position, value in enumerate(values)
        ]
        out.append(f'<g id="{chart_id}-series-{index}">')
        out.append(f'<path d="{_path(points)}" {_stroke(index, colour)}/>')
        for point in points:
            if point is not None:
                out.append(
                    f'<use xlink:href="#{chart_id}-marker-{index}" '
                    f'x="{_n(point[0])}" y="{_n(point[1])}"/>'
                )
        out.append("</g>")
    # The legend under the plot: a line sample with the marker, then the label.
    if lines.series:
        out.append(f'<g id="{chart_id}-legend">')
        # The columns side by side, as wide as the longest entry, centred under the plot.
        first = max(0.0, (WIDTH - columns * entry) / 2)
        for index, series in enumerate(lines.series):
            row, column = divmod(index, columns)
            x = first + column * entry
            y = legend_top + row * LEGEND_ROW + LEGEND_ROW / 2
            colour = COLOURS[index % len(COLOURS)]
            out.append(
                f'<path d="M{_n(x)},{_n(y)} L{_n(x + LEGEND_SAMPLE)},{_n(y)}" '
                f"{_stroke(index, colour)}/>"
            )
            out.append(
                f'<use xlink:href="#{chart_id}-marker-{index}" '
                f'x="{_n(x + LEGEND_SAMPLE / 2)}" y="{_n(y)}"/>'
            )
            out.append(
                _text(
                    x + LEGEND_SAMPLE + 6,
                    y + FONT_SIZE * 0.35,
                    clean(series.label),
                    anchor="start",
                )
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)
