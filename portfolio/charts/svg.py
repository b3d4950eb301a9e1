"""Series → static SVG, for the portfolio export and ``flask charts svg`` where no
JavaScript runs. The radar and the heat map are drawn with matplotlib; the growth lines,
which the export draws once per competency, are written directly
(:mod:`portfolio.charts.plain`, the same contract, a fraction of the cost).

The same series dataclasses as :mod:`portfolio.charts.figures` give the same charts as
vector graphics: the same palette, markers and dash patterns (never colour alone), hidden
series left out, "cannot judge" cells in their own grey with a "?". Each function returns an
``<svg>`` element without an XML prolog, ready to sit inline in an HTML page or to be
written to a file: it has a ``viewBox`` and a width of 100 % (it scales with its box; the
drawing is laid out for an A4 text column of about 16 cm), a ``<title>`` with the chart's
title and a ``<desc>`` with its one-sentence summary.

Only matplotlib's object-oriented API is used (a :class:`~matplotlib.figure.Figure` with its
own SVG canvas, never pyplot's global state). matplotlib's settings (``rcParams``) are
global, so each drawing runs under one lock with its settings applied for that drawing
only: text stays text (``svg.fonttype`` "none", DejaVu Sans), and the ids matplotlib makes
come from a fixed salt per chart, so the same series give byte-identical SVG.

Labels come from titles people type (framework, rounds): matplotlib's own XML writer
escapes them, their ``$`` is never read as mathematics, and characters XML cannot hold
are dropped.
"""

from __future__ import annotations

import io
import math
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.projections.polar import PolarAxes
from matplotlib.text import Text

from portfolio.charts.figures import round1
from portfolio.charts.palette import (
    CANNOT_JUDGE_COLOUR,
    COLOURS,
    DASHES,
    LEVEL_SCALE,
    MARKERS,
    rgb,
)
from portfolio.charts.plain import FONT_SIZE, GRID, TEXT, clean, lines_svg, wrap
from portfolio.charts.series import CANNOT_JUDGE, Heatmap, Lines, Radar

__all__ = ["heatmap_svg", "lines_svg", "radar_svg", "svg_of"]

#: The width the charts are laid out for: an A4 page's text column (16 cm), in inches.
WIDTH = 16 / 2.54

#: plotly.js marker symbols → matplotlib markers.
MPL_MARKERS = {
    "circle": "o",
    "square": "s",
    "diamond": "D",
    "triangle-up": "^",
    "x": "X",
    "star": "*",
}
#: plotly.js dash names → matplotlib dash patterns (on, off, … in line widths), with the
#: proportions plotly.js uses.
MPL_DASHES: dict[str, Any] = {
    "solid": "-",
    "dot": (0, (1.5, 1.5)),
    "dash": (0, (4.5, 3)),
    "longdash": (0, (7.5, 3)),
    "dashdot": (0, (4.5, 1.5, 1.5, 1.5)),
    "longdashdot": (0, (7.5, 3, 1.5, 3)),
}

_RC: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": FONT_SIZE,
    "text.usetex": False,
    "text.parse_math": False,
    "text.color": TEXT,
    "axes.edgecolor": TEXT,
    "axes.labelcolor": TEXT,
    "xtick.color": TEXT,
    "ytick.color": TEXT,
    "axes.linewidth": 0.8,
    "lines.scale_dashes": True,
    "path.simplify": False,
}
#: matplotlib is not thread-safe: one drawing at a time (a chart takes a fraction of a second).
_LOCK = threading.Lock()
_ROOT = re.compile(r"<svg\b[^>]*>")


def _dash(index: int) -> Any:
    return MPL_DASHES[DASHES[index % len(DASHES)]]


def _marker(index: int) -> str:
    return MPL_MARKERS[MARKERS[index % len(MARKERS)]]


def _colour(index: int) -> str:
    return COLOURS[index % len(COLOURS)]


def _nan(values: Sequence[float | None]) -> list[float]:
    return [math.nan if v is None else float(v) for v in values]


@contextmanager
def _drawing(salt: str) -> Iterator[None]:
    """matplotlib's settings for one drawing, under the lock."""
    with _LOCK, matplotlib.rc_context(cast("Any", _RC | {"svg.hashsalt": salt})):
        yield


def _no_math(figure: Figure) -> None:
    """No text of the figure is read as mathematics (a "$" in a title stays a "$")."""
    for text in figure.findobj(Text):
        text.set_parse_math(False)


def _finish(figure: Figure, chart_id: str, title: str, summary: str) -> str:
    """The figure as an ``<svg>`` element with a title and a description, no XML prolog."""
    _no_math(figure)
    FigureCanvasSVG(figure)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)
    root = _ROOT.search(text)
    assert root is not None
    view_box = re.search(r'viewBox="([^"]+)"', root.group(0))
    assert view_box is not None
    opening = (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'id={quoteattr(chart_id)} width="100%" viewBox="{view_box.group(1)}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" version="1.1">'
        f'\n<title id="{chart_id}-title">{escape(clean(title))}</title>'
        f'\n<desc id="{chart_id}-desc">{escape(clean(summary))}</desc>'
    )
    return _own_ids(text[: root.start()] + opening + text[root.end() :], chart_id)


_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(xlink:href="#|href="#|url\(#)([^")]+)')


def _own_ids(text: str, chart_id: str) -> str:
    """Every id in the drawing starts with the chart's id, so several charts can sit in one
    HTML page without two elements sharing an id (matplotlib numbers its groups from 1)."""
    prefix = chart_id + "-"

    def own(name: str) -> str:
        return name if name == chart_id or name.startswith(prefix) else prefix + name

    text = _ID.sub(lambda m: f'id="{own(m.group(1))}"', text)
    return _REFERENCE.sub(lambda m: m.group(1) + own(m.group(2)), text)


def _legend(figure: Figure, handles: list[Line2D], chart_id: str) -> None:
    if not handles:
        return
    # As many columns as fit the width: each as wide as the longest entry (an estimate).
    longest = max(len(str(h.get_label())) for h in handles)
    entry = (4 + 0.8 + 1.2 + 0.5 * longest) * FONT_SIZE / 72
    columns = max(1, min(len(handles), 4, int(WIDTH * 0.95 // entry)))
    legend = figure.legend(
        handles=handles,
        loc="outside lower center",
        ncols=columns,
        frameon=False,
        handlelength=4,
        columnspacing=1.2,
    )
    legend.set_gid(f"{chart_id}-legend")


def radar_svg(radar: Radar, summary: str = "", *, chart_id: str = "chart-radar") -> str:
    """One closed polygon per shown series over the competencies (hidden series: left out).

    As on the page: the first competency at three o'clock, counter-clockwise, the levels
    from the centre (0) out to the highest level.
    """
    count = len(radar.axes)
    angles = [2 * math.pi * i / count for i in range(count)] if count else []
    with _drawing(chart_id):
        figure = Figure(figsize=(WIDTH, 4.4), layout="constrained")
        axes = cast(PolarAxes, figure.add_subplot(projection="polar"))
        axes.set_facecolor("#ffffff")
        axes.set_theta_offset(0)
        axes.set_theta_direction(1)
        axes.set_ylim(0, radar.scale.high)
        levels = list(range(radar.scale.low, radar.scale.high + 1))
        axes.set_yticks(levels, [str(v) for v in levels], fontsize=FONT_SIZE - 1)
        axes.set_rlabel_position(90)
        axes.set_xticks(angles, [wrap(a, 16) for a in radar.axes])
        axes.tick_params(axis="x", pad=8)
        # Labels left and right of the circle stand away from it, not across it.
        for text, angle in zip(axes.get_xticklabels(), angles, strict=True):
            side = math.cos(angle)
            text.set_horizontalalignment(
                "left" if side > 0.1 else "right" if side < -0.1 else "center"
            )
        axes.grid(color=GRID, linewidth=0.6)
        axes.spines["polar"].set_color(GRID)
        handles = []
        for index, series in enumerate(radar.series):
            if not series.shown:
                continue
            values = _nan([round1(v) for v in series.values])
            key = f"{chart_id}-series-{series.key}"
            (line,) = axes.plot(
                [*angles, angles[0]],
                [*values, values[0]],
                color=_colour(index),
                linestyle=_dash(index),
                linewidth=1.6,
                marker=_marker(index),
                markersize=6,
                label=clean(series.label),
                gid=key,
                clip_on=False,
            )
            handles.append(line)
        _legend(figure, handles, chart_id)
        return _finish(figure, chart_id, radar.title, summary)


def level_colour(level: int, low: int, high: int) -> str:
    """A level's fill: from the light to the dark end of the heat map's one hue."""
    share = 0.0 if high == low else (level - low) / (high - low)
    share = min(1.0, max(0.0, share))
    start, end = rgb(LEVEL_SCALE[0]), rgb(LEVEL_SCALE[1])
    mixed = [a + (b - a) * share for a, b in zip(start, end, strict=True)]
    return "#" + "".join(f"{round(c * 255):02X}" for c in mixed)


def _text_on(fill: str) -> str:
    r, g, b = rgb(fill)
    return TEXT if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.5 else "#ffffff"


def heatmap_svg(heatmap: Heatmap, summary: str = "", *, chart_id: str = "chart-heatmap") -> str:
    """Indicators down, rounds across: a level's number on its shade, "?" on grey for
    "cannot judge" (its own state, never zero), an empty outlined cell where nothing was
    rated, and a line between competencies. Each competency's name stands beside its rows.
    """
    rows, columns = len(heatmap.rows), len(heatmap.rounds)
    header_lines = max((wrap(r).count("\n") + 1 for r in heatmap.rounds), default=1)
    # Up to 36 rows at a comfortable height; more rows get lower (down to 3 mm) so that the
    # whole framework still fits one A4 page.
    cell = 0.22 if rows <= 36 else max(0.12, 8.0 / rows)
    size = min(FONT_SIZE, max(6.5, cell * 72 * 0.75))
    left, right, top, bottom = 0.45, 1.75, 0.12 + 0.16 * header_lines, 0.06
    width = min(1.3, (WIDTH - left - right) / max(columns, 1))
    height = top + bottom + cell * max(rows, 1)
    scale = heatmap.scale
    with _drawing(chart_id):
        figure = Figure(figsize=(WIDTH, height))
        axes = figure.add_axes(
            (
                left / WIDTH,
                bottom / height,
                width * max(columns, 1) / WIDTH,
                cell * max(rows, 1) / height,
            )
        )
        axes.set_xlim(-0.5, max(columns, 1) - 0.5)
        axes.set_ylim(max(rows, 1) - 0.5, -0.5)
        axes.xaxis.tick_top()
        axes.set_xticks(range(columns), [wrap(r) for r in heatmap.rounds])
        axes.set_yticks(range(rows), [clean(row.label) for row in heatmap.rows], fontsize=size)
        axes.tick_params(length=0)
        for spine in axes.spines.values():
            spine.set_visible(False)
        for r, row in enumerate(heatmap.rows):
            for c, item in enumerate(row.cells):
                if item.cannot_judge:
                    fill, edge, mark, state = (
                        CANNOT_JUDGE_COLOUR,
                        CANNOT_JUDGE_COLOUR,
                        "?",
                        CANNOT_JUDGE,
                    )
                elif item.level is not None:
                    fill = level_colour(item.level, scale.low, scale.high)
                    edge, mark, state = fill, str(item.level), "level"
                else:
                    fill, edge, mark, state = "#ffffff", GRID, "", "empty"
                axes.add_patch(
                    Rectangle(
                        (c - 0.47, r - 0.43),
                        0.94,
                        0.86,
                        facecolor=fill,
                        edgecolor=edge,
                        linewidth=0.6 if state == "empty" else 0,
                        # Hatched as well as grey: in grayscale print the grey is near a
                        # level's shade.
                        hatch="//" if item.cannot_judge else None,
                        hatchcolor="#ffffff",
                        gid=f"{chart_id}-{state}-{r}-{c}",
                    )
                )
                if mark:
                    axes.text(
                        c,
                        r,
                        mark,
                        ha="center",
                        va="center",
                        color=_text_on(fill),
                        fontsize=size,
                        fontweight="bold" if item.cannot_judge else "normal",
                        gid=f"{chart_id}-text-{r}-{c}",
                    )
        start = 0
        for r in range(1, rows + 1):
            if r == rows or heatmap.rows[r].competency != heatmap.rows[r - 1].competency:
                if r < rows:
                    axes.axhline(r - 0.5, color=TEXT, linewidth=1.4, gid=f"{chart_id}-rule-{r}")
                axes.annotate(
                    wrap(heatmap.rows[start].competency, 28),
                    xy=(1, (start + r - 1) / 2),
                    xycoords=("axes fraction", "data"),
                    xytext=(8, 0),
                    textcoords="offset points",
                    va="center",
                    ha="left",
                    fontsize=FONT_SIZE - 1,
                    gid=f"{chart_id}-group-{start}",
                )
                start = r
        return _finish(figure, chart_id, heatmap.title, summary)


def svg_of(series: Radar | Lines | Heatmap, summary: str = "", chart_id: str | None = None) -> str:
    """The SVG of any chart's series (its id as on the page unless ``chart_id`` is given)."""
    if isinstance(series, Radar):
        return radar_svg(series, summary, chart_id=chart_id or "chart-radar")
    if isinstance(series, Lines):
        return lines_svg(series, summary, chart_id=chart_id or "chart-lines")
    return heatmap_svg(series, summary, chart_id=chart_id or "chart-heatmap")
