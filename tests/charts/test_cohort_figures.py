"""The cohort dashboard's pure parts: quartiles from a histogram, the box figure and its
table, and the summaries (no browser, no database)."""

from __future__ import annotations

import random
import statistics
from collections import Counter

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolio.charts import figures, tables
from portfolio.charts.palette import COLOURS
from portfolio.charts.series import Boxes, BoxSeries, BoxStats, Lines, LineSeries, Scale
from portfolio.main.cohort_charts import means_summary, spread_summary
from portfolio.main.cohort_progress import CohortRound

SCALE = Scale(1, 4, ("1", "2", "3", "4"))


def histogram_of(values: list[float]) -> dict[float, int]:
    return dict(Counter(round(v, 1) for v in values))


def test_an_empty_histogram_has_no_statistics():
    assert BoxStats.from_histogram({}) is None
    assert BoxStats.from_histogram({2.0: 0}) is None


def test_one_value_is_every_statistic():
    stats = BoxStats.from_histogram({2.5: 1})
    assert stats == BoxStats(1, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5)


def test_quartiles_interpolate_between_ranks_like_statistics_quantiles_inclusive():
    values = [1.0, 1.5, 1.5, 2.0, 3.0, 3.5, 4.0]
    stats = BoxStats.from_histogram(Counter(values))
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    assert (stats.q1, stats.median, stats.q3) == pytest.approx((q1, median, q3))
    assert (stats.count, stats.low, stats.high) == (7, 1.0, 4.0)
    assert stats.mean == pytest.approx(statistics.fmean(values))


def test_the_exact_mean_is_taken_when_given():
    assert BoxStats.from_histogram({2.0: 1, 3.0: 1}, mean=2.44).mean == 2.44


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.floats(min_value=1, max_value=4, allow_nan=False, allow_infinity=False),
        min_size=2,
        max_size=80,
    )
)
def test_quartiles_of_the_rounded_histogram_stay_within_005_of_the_raw_values(values):
    """The SQL rounds each trainee's mean to one decimal: the quartiles of that histogram
    are within half a tenth of the quartiles of the raw means."""
    stats = BoxStats.from_histogram(histogram_of(values))
    raw = statistics.quantiles(values, n=4, method="inclusive")
    for ours, theirs in zip((stats.q1, stats.median, stats.q3), raw, strict=True):
        assert abs(ours - theirs) <= 0.05 + 1e-9
    assert abs(stats.low - min(values)) <= 0.05 + 1e-9
    assert abs(stats.high - max(values)) <= 0.05 + 1e-9


def test_a_large_cohort_reads_the_same_from_its_histogram():
    rng = random.Random(7)
    values = [min(4.0, max(1.0, rng.gauss(2.4, 0.6))) for _ in range(5000)]
    histogram = histogram_of(values)
    assert len(histogram) <= 31  # one bucket per tenth of the scale, whatever the cohort
    stats = BoxStats.from_histogram(histogram, statistics.fmean(values))
    raw = statistics.quantiles(values, n=4, method="inclusive")
    assert stats.median == pytest.approx(raw[1], abs=0.05)


def boxes() -> Boxes:
    a1 = BoxStats(4, 1.0, 1.5, 2.0, 2.5, 3.0, 2.04)
    a2 = BoxStats(3, 2.0, 2.25, 2.5, 3.0, 3.5, 2.66)
    b2 = BoxStats(3, 1.5, 1.75, 2.0, 2.25, 2.5, 2.0)
    return Boxes(
        "Spread",
        ("Alpha <x>", "Beta"),
        (
            BoxSeries("Round 1", (a1, None)),
            BoxSeries("Round 2", (a2, b2)),
            BoxSeries("Round 3", (None, None)),
        ),
        SCALE,
    )


def test_the_box_figure_has_a_trace_per_round_with_boxes_only_where_there_are_values():
    figure = figures.box_figure(boxes(), "nl")
    assert [t["name"] for t in figure["data"]] == ["Round 1", "Round 2"]  # round 3: no boxes
    first, second = figure["data"]
    assert first["type"] == "box" and first["orientation"] == "h"
    assert first["y"] == ["Alpha &lt;x&gt;"] and second["y"] == ["Alpha &lt;x&gt;", "Beta"]
    assert second["q1"] == [2.2, 1.8] and second["q3"] == [3.0, 2.2]
    assert second["lowerfence"] == [2.0, 1.5] and second["upperfence"] == [3.5, 2.5]
    assert first["mean"] == [2.0] and first["median"] == [2.0] and first["boxmean"] is True
    assert first["boxpoints"] is False  # no values were given: nothing to scatter
    assert first["line"]["color"] == COLOURS[0] and second["line"]["color"] == COLOURS[1]
    assert first["fillcolor"] != second["fillcolor"]  # not told apart by hue alone
    layout = figure["layout"]
    assert layout["boxmode"] == "group"
    assert layout["yaxis"]["categoryarray"] == ["Alpha &lt;x&gt;", "Beta"]
    assert figure["config"] == {"displayModeBar": False, "responsive": True, "locale": "nl"}
    assert "narrow" in figure


def test_the_box_table_carries_the_figures_numbers():
    figure = figures.box_figure(boxes(), "en")
    table = tables.boxes_table(boxes(), ("Round", "n", "lo", "q1", "med", "q3", "hi", "mean"))
    assert table.header[0] == "Round"
    drawn = []
    for trace in figure["data"]:
        for i, _category in enumerate(trace["y"]):
            keys = ("lowerfence", "q1", "median", "q3", "upperfence", "mean")
            drawn.append((trace["name"], *(trace[k][i] for k in keys)))
    shown = [(values[0], *values[2:]) for _label, values in table.rows]
    assert sorted(shown) == sorted(drawn)
    assert [label for label, _v in table.rows] == ["Alpha <x>", "Alpha <x>", "Beta"]
    assert [values[1] for _l, values in table.rows] == [4, 3, 3]


def _round(title: str, handed_in: int) -> CohortRound:
    from datetime import date

    return CohortRound(1, title, date(2026, 1, 1), date(2026, 1, 9), "open", handed_in)


def test_the_spread_summary_names_the_widest_middle_half(app):
    with app.test_request_context(), force_locale("en"):
        text = spread_summary(boxes(), _round("Round 2", 3))
    assert text == (
        "In Round 2, 3 trainees handed in; the middle half lies furthest apart for "
        "Alpha <x> (2.2 to 3.0)."
    )
    with app.test_request_context(), force_locale("nl"):
        assert "2,2" in spread_summary(boxes(), _round("Round 2", 3))


def test_the_spread_summary_says_when_nobody_handed_in_the_round(app):
    with app.test_request_context(), force_locale("en"):
        assert spread_summary(boxes(), _round("Round 3", 0)) == (
            "Nobody has handed in Round 3 yet; the chart shows the rounds handed in before."
        )
        empty = Boxes("Spread", ("A",), (BoxSeries("Round 1", (None,)),), SCALE)
        assert spread_summary(empty, _round("Round 1", 0)) == (
            "Nobody in this cohort has handed in a self-assessment yet."
        )


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        (
            (LineSeries("Knowledge creation", (2.1, 2.5, 3.0)), LineSeries("B", (2.0, 2.2, 2.3))),
            "The cohort's mean for Knowledge creation rose the most: from 2.1 to 3.0 over "
            "3 rounds.",
        ),
        (
            (LineSeries("A", (3.0, None, 2.0)),),
            "The cohort's mean for A changed the most: it fell from 3.0 to 2.0 over 2 rounds.",
        ),
        ((LineSeries("A", (2.0, 2.02)),), "The cohort's means stayed the same over 2 rounds."),
        (
            (LineSeries("A", (2.0, None)),),
            "The cohort's means over time show once two rounds are handed in.",
        ),
    ],
)
def test_the_means_summary(app, series, expected):
    lines = Lines("Means", ("R1", "R2", "R3")[: len(series[0].values)], series, SCALE)
    with app.test_request_context(), force_locale("en"):
        assert means_summary(lines) == expected
