"""Series → Plotly figure dicts (pure: no Flask, no database; unit-tested without a browser).

Every figure has the same shape, ``{"data": [...], "layout": {...}, "config": {...}}``, and
every trace carries its colour *and* a marker symbol or dash pattern, so no series is told
apart by colour alone. The mode bar is off (its buttons are not keyboard friendly); the
chart's data table is the accessible view of the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from portfolio.charts.palette import (
    CANNOT_JUDGE_COLOUR,
    COLOURS,
    DASHES,
    LEVEL_SCALE,
    MARKERS,
)
from portfolio.charts.series import (
    MODULE_MIN_WIDTH,
    Boxes,
    Heatmap,
    Lines,
    ModuleMark,
    Radar,
    Scale,
    grouped_marks,
)

Figure = dict[str, Any]

FONT = {"family": "system-ui, sans-serif", "size": 14, "color": "#1f2933"}
SMALL_FONT = FONT | {"size": 11}
#: Below this width (CSS pixels) ``static/js/charts.js`` lays the figure's ``narrow`` over
#: its layout (a phone).
NARROW = 600


def _split_long(word: str, width: int) -> list[str]:
    """A word longer than ``width`` in two: at its hyphen, else after an "s" near its middle
    (the Dutch linking s: "Samenwerkings-gericht"), else in the middle."""
    if len(word) <= width:
        return [word]
    if "-" in word.strip("-"):
        head, tail = word.split("-", 1)
        return [head + "-", tail]
    middle = len(word) // 2
    candidates = [
        i + 1
        for i, c in enumerate(word)
        if c == "s" and len(word) / 3 <= i + 1 <= len(word) * 2 / 3
    ]
    cut = min(candidates, key=lambda i: abs(i - middle)) if candidates else middle
    return [word[:cut] + "-", word[cut:]]


def label(text: str, width: int = 14) -> str:
    """A label as plotly.js draws it: its own markup escaped (plotly reads a few HTML tags
    in text), long ones wrapped at spaces with ``<br>`` so they fit a phone."""
    lines: list[str] = []
    for word in (part for w in text.split() for part in _split_long(w, width)):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(escape(line) for line in lines)


def escape(text: str) -> str:
    """Text as plotly.js draws it literally (it reads a few HTML tags in text)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _config(locale: str) -> dict[str, Any]:
    return {"displayModeBar": False, "responsive": True, "locale": locale}


def _level_ticks(scale: Scale) -> dict[str, Any]:
    values = list(range(scale.low, scale.high + 1))
    return {"tickvals": values, "ticktext": [str(v) for v in values], "range": [0, scale.high]}


def round1(value: float | None) -> float | None:
    """A mean as charts and tables show it: one decimal."""
    return None if value is None else round(value, 1)


def radar_figure(radar: Radar, locale: str) -> Figure:
    """One closed polygon per shown series over the competencies (hidden series: no trace)."""
    axes = [label(a) for a in radar.axes]
    theta = [*axes, axes[0]] if axes else []
    data = []
    for index, series in enumerate(radar.series):
        if not series.shown:
            continue
        values = [round1(v) for v in series.values]
        data.append(
            {
                "type": "scatterpolar",
                "name": series.label,
                "r": [*values, values[0]] if values else [],
                "theta": theta,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": COLOURS[index], "dash": DASHES[index], "width": 2},
                "marker": {"symbol": MARKERS[index], "size": 9, "color": COLOURS[index]},
                "hovertemplate": "%{theta}: %{r}<extra>" + series.label + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "font": FONT,
            "margin": {"l": 70, "r": 70, "t": 30, "b": 30},
            "height": 420,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.1},
            "polar": {"radialaxis": _level_ticks(radar.scale) | {"angle": 90}},
            "paper_bgcolor": "#ffffff",
        },
        "narrow": {
            "font": SMALL_FONT,
            "margin": {"l": 80, "r": 80, "t": 40, "b": 30},
            "height": 360,
            "polar": {
                "radialaxis": _level_ticks(radar.scale) | {"angle": 90},
                "angularaxis": {"tickfont": SMALL_FONT | {"size": 10}},
            },
            "legend": {"orientation": "h", "y": -0.15, "font": SMALL_FONT},
        },
        "config": _config(locale),
    }


def lines_figure(lines: Lines, locale: str) -> Figure:
    """One line per competency across the rounds (a gap where a round has no rating), and
    the training modules as context (:func:`with_module_marks`)."""
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "name": series.label,
            "x": [label(r) for r in lines.rounds],
            "y": [round1(v) for v in series.values],
            "mode": "lines+markers",
            "connectgaps": False,
            "line": {"color": COLOURS[index], "dash": DASHES[index], "width": 2},
            "marker": {"symbol": MARKERS[index], "size": 9, "color": COLOURS[index]},
            "hovertemplate": "%{x}: %{y}<extra>" + series.label + "</extra>",
        }
        for index, series in enumerate(lines.series)
    ]
    figure: Figure = {
        "data": data,
        "layout": {
            "font": FONT,
            "margin": {"l": 40, "r": 20, "t": 20, "b": 60},
            "height": 380,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.25},
            "xaxis": {"type": "category", "automargin": True},
            "yaxis": _level_ticks(lines.scale)
            | {"range": [lines.scale.low - 0.2, lines.scale.high + 0.2]},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "narrow": {
            "font": SMALL_FONT,
            "margin": {"l": 30, "r": 10, "t": 10, "b": 40},
            "height": 420,
            "legend": {"orientation": "h", "y": -0.35, "font": SMALL_FONT},
        },
        "config": _config(locale),
    }
    return with_module_marks(figure, lines.modules)


#: Training modules as context: a light grey band with a dotted edge, its label above.
MODULE_FILL = "rgba(82, 96, 109, 0.12)"
MODULE_EDGE = "#52606D"
#: Room above the plot for the modules' labels (CSS pixels).
MODULE_LABEL_ROOM = 30


def with_module_marks(figure: Figure, marks: Sequence[ModuleMark]) -> Figure:
    """``figure`` (a chart over the rounds: x is round 0, 1, 2, …) with each training module
    as context: a light shaded band with a dotted edge from its first to its last day, its
    short label ("M1") above the plot and its title and days on hover. Modules too close to
    tell apart share a band ("M3, M4"). Returns a new figure; ``figure`` is not changed."""
    if not marks:
        return figure
    shapes, annotations, spans = [], [], []
    for group in grouped_marks(marks):
        start = min(m.x0 for m in group)
        end = max(m.x1 for m in group)
        middle = (start + end) / 2
        half = max((end - start) / 2, MODULE_MIN_WIDTH / 2)
        spans.append((middle - half, middle + half))
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": middle - half,
                "x1": middle + half,
                "y0": 0,
                "y1": 1,
                "layer": "below",
                "fillcolor": MODULE_FILL,
                "line": {"color": MODULE_EDGE, "width": 1, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "xref": "x",
                "yref": "paper",
                "x": middle,
                "y": 1,
                "yanchor": "bottom",
                "showarrow": False,
                "text": escape(", ".join(m.short for m in group)),
                "hovertext": "<br>".join(label(m.text, 40) for m in group),
                "font": SMALL_FONT | {"color": MODULE_EDGE},
            }
        )
    layout = dict(figure["layout"])
    layout["shapes"] = [*layout.get("shapes", []), *shapes]
    layout["annotations"] = [*layout.get("annotations", []), *annotations]
    margin = layout.get("margin", {})
    layout["margin"] = margin | {"t": max(margin.get("t", 0), MODULE_LABEL_ROOM)}
    # Half a round of room at each end, and more where a module lies further out.
    rounds = max((len(trace.get("x", ())) for trace in figure.get("data", ())), default=1)
    low = min(-0.5, *(x0 - 0.05 for x0, _x1 in spans))
    high = max(rounds - 0.5, *(x1 + 0.05 for _x0, x1 in spans))
    layout["xaxis"] = layout.get("xaxis", {}) | {"range": [low, high]}
    out = figure | {"layout": layout}
    if "narrow" in figure:
        narrow = dict(figure["narrow"])
        margin = narrow.get("margin", {})
        narrow["margin"] = margin | {"t": max(margin.get("t", 0), MODULE_LABEL_ROOM - 4)}
        out["narrow"] = narrow
    return out


def heatmap_figure(heatmap: Heatmap, locale: str) -> Figure:
    """Two heat-map traces: the levels (light to dark, the number in each cell) and, on top,
    the "cannot judge" cells in grey with a question mark — their own state, never zero."""
    labels = [row.label for row in heatmap.rows]
    levels = [[cell.level for cell in row.cells] for row in heatmap.rows]
    level_text = [["" if v is None else str(v) for v in row] for row in levels]
    unsure = [[1 if cell.cannot_judge else None for cell in row.cells] for row in heatmap.rows]
    unsure_text = [["?" if v else "" for v in row] for row in unsure]
    scale = heatmap.scale
    return {
        "data": [
            {
                "type": "heatmap",
                "name": scale.labels[-1] if scale.labels else "",
                "x": [label(r) for r in heatmap.rounds],
                "y": labels,
                "z": levels,
                "text": level_text,
                "texttemplate": "%{text}",
                "zmin": scale.low,
                "zmax": scale.high,
                "colorscale": [[0, LEVEL_SCALE[0]], [1, LEVEL_SCALE[1]]],
                # No colour bar: each cell carries its level as text (and plotly.js would set
                # an inline style attribute for it, which the CSP refuses).
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
                "hovertemplate": "%{y} · %{x}: %{z}<extra></extra>",
            },
            {
                "type": "heatmap",
                "name": heatmap.cannot_judge_label,
                "x": [label(r) for r in heatmap.rounds],
                "y": labels,
                "z": unsure,
                "text": unsure_text,
                "texttemplate": "%{text}",
                "zmin": 0,
                "zmax": 1,
                "colorscale": [[0, CANNOT_JUDGE_COLOUR], [1, CANNOT_JUDGE_COLOUR]],
                "showscale": False,
                "xgap": 2,
                "ygap": 2,
                "hovertemplate": "%{y} · %{x}: " + heatmap.cannot_judge_label + "<extra></extra>",
            },
        ],
        "layout": {
            "font": FONT,
            "margin": {"l": 10, "r": 10, "t": 20, "b": 60},
            "height": max(260, 24 * len(labels) + 100),
            "xaxis": {"type": "category", "side": "top", "automargin": True},
            "yaxis": {"type": "category", "autorange": "reversed", "automargin": True},
            # A line between competencies: the rows are grouped by competency.
            "shapes": [
                {
                    "type": "line",
                    "xref": "paper",
                    "x0": 0,
                    "x1": 1,
                    "yref": "y",
                    "y0": index - 0.5,
                    "y1": index - 0.5,
                    "line": {"color": "#1f2933", "width": 2},
                }
                for index in range(1, len(heatmap.rows))
                if heatmap.rows[index].competency != heatmap.rows[index - 1].competency
            ],
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "narrow": {"font": SMALL_FONT, "margin": {"l": 5, "r": 5, "t": 10, "b": 20}},
        "config": _config(locale),
    }


def _tint(colour: str, alpha: float) -> str:
    """``#RRGGBB`` as a see-through ``rgba(...)`` fill."""
    value = colour.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({red},{green},{blue},{alpha:.2f})"


def box_figure(boxes: Boxes, locale: str) -> Figure:
    """Horizontal box plots, one box trace per series (a round) with a box per category
    that has values, grouped by category (the categories down, in order; the levels across,
    so long names read on a phone). The statistics are precomputed: plotly.js is given no
    values, so it draws exactly the numbers of the data table. Series without a box get no
    trace."""
    categories = [label(c, 16) for c in boxes.categories]
    data = []
    for index, series in enumerate(boxes.series):
        if not series.shown:
            continue
        present = [(c, s) for c, s in zip(categories, series.stats, strict=True) if s is not None]
        colour = COLOURS[index % len(COLOURS)]
        data.append(
            {
                "type": "box",
                "orientation": "h",
                "name": series.label,
                "y": [c for c, _s in present],
                "q1": [round1(s.q1) for _c, s in present],
                "median": [round1(s.median) for _c, s in present],
                "q3": [round1(s.q3) for _c, s in present],
                "lowerfence": [round1(s.low) for _c, s in present],
                "upperfence": [round1(s.high) for _c, s in present],
                "mean": [round1(s.mean) for _c, s in present],
                "boxmean": True,
                "boxpoints": False,
                "line": {"color": colour, "width": 2},
                # Later rounds filled darker: the rounds differ in more than their hue.
                "fillcolor": _tint(colour, min(0.1 + 0.15 * index, 0.55)),
                "marker": {"color": colour, "symbol": MARKERS[index % len(MARKERS)]},
                "hoverinfo": "x+name",
            }
        )
    rows = len(boxes.categories) * max(len(data), 1)
    return {
        "data": data,
        "layout": {
            "font": FONT,
            "margin": {"l": 10, "r": 20, "t": 20, "b": 40},
            "height": max(300, 22 * rows + 160),
            "boxmode": "group",
            "boxgroupgap": 0.3,
            "boxgap": 0.1,
            "showlegend": True,
            "legend": {"orientation": "h", "y": -0.12, "traceorder": "normal"},
            "yaxis": {
                "type": "category",
                "categoryorder": "array",
                "categoryarray": categories,
                # The first category on top, and in each group the first round on top.
                "autorange": "reversed",
                "automargin": True,
            },
            "xaxis": _level_ticks(boxes.scale)
            | {"range": [boxes.scale.low - 0.2, boxes.scale.high + 0.2]},
            "paper_bgcolor": "#ffffff",
            "plot_bgcolor": "#ffffff",
        },
        "narrow": {
            "font": SMALL_FONT,
            "margin": {"l": 5, "r": 10, "t": 10, "b": 30},
            "height": max(300, 20 * rows + 170),
            "legend": {"orientation": "h", "y": -0.15, "font": SMALL_FONT},
        },
        "config": _config(locale),
    }
