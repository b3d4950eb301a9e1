"""Chart series → figure dicts and tables, without a browser or a database."""

from __future__ import annotations

import itertools

import pytest

from portfolio.charts import figures, tables
from portfolio.charts.palette import COLOURS, DASHES, MARKERS, delta_e, rgb, simulate
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

SCALE = Scale(1, 4, ("1", "2", "3", "4"))
AXES = ("A", "B", "C")


def radar() -> Radar:
    return Radar(
        "Five",
        "Round 2",
        AXES,
        (
            RadarSeries("self", "Self", (2.14, 3.0, None)),
            RadarSeries("fellow", "Fellows", (None, None, None), "hidden: 1 more needed"),
            RadarSeries("others", "Others", (3.25, 2.0, 1.0)),
        ),
        SCALE,
    )


def lines() -> Lines:
    return Lines(
        "Growth",
        ("R1", "R2", "R3"),
        (LineSeries("A", (2.06, None, 3.0)), LineSeries("B", (1.0, 2.0, 2.5))),
        SCALE,
    )


def heatmap() -> Heatmap:
    return Heatmap(
        "Heat",
        ("R1", "R2"),
        (
            HeatmapRow("1.1", "A", (HeatmapCell(level=2), HeatmapCell(state=CANNOT_JUDGE))),
            HeatmapRow("1.2", "A", (HeatmapCell(), HeatmapCell(level=4)), "text"),
        ),
        SCALE,
        "Cannot judge",
    )


def test_radar_draws_shown_series_as_closed_polygons_and_leaves_hidden_ones_out():
    figure = figures.radar_figure(radar(), "nl")
    assert [t["name"] for t in figure["data"]] == ["Self", "Others"]
    own = figure["data"][0]
    assert own["type"] == "scatterpolar"
    assert own["r"] == [2.1, 3.0, None, 2.1]  # closed, one decimal, a gap stays a gap
    assert own["theta"] == ["A", "B", "C", "A"]
    assert figure["config"]["locale"] == "nl"
    assert figure["config"]["displayModeBar"] is False


def test_labels_wrap_at_spaces_and_keep_their_own_markup_as_text():
    assert figures.label("Na module 1 · After module 1") == "Na module 1 ·<br>After module 1"
    assert figures.label("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert figures.label("Samenwerkingsgericht handelen") == "Samenwerkings-<br>gericht<br>handelen"
    assert figures.label("Collaboration-oriented acting") == "Collaboration-<br>oriented<br>acting"


def test_every_series_differs_by_marker_and_dash_not_colour_alone():
    figure = figures.radar_figure(radar(), "en")
    traces = figure["data"] + figures.lines_figure(lines(), "en")["data"]
    for group in (figure["data"], figures.lines_figure(lines(), "en")["data"]):
        symbols = [t["marker"]["symbol"] for t in group]
        dashes = [t["line"]["dash"] for t in group]
        assert len(set(symbols)) == len(group) and len(set(dashes)) == len(group)
    assert all(t["mode"] == "lines+markers" for t in traces)
    assert len(set(MARKERS)) == len(MARKERS) == len(DASHES) == len(COLOURS)


@pytest.mark.parametrize("kind", ["protanopia", "deuteranopia", "tritanopia"])
def test_palette_colours_stay_apart_for_colour_blind_readers(kind):
    """Machado et al. (2009) simulation, CIE76 distance: every pair at least 15 apart
    (about 2.3 is just noticeable; 15 is clearly different at a glance)."""
    for a, b in itertools.combinations(COLOURS, 2):
        distance = delta_e(simulate(a, kind), simulate(b, kind))
        assert distance >= 15, f"{a} and {b} are {distance:.1f} apart with {kind}"


def test_simulation_makes_red_and_green_alike_for_deuteranopia():
    """The check can fail: pure red and a green of similar lightness do collapse."""
    red, green = "#C0392B", "#7A8B00"
    assert delta_e(rgb(red), rgb(green)) > 40
    assert delta_e(simulate(red, "deuteranopia"), simulate(green, "deuteranopia")) < 15


def test_lines_have_rounds_on_a_category_axis_and_gaps_for_unrated_rounds():
    figure = figures.lines_figure(lines(), "en")
    assert figure["layout"]["xaxis"]["type"] == "category"
    assert figure["data"][0]["x"] == ["R1", "R2", "R3"]
    assert figure["data"][0]["y"] == [2.1, None, 3.0]
    assert figure["data"][0]["connectgaps"] is False


MARKS = (
    ModuleMark("M1", "Dialogical spaces", "12–13 Mar 2026", 0.4, 0.45),
    ModuleMark("M2", "Tools <and> tricks", "2–3 Apr 2026", 1.5, 1.52),
    # Both after the last round: too close to tell apart, so they share a band.
    ModuleMark("M3", "Facilitating", "1–2 Jun 2026", 2.4, 2.4),
    ModuleMark("M4", "The tutor's role", "1–2 Sep 2026", 2.4, 2.4),
)


def test_lines_without_modules_have_no_marks():
    layout = figures.lines_figure(lines(), "en")["layout"]
    assert "shapes" not in layout and "annotations" not in layout


def test_modules_are_shaded_bands_with_a_dotted_edge_and_a_label_with_hover():
    plain = figures.lines_figure(lines(), "en")
    marked = Lines(*(getattr(lines(), f) for f in ("title", "rounds", "series", "scale")), MARKS)
    figure = figures.lines_figure(marked, "en")
    layout = figure["layout"]
    assert figure["data"] == plain["data"]  # the lines themselves are the same
    bands = layout["shapes"]
    assert [b["type"] for b in bands] == ["rect"] * 3
    assert all(b["yref"] == "paper" and b["layer"] == "below" for b in bands)
    assert all(b["line"]["dash"] == "dot" for b in bands)  # not colour alone
    first = bands[0]
    # A two-day module is narrow: its band keeps a minimum width around its days.
    assert first["x1"] - first["x0"] == pytest.approx(figures.MODULE_MIN_WIDTH)
    assert (first["x0"] + first["x1"]) / 2 == pytest.approx(0.425)
    labels = layout["annotations"]
    assert [a["text"] for a in labels] == ["M1", "M2", "M3, M4"]
    assert labels[0]["hovertext"] == "M1 Dialogical spaces (12–13 Mar 2026)"
    assert "&lt;and&gt;" in labels[1]["hovertext"]  # plotly's markup escaped
    assert labels[2]["hovertext"].count("<br>") >= 1 and "M4" in labels[2]["hovertext"]
    assert all(a["yref"] == "paper" and a["y"] == 1 and not a["showarrow"] for a in labels)
    # Room for the labels above the plot, also on a phone; the axis reaches the last band.
    assert layout["margin"]["t"] >= figures.MODULE_LABEL_ROOM
    assert figure["narrow"]["margin"]["t"] > plain["narrow"]["margin"]["t"]
    assert layout["xaxis"]["type"] == "category"
    low, high = layout["xaxis"]["range"]
    assert low == -0.5 and high >= bands[-1]["x1"]


def test_with_module_marks_leaves_the_figure_it_is_given_alone():
    figure = figures.lines_figure(lines(), "en")
    before = repr(figure)
    marked = figures.with_module_marks(figure, MARKS[:1])
    assert repr(figure) == before
    assert marked is not figure and len(marked["layout"]["shapes"]) == 1
    assert figures.with_module_marks(figure, ()) is figure


def test_heatmap_shows_cannot_judge_as_its_own_state_not_zero():
    figure = figures.heatmap_figure(heatmap(), "en")
    levels, unsure = figure["data"]
    assert levels["z"] == [[2, None], [None, 4]]
    assert unsure["z"] == [[None, 1], [None, None]]
    assert unsure["text"] == [["", "?"], ["", ""]]
    assert unsure["name"] == "Cannot judge"
    assert levels["zmin"] == 1  # no level 0 anywhere
    assert figure["layout"]["shapes"] == []  # one competency: no line between groups
    two = Heatmap(
        "H",
        ("R1",),
        (
            HeatmapRow("1.1", "A", (HeatmapCell(level=1),)),
            HeatmapRow("2.1", "B", (HeatmapCell(level=2),)),
        ),
        SCALE,
        "?",
    )
    assert [line["y0"] for line in figures.heatmap_figure(two, "en")["layout"]["shapes"]] == [0.5]


def _figure_numbers(figure):
    """Every number a figure draws, per trace (the closing point of a radar left out)."""
    out = []
    for trace in figure["data"]:
        if trace["type"] == "scatterpolar":
            out.append(trace["r"][:-1])
        elif trace["type"] == "scatter":
            out.append(trace["y"])
        else:
            out.append([v for row in trace["z"] for v in row])
    return out


def test_each_table_carries_the_same_numbers_as_its_figure():
    r = radar()
    table = tables.radar_table(r)
    columns = [list(col) for col in zip(*(values for _label, values in table.rows), strict=True)]
    assert columns == _figure_numbers(figures.radar_figure(r, "en"))
    assert table.header == ("Self", "Others")

    ln = lines()
    table = tables.lines_table(ln)
    assert [list(values) for _label, values in table.rows] == _figure_numbers(
        figures.lines_figure(ln, "en")
    )
    assert table.header == ln.rounds

    hm = heatmap()
    table = tables.heatmap_table(hm, "?")
    levels, unsure = _figure_numbers(figures.heatmap_figure(hm, "en"))
    cells = [v for _label, values in table.rows for v in values]
    assert [v if isinstance(v, int) else None for v in cells] == levels
    assert [1 if v == "?" else None for v in cells] == unsure
    assert table.rows[1][0] == "1.2 text"
