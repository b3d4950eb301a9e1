"""Each chart's data table: the same numbers as its figure, readable without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from portfolio.charts.figures import round1
from portfolio.charts.series import Boxes, Heatmap, Lines, Radar


@dataclass(frozen=True)
class Table:
    """A header row and body rows; each body row starts with its label."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float | str | None, ...]], ...]


def radar_table(radar: Radar) -> Table:
    """Competencies down, the shown series across."""
    shown = [s for s in radar.series if s.shown]
    return Table(
        header=tuple(s.label for s in shown),
        rows=tuple(
            (axis, tuple(round1(s.values[i]) for s in shown)) for i, axis in enumerate(radar.axes)
        ),
    )


def lines_table(lines: Lines) -> Table:
    """Competencies down, rounds across."""
    return Table(
        header=lines.rounds,
        rows=tuple((s.label, tuple(round1(v) for v in s.values)) for s in lines.series),
    )


def heatmap_table(heatmap: Heatmap, cannot_judge: str = "?") -> Table:
    """Indicators down, rounds across; "cannot judge" as its own mark, not a number."""
    return Table(
        header=heatmap.rounds,
        rows=tuple(
            (
                f"{row.label} {row.detail}".strip(),
                tuple(cannot_judge if cell.cannot_judge else cell.level for cell in row.cells),
            )
            for row in heatmap.rows
        ),
    )


def boxes_table(boxes: Boxes, header: tuple[str, ...]) -> Table:
    """Per category and series (a competency in a round) that has a box: the round, how
    many values, lowest, first quartile, median, third quartile, highest and mean.

    ``header`` names these eight columns, in the reader's language."""
    rows = []
    for c, category in enumerate(boxes.categories):
        for series in boxes.series:
            stats = series.stats[c]
            if stats is None:
                continue
            rows.append(
                (
                    category,
                    (
                        series.label,
                        stats.count,
                        round1(stats.low),
                        round1(stats.q1),
                        round1(stats.median),
                        round1(stats.q3),
                        round1(stats.high),
                        round1(stats.mean),
                    ),
                )
            )
    return Table(header=header, rows=tuple(rows))
