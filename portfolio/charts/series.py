"""The data behind each chart: plain frozen dataclasses, labels already translated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: A heat-map cell where the rater chose "cannot judge (yet)": its own state, never zero.
CANNOT_JUDGE = "cannot-judge"


@dataclass(frozen=True)
class Scale:
    """The rating scale: its lowest and highest level and each level's label."""

    low: int
    high: int
    labels: tuple[str, ...]

    @property
    def range(self) -> int:
        """Highest minus lowest level."""
        return self.high - self.low


@dataclass(frozen=True)
class RadarSeries:
    """One rater group's mean level per competency (None: no rating), or why it is hidden."""

    key: str
    label: str
    values: tuple[float | None, ...]
    #: Set when the anonymity rule (or a lack of answers) keeps the series off the chart.
    hidden_reason: str | None = None

    @property
    def shown(self) -> bool:
        """Drawn on the chart: not hidden and at least one value."""
        return self.hidden_reason is None and any(v is not None for v in self.values)


@dataclass(frozen=True)
class Radar:
    """The five competencies for one round, one series per rater group."""

    title: str
    round_title: str
    axes: tuple[str, ...]
    series: tuple[RadarSeries, ...]
    scale: Scale


@dataclass(frozen=True)
class LineSeries:
    """One competency's mean self-rating per round (None: not rated that round)."""

    label: str
    values: tuple[float | None, ...]


#: A module of a day or two is narrow on the round axis: its band is at least this wide,
#: and modules closer together than this share one band and label.
MODULE_MIN_WIDTH = 0.14


@dataclass(frozen=True)
class ModuleMark:
    """A training module as context on a chart over the rounds: a short label on the chart,
    the title and days in its hover text and under the data table.

    ``x0`` and ``x1`` are its first and last day on the round axis (round 0, 1, 2, …; see
    :func:`portfolio.charts.timeline.module_positions`).
    """

    short: str
    title: str
    days: str
    x0: float
    x1: float

    @property
    def text(self) -> str:
        """Label, title and days in one line: "M1 Dialogical spaces (12–13 Mar 2026)"."""
        return f"{self.short} {self.title} ({self.days})"


@dataclass(frozen=True)
class Lines:
    """Growth per competency across rounds, with the training modules as context."""

    title: str
    rounds: tuple[str, ...]
    series: tuple[LineSeries, ...]
    scale: Scale
    modules: tuple[ModuleMark, ...] = ()

    def largest_change(self) -> Change | None:
        """The series that changed the most from its first to its last value (the first of
        equals wins), or None when no series has two values."""
        best: Change | None = None
        for series in self.series:
            rated = [v for v in series.values if v is not None]
            if len(rated) >= 2:
                change = Change(series.label, rated[0], rated[-1], len(rated))
                if best is None or abs(change.by) > abs(best.by):
                    best = change
        return best


@dataclass(frozen=True)
class Change:
    """How one line moved: its first and last value and over how many rounds with a value."""

    label: str
    first: float
    last: float
    rounds: int

    @property
    def by(self) -> float:
        """Last minus first."""
        return self.last - self.first


@dataclass(frozen=True)
class HeatmapCell:
    """A self-rating: a level, :data:`CANNOT_JUDGE`, or None (not rated)."""

    level: int | None = None
    state: str | None = None

    @property
    def cannot_judge(self) -> bool:
        """The trainee chose "cannot judge (yet)"."""
        return self.state == CANNOT_JUDGE


@dataclass(frozen=True)
class HeatmapRow:
    """One indicator: its short label, its competency, a cell per round."""

    label: str
    competency: str
    cells: tuple[HeatmapCell, ...]
    #: The indicator's text (the data table shows it next to the label).
    detail: str = ""


@dataclass(frozen=True)
class Heatmap:
    """Indicators × rounds, grouped by competency (rows in framework order)."""

    title: str
    rounds: tuple[str, ...]
    rows: tuple[HeatmapRow, ...]
    scale: Scale
    cannot_judge_label: str


@dataclass(frozen=True)
class BoxStats:
    """The spread of one group of values: lowest, quartiles, median, highest and mean.

    Made from a histogram (value → how many), so the values themselves need not be read:
    :meth:`from_histogram`. The quartiles interpolate linearly between ranks (the
    "inclusive" method of :func:`statistics.quantiles`, plotly.js's "linear"); the whiskers
    reach the lowest and the highest value, so no value lies outside them.
    """

    count: int
    low: float
    q1: float
    median: float
    q3: float
    high: float
    mean: float

    @classmethod
    def from_histogram(
        cls, histogram: Mapping[float, int], mean: float | None = None
    ) -> BoxStats | None:
        """The statistics of the values ``histogram`` counts (None when it counts none).

        ``mean`` is the exact mean when the caller has it (the histogram may hold rounded
        values); otherwise it is the histogram's own.
        """
        counted = sorted((value, n) for value, n in histogram.items() if n > 0)
        total = sum(n for _v, n in counted)
        if not total:
            return None

        def at(rank: int) -> float:
            """The value at 0-based ``rank`` of the sorted values."""
            seen = 0
            for value, n in counted:
                seen += n
                if rank < seen:
                    return value
            return counted[-1][0]

        def quantile(p: float) -> float:
            position = (total - 1) * p
            below = int(position)
            fraction = position - below
            low = at(below)
            return low if fraction == 0 else low + (at(below + 1) - low) * fraction

        if mean is None:
            mean = sum(v * n for v, n in counted) / total
        return cls(
            total,
            counted[0][0],
            quantile(0.25),
            quantile(0.5),
            quantile(0.75),
            counted[-1][0],
            mean,
        )


@dataclass(frozen=True)
class BoxSeries:
    """One group of boxes (a round): per category (a competency) its spread, or None."""

    label: str
    stats: tuple[BoxStats | None, ...]

    @property
    def shown(self) -> bool:
        """At least one box to draw."""
        return any(s is not None for s in self.stats)


@dataclass(frozen=True)
class Boxes:
    """Box plots per category, one box per series in each (grouped by category)."""

    title: str
    categories: tuple[str, ...]
    series: tuple[BoxSeries, ...]
    scale: Scale


def grouped_marks(marks: Sequence[ModuleMark]) -> list[list[ModuleMark]]:
    """Marks in order of place, those that would overlap in one group (one band, one label
    "M3, M4"), the same on the page and in the export."""
    groups: list[list[ModuleMark]] = []
    for mark in sorted(marks, key=lambda m: (m.x0 + m.x1) / 2):
        middle = (mark.x0 + mark.x1) / 2
        if groups and middle - (groups[-1][-1].x0 + groups[-1][-1].x1) / 2 < MODULE_MIN_WIDTH:
            groups[-1].append(mark)
        else:
            groups.append([mark])
    return groups
