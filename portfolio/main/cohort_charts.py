"""The cohort dashboard's charts: the spread per competency and round (box plots) and the
cohort's means over the rounds (lines), with labels in the reader's language, one-sentence
summaries made from the numbers, and tables with the same numbers as the figures.

The numbers come from :mod:`portfolio.main.cohort_progress`; nothing here reads the
database.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext, ngettext

from portfolio.charts import figures, tables
from portfolio.charts.series import Boxes, BoxSeries, BoxStats, Lines, LineSeries
from portfolio.competencies.texts import localized
from portfolio.framework import Framework
from portfolio.main.cohort_progress import CohortDashboard, CohortRound
from portfolio.main.growth_charts import Chart, number, scale_of


@dataclass(frozen=True)
class CohortCharts:
    """The two charts (None when nobody has handed in anything yet)."""

    spread: Chart | None
    means: Chart | None
    #: Rounds that have opened and have at least one hand-in, oldest first.
    rounds_with_work: tuple[CohortRound, ...]


def spread_header() -> tuple[str, ...]:
    """The columns of the spread's data table, after the competency."""
    return (
        gettext("Round"),
        gettext("Trainees"),
        gettext("Lowest"),
        gettext("Lower quartile"),
        gettext("Median"),
        gettext("Upper quartile"),
        gettext("Highest"),
        gettext("Mean"),
    )


def spread_summary(boxes: Boxes, chosen: CohortRound | None) -> str:
    """One sentence on the chosen round: how many handed in, and where the middle half of
    the trainees lies furthest apart."""
    if chosen is None or not any(s.shown for s in boxes.series):
        return gettext("Nobody in this cohort has handed in a self-assessment yet.")
    series = next((s for s in boxes.series if s.label == chosen.title), None)
    if series is None or not series.shown:
        return gettext(
            "Nobody has handed in %(round)s yet; the chart shows the rounds handed in before.",
            round=chosen.title,
        )
    pairs = [(s, c) for s, c in zip(series.stats, boxes.categories, strict=True) if s is not None]
    # The first competency wins a tie.
    _i, widest = max(enumerate(pairs), key=lambda p: (round(p[1][0].q3 - p[1][0].q1, 1), -p[0]))
    return ngettext(
        "In %(round)s, %(num)d trainee handed in; the middle half lies furthest apart for "
        "%(competency)s (%(q1)s to %(q3)s).",
        "In %(round)s, %(num)d trainees handed in; the middle half lies furthest apart for "
        "%(competency)s (%(q1)s to %(q3)s).",
        chosen.handed_in,
        round=chosen.title,
        competency=widest[1],
        q1=number(widest[0].q1),
        q3=number(widest[0].q3),
    )


def means_summary(lines: Lines) -> str:
    """The competency whose cohort mean changed the most, first to last round with work."""
    best = lines.largest_change()
    if best is None:
        return gettext("The cohort's means over time show once two rounds are handed in.")
    change, competency, rounds = best.by, best.label, best.rounds
    first, last = best.first, best.last
    if round(change, 1) > 0:
        return ngettext(
            "The cohort's mean for %(competency)s rose the most: from %(first)s to %(last)s "
            "over %(num)d round.",
            "The cohort's mean for %(competency)s rose the most: from %(first)s to %(last)s "
            "over %(num)d rounds.",
            rounds,
            competency=competency,
            first=number(first),
            last=number(last),
        )
    if round(change, 1) < 0:
        return ngettext(
            "The cohort's mean for %(competency)s changed the most: it fell from %(first)s to "
            "%(last)s over %(num)d round.",
            "The cohort's mean for %(competency)s changed the most: it fell from %(first)s to "
            "%(last)s over %(num)d rounds.",
            rounds,
            competency=competency,
            first=number(first),
            last=number(last),
        )
    return ngettext(
        "The cohort's means stayed the same over %(num)d round.",
        "The cohort's means stayed the same over %(num)d rounds.",
        rounds,
    )


def cohort_charts(data: CohortDashboard, framework: Framework, language: str) -> CohortCharts:
    """The spread and the means of the rounds that have opened and have hand-ins."""
    scale = scale_of(framework)
    competencies = data.framework.competencies
    names = tuple(localized(c.name, language) for c in competencies)
    with_work = tuple(r for r in data.opened if r.handed_in)
    if not with_work:
        return CohortCharts(None, None, ())
    boxes = Boxes(
        gettext("Spread per competency"),
        names,
        tuple(
            BoxSeries(
                r.title,
                tuple(
                    BoxStats.from_histogram(
                        data.histograms.get((r.id, c.id), {}), data.means.get((r.id, c.id))
                    )
                    for c in competencies
                ),
            )
            for r in with_work
        ),
        scale,
    )
    spread = Chart(
        "chart-spread",
        boxes.title,
        spread_summary(boxes, data.round),
        figures.box_figure(boxes, language),
        tables.boxes_table(boxes, spread_header()),
        gettext("Competency"),
        (
            gettext(
                "Each box: the middle half of the trainees' mean self-ratings, the line in it "
                "the median, the dashed line the mean; the whiskers reach the lowest and the "
                "highest. Per competency the rounds stand from top to bottom, oldest first, "
                "each later one filled darker. Only handed-in self-assessments count."
            ),
        ),
    )
    lines = Lines(
        gettext("The cohort's means over the rounds"),
        tuple(r.title for r in with_work),
        tuple(
            LineSeries(name, tuple(data.means.get((r.id, c.id)) for r in with_work))
            for c, name in zip(competencies, names, strict=True)
        ),
        scale,
    )
    means = Chart(
        "chart-means",
        lines.title,
        means_summary(lines),
        figures.lines_figure(lines, language),
        tables.lines_table(lines),
        gettext("Competency"),
        (gettext("The mean of the trainees' mean self-ratings: each trainee counts once."),),
    )
    return CohortCharts(spread, means, with_work)
