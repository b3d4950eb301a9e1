"""Charts as pure functions: series data (frozen dataclasses) → Plotly figure dicts.

Nothing here knows Flask or the database. A page's query module builds the series (numbers
and labels already in the reader's language); :mod:`portfolio.charts.figures` turns them
into figure dicts that travel to the browser as JSON in a
``<script type="application/json" data-chart=…>`` block, drawn by ``static/js/charts.js``
with the local plotly.js bundle (``static/vendor/plotly-charts.min.js``: core, scatterpolar,
heatmap, box). The same series feed the static SVGs (matplotlib) of the portfolio export,
:mod:`portfolio.charts.svg`, and :mod:`portfolio.charts.tables` gives each chart's data
table with the same numbers.
"""

from __future__ import annotations

from portfolio.charts.series import (
    CANNOT_JUDGE,
    Heatmap,
    HeatmapCell,
    HeatmapRow,
    Lines,
    LineSeries,
    ModuleMark,
    Radar,
    RadarSeries,
    Scale,
)

__all__ = [
    "CANNOT_JUDGE",
    "Heatmap",
    "HeatmapCell",
    "HeatmapRow",
    "LineSeries",
    "Lines",
    "ModuleMark",
    "Radar",
    "RadarSeries",
    "Scale",
]
