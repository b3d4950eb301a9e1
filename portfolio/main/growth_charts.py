"""The "My growth" charts: series with labels in the reader's language, one-sentence
summaries generated from the numbers, and the figures and tables made from the same series.

The numbers come from :mod:`portfolio.main.growth`; nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext, ngettext

from portfolio.charts import figures, tables
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
from portfolio.charts.timeline import module_positions
from portfolio.competencies.texts import localized
from portfolio.dates import day_span_text
from portfolio.feedback.anonymity import OTHERS, Seen
from portfolio.framework import Framework
from portfolio.main.growth import (
    FELLOW,
    OTHER_RATERS,
    SELF,
    TRAINER,
    GrowthData,
    GrowthRound,
    shown_levels,
    weighted_mean,
)
from portfolio.templating import one_decimal


def number(value: float) -> str:
    """One decimal in the page's locale (2.5 / 2,5)."""
    return one_decimal(round(value, 1))


@dataclass(frozen=True)
class Chart:
    """One chart as the page shows it."""

    id: str
    title: str
    summary: str
    figure: dict[str, Any]
    table: tables.Table
    #: The first column's heading in the table.
    row_heading: str
    #: Notes under the chart (hidden series and why).
    notes: tuple[str, ...] = ()
    #: The series the figure and the table are made of (the SVG of an export draws it too).
    series: Radar | Lines | Heatmap | None = None
    #: A line under the data table (the training modules on the growth lines).
    table_note: str = ""


@dataclass(frozen=True)
class Gap:
    """An indicator where self and others differ by at least a third of the scale."""

    code: str
    text: str
    competency: str
    self_level: int
    others: float
    blind_spot: bool


@dataclass(frozen=True)
class Calibration:
    """Per round: the mean distance between self and others, over the indicators both rated."""

    round_title: str
    mean_gap: float | None
    indicators: int


@dataclass(frozen=True)
class OpenItem:
    """Something still to do, with the next step (a link for the trainee)."""

    round: GrowthRound
    answered: int
    total: int


@dataclass(frozen=True)
class GrowthCharts:
    """The page: the chosen round, the four charts' parts, and what is still open."""

    round: GrowthRound | None
    radar: Chart | None
    lines: Chart | None
    heatmap: Chart | None
    gaps: tuple[Gap, ...]
    gap_threshold: float
    gap_summary: str
    calibration: tuple[Calibration, ...]
    open_items: tuple[OpenItem, ...]


def scale_of(framework: Framework) -> Scale:
    """The rating scale's levels (1…4 in the profile)."""
    levels = framework.rating_scale.levels
    values = [level.value for level in levels]
    return Scale(min(values), max(values), tuple(str(v) for v in values))


def series_labels() -> dict[str, str]:
    """The radar series' names."""
    return {
        SELF: gettext("Self-rating"),
        FELLOW: gettext("Fellow trainees"),
        OTHER_RATERS: gettext("Other raters"),
        TRAINER: gettext("Trainer"),
    }


def _hidden_reason(seen: Seen | None, key: str) -> str:
    """Why a feedback series is not on the radar."""
    if seen is None:
        return gettext("no feedback in this round")
    groups = [FELLOW] if key == FELLOW else [TRAINER] if key == TRAINER else None
    for hidden in seen.hidden:
        if groups is None and hidden.key in (FELLOW, TRAINER):
            continue
        if groups is not None and hidden.key not in groups:
            continue
        return ngettext(
            "hidden by the anonymity rule: %(num)d more anonymous answer is needed",
            "hidden by the anonymity rule: %(num)d more anonymous answers are needed",
            hidden.needed,
        )
    folded = next((g for g in seen.groups if g.key == OTHERS), None)
    if groups is not None and folded is not None and set(groups) & set(folded.groups):
        return gettext("too few answers to show apart: counted with the other raters")
    return gettext("no answers in this round")


def choose_round(data: GrowthData, wanted: int | None) -> GrowthRound | None:
    """The round asked for, else the latest round with ratings, else the latest round."""
    by_id = {r.id: r for r in data.rounds}
    if wanted in by_id:
        return by_id[wanted]
    rated = {rid for rid, _c in data.self_means}
    with_feedback = {rid for rid, seen in data.seen.items() if seen.identified or seen.groups}
    for round_ in reversed(data.rounds):
        if round_.id in rated or round_.id in with_feedback:
            return round_
    return data.rounds[-1] if data.rounds else None


def _radar(
    data: GrowthData, round_: GrowthRound, names: list[str], scale: Scale, locale: str
) -> Chart:
    labels = series_labels()
    competencies = data.framework.competencies
    seen = data.seen.get(round_.id)
    shown = shown_levels(seen) if seen is not None else {}
    series = [
        RadarSeries(
            SELF,
            labels[SELF],
            tuple(data.self_means.get((round_.id, c.id)) for c in competencies),
            None
            if any((round_.id, c.id) in data.self_means for c in competencies)
            else gettext("no self-ratings handed in for this round"),
        )
    ]
    for key in (FELLOW, OTHER_RATERS, TRAINER):
        per_indicator = shown.get(key, {})
        values = tuple(
            weighted_mean(
                per_indicator[i.id]
                for i in data.framework.indicators.get(c.id, ())
                if i.id in per_indicator
            )
            for c in competencies
        )
        reason = None if any(v is not None for v in values) else _hidden_reason(seen, key)
        series.append(RadarSeries(key, labels[key], values, reason))
    radar = Radar(
        gettext("The five competencies"), round_.title, tuple(names), tuple(series), scale
    )
    drawn = [s for s in series if s.shown]
    own = series[0]
    if own.shown:
        pairs = [(v, n) for v, n in zip(own.values, names, strict=True) if v is not None]
        high, low = max(pairs), min(pairs)
        summary = gettext(
            "In %(round)s the self-rating is highest for %(high)s (%(high_value)s) and lowest "
            "for %(low)s (%(low_value)s); %(shown)s of %(series)s series are shown.",
            round=round_.title,
            high=high[1],
            high_value=number(high[0]),
            low=low[1],
            low_value=number(low[0]),
            shown=len(drawn),
            series=len(series),
        )
    else:
        summary = gettext(
            "In %(round)s there are no self-ratings yet; %(shown)s of %(series)s series are shown.",
            round=round_.title,
            shown=len(drawn),
            series=len(series),
        )
    notes = tuple(
        gettext("%(series)s: %(reason)s.", series=s.label, reason=s.hidden_reason)
        for s in series
        if s.hidden_reason
    )
    return Chart(
        "chart-radar",
        radar.title,
        summary,
        figures.radar_figure(radar, locale),
        tables.radar_table(radar),
        gettext("Competency"),
        notes,
        radar,
    )


def module_marks(data: GrowthData) -> tuple[ModuleMark, ...]:
    """The training modules placed between the rounds, numbered by date (M1, M2, …)."""
    places = module_positions(
        [(r.opens_on, r.closes_on) for r in data.rounds],
        [(m.first_day, m.last_day) for m in data.modules],
    )
    return tuple(
        ModuleMark(
            gettext("M%(number)s", number=number),
            module.title,
            day_span_text(module.first_day, module.last_day),
            x0,
            x1,
        )
        for number, (module, (x0, x1)) in enumerate(zip(data.modules, places, strict=True), 1)
    )


def _lines(data: GrowthData, names: list[str], scale: Scale, locale: str) -> Chart:
    competencies = data.framework.competencies
    rounds = data.rounds
    marks = module_marks(data)
    lines = Lines(
        gettext("Growth per competency"),
        tuple(r.title for r in rounds),
        tuple(
            LineSeries(name, tuple(data.self_means.get((r.id, c.id)) for r in rounds))
            for c, name in zip(competencies, names, strict=True)
        ),
        scale,
        marks,
    )
    best = lines.largest_change()
    if best is None:
        summary = gettext("Growth shows once self-ratings of two rounds are there.")
    elif round(best.by, 1) > 0:
        summary = ngettext(
            "The self-rating of %(competency)s rose the most: from %(first)s to %(last)s over "
            "%(num)d round.",
            "The self-rating of %(competency)s rose the most: from %(first)s to %(last)s over "
            "%(num)d rounds.",
            best.rounds,
            competency=best.label,
            first=number(best.first),
            last=number(best.last),
        )
    elif round(best.by, 1) < 0:
        summary = ngettext(
            "The self-rating of %(competency)s changed the most: it fell from %(first)s to "
            "%(last)s over %(num)d round.",
            "The self-rating of %(competency)s changed the most: it fell from %(first)s to "
            "%(last)s over %(num)d rounds.",
            best.rounds,
            competency=best.label,
            first=number(best.first),
            last=number(best.last),
        )
    else:
        summary = ngettext(
            "The self-ratings stayed the same over %(num)d round.",
            "The self-ratings stayed the same over %(num)d rounds.",
            best.rounds,
        )
    return Chart(
        "chart-lines",
        lines.title,
        summary,
        figures.lines_figure(lines, locale),
        tables.lines_table(lines),
        gettext("Competency"),
        series=lines,
        table_note=gettext(
            "Training modules: %(modules)s.", modules="; ".join(m.text for m in marks)
        )
        if marks
        else "",
    )


def _heatmap(
    data: GrowthData, scale: Scale, language: str, locale: str, unsure_label: str
) -> Chart:
    rows = []
    for competency in data.framework.competencies:
        name = localized(competency.name, language)
        current = [i for i in data.framework.indicators.get(competency.id, ()) if not i.is_retired]
        for position, indicator in enumerate(current, start=1):
            cells = []
            for round_ in data.rounds:
                rating = data.self_ratings.get((round_.id, indicator.id))
                if rating is None:
                    cells.append(HeatmapCell())
                elif rating.cannot_judge:
                    cells.append(HeatmapCell(state=CANNOT_JUDGE))
                else:
                    cells.append(HeatmapCell(level=rating.level))
            rows.append(
                HeatmapRow(
                    f"{competency.number}.{position}",
                    name,
                    tuple(cells),
                    localized(indicator.text, language),
                )
            )
    heatmap = Heatmap(
        gettext("Self-rating per indicator"),
        tuple(r.title for r in data.rounds),
        tuple(rows),
        scale,
        unsure_label,
    )
    cells = [c for row in rows for c in row.cells]
    rated = sum(1 for c in cells if c.level is not None)
    unsure = sum(1 for c in cells if c.cannot_judge)
    summary = gettext(
        "%(rated)s of %(cells)s indicator ratings over %(rounds)s rounds have a level; "
        "%(unsure)s say “%(label)s”.",
        label=unsure_label,
        rated=rated,
        cells=len(cells),
        rounds=len(data.rounds),
        unsure=unsure,
    )
    return Chart(
        "chart-heatmap",
        heatmap.title,
        summary,
        figures.heatmap_figure(heatmap, locale),
        tables.heatmap_table(heatmap, "?"),
        gettext("Indicator"),
        (gettext("? = “%(label)s”; an empty cell was not rated.", label=unsure_label),),
        heatmap,
    )


def _others_by_indicator(seen: Seen | None) -> dict[int, float]:
    if seen is None:
        return {}
    merged: dict[int, list[tuple[float, int]]] = {}
    for per in shown_levels(seen).values():
        for indicator_id, totals in per.items():
            merged.setdefault(indicator_id, []).append(totals)
    return {i: m for i, parts in merged.items() if (m := weighted_mean(parts)) is not None}


def _gaps(
    data: GrowthData, round_: GrowthRound, scale: Scale, language: str
) -> tuple[tuple[Gap, ...], float, tuple[Calibration, ...]]:
    threshold = scale.range / 3
    others = _others_by_indicator(data.seen.get(round_.id))
    gaps = []
    for competency in data.framework.competencies:
        name = localized(competency.name, language)
        current = [i for i in data.framework.indicators.get(competency.id, ()) if not i.is_retired]
        for position, indicator in enumerate(current, start=1):
            own = data.self_ratings.get((round_.id, indicator.id))
            seen_mean = others.get(indicator.id)
            if own is None or own.level is None or seen_mean is None:
                continue
            if abs(seen_mean - own.level) >= threshold - 1e-9:
                gaps.append(
                    Gap(
                        f"{competency.number}.{position}",
                        localized(indicator.text, language),
                        name,
                        own.level,
                        round(seen_mean, 1),
                        seen_mean > own.level,
                    )
                )
    calibration = []
    for r in data.rounds:
        seen_others = _others_by_indicator(data.seen.get(r.id))
        distances = [
            abs(seen_others[i] - rating.level)
            for (rid, i), rating in data.self_ratings.items()
            if rid == r.id and rating.level is not None and i in seen_others
        ]
        calibration.append(
            Calibration(
                r.title,
                round(sum(distances) / len(distances), 1) if distances else None,
                len(distances),
            )
        )
    return tuple(gaps), threshold, tuple(calibration)


def growth_charts(
    data: GrowthData, framework: Framework, wanted_round: int | None, language: str
) -> GrowthCharts:
    """The page's charts for the chosen round (see :func:`choose_round`)."""
    scale = scale_of(framework)
    locale = language
    names = [localized(c.name, language) for c in data.framework.competencies]
    round_ = choose_round(data, wanted_round)
    total = len(data.framework.current)
    answered: dict[int, int] = {}
    for rid, _i in data.self_ratings:
        answered[rid] = answered.get(rid, 0) + 1
    open_items = tuple(
        OpenItem(r, answered.get(r.id, 0), total)
        for r in data.rounds
        if (r.state == "open" and not r.handed_in) or r.open_requests
    )
    if round_ is None:
        return GrowthCharts(None, None, None, None, (), scale.range / 3, "", (), open_items)
    gaps, threshold, calibration = _gaps(data, round_, scale, language)
    blind = sum(1 for g in gaps if g.blind_spot)
    gap_summary = gettext(
        "In %(round)s: %(blind)s blind spots (others see more) and %(hidden)s hidden strengths "
        "(you see more), where self and others differ by at least %(threshold)s.",
        round=round_.title,
        blind=blind,
        hidden=len(gaps) - blind,
        threshold=number(threshold),
    )
    return GrowthCharts(
        round_,
        _radar(data, round_, names, scale, locale),
        _lines(data, names, scale, locale),
        _heatmap(
            data,
            scale,
            language,
            locale,
            localized(framework.rating_scale.not_judgeable.label, language),
        ),
        gaps,
        threshold,
        gap_summary,
        calibration,
        open_items,
    )
