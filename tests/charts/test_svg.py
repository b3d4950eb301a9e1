"""Series → static SVG (matplotlib): the same series, palette and numbers as the Plotly figures."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from portfolio.charts import figures, svg
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

NS = "{http://www.w3.org/2000/svg}"
SCALE = Scale(1, 4, ("1", "2", "3", "4"))
NASTY = "<script>alert(1)</script> & $x$"


def radar(axis: str = "Collaboration-oriented acting") -> Radar:
    return Radar(
        "The five competencies",
        "Round 2",
        ("Innovation", axis, "Knowledge creation"),
        (
            RadarSeries("self", "Self-rating", (2.14, 3.0, None)),
            RadarSeries("fellow", "Fellow trainees", (None, None, None), "hidden: 1 more needed"),
            RadarSeries("others", "Other raters", (3.25, 2.0, 1.0)),
        ),
        SCALE,
    )


def lines(round_title: str = "After module 1") -> Lines:
    return Lines(
        "Growth per competency",
        ("Baseline", round_title, "After module 2"),
        (
            LineSeries("Innovation", (2.06, None, 3.0)),
            LineSeries("Knowledge creation", (1.0, 2.0, 2.5)),
        ),
        SCALE,
    )


def heatmap(competency: str = "Innovation") -> Heatmap:
    return Heatmap(
        "Self-rating per indicator",
        ("Baseline", "After module 1"),
        (
            HeatmapRow("1.1", competency, (HeatmapCell(level=2), HeatmapCell(state=CANNOT_JUDGE))),
            HeatmapRow("1.2", competency, (HeatmapCell(), HeatmapCell(level=4))),
            HeatmapRow("2.1", "Knowledge creation", (HeatmapCell(level=1), HeatmapCell(level=3))),
        ),
        SCALE,
        "Cannot judge (yet)",
    )


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {e.get("id"): e for e in root.iter() if e.get("id")}


def texts(element: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in element.iter(f"{NS}text")]


def words(root: ET.Element) -> str:
    return " ".join(texts(root))


def markers(group: ET.Element) -> int:
    """The marker symbols a line's group draws (one ``<use>`` per point)."""
    return len(list(group.iter(f"{NS}use")))


def test_each_chart_is_an_svg_element_with_a_viewbox_title_and_description():
    drawn = [
        svg.radar_svg(radar(), "Highest for Innovation."),
        svg.lines_svg(lines(), "Innovation rose the most."),
        svg.heatmap_svg(heatmap(), "5 of 6 ratings have a level."),
    ]
    for text, title, summary in zip(
        drawn,
        ("The five competencies", "Growth per competency", "Self-rating per indicator"),
        ("Highest for Innovation.", "Innovation rose the most.", "5 of 6 ratings have a level."),
        strict=True,
    ):
        assert text.startswith("<svg ")  # no XML prolog: it sits inline in HTML as it is
        root = parse(text)
        assert root.tag == f"{NS}svg"
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.get("viewBox", ""))
        assert root.get("width") == "100%"
        assert root.get("height") is None
        assert root.get("role") == "img"
        assert root[0].tag == f"{NS}title" and root[0].text == title
        assert root[1].tag == f"{NS}desc" and root[1].text == summary
        ids = by_id(root)
        assert set(root.get("aria-labelledby", "").split()) <= set(ids)
        assert "metadata" not in text and "dc:date" not in text
        # Text stays text, in DejaVu Sans.
        assert texts(root) and "DejaVu Sans" in text


def test_radar_draws_the_shown_series_with_the_figures_markers_and_leaves_hidden_ones_out():
    figure = figures.radar_figure(radar(), "en")
    root = parse(svg.radar_svg(radar()))
    ids = by_id(root)
    series = sorted(i for i in ids if i.startswith("chart-radar-series-"))
    assert series == ["chart-radar-series-others", "chart-radar-series-self"]
    assert "Fellow trainees" not in words(root)
    for trace, key in zip(figure["data"], ("self", "others"), strict=True):
        group = ids[f"chart-radar-series-{key}"]
        # One marker per value the figure draws (the polygon closes on its first point).
        assert markers(group) == sum(1 for r in trace["r"] if r is not None)
    legend = texts(ids["chart-radar-legend"])
    assert legend == [t["name"] for t in figure["data"]]
    for axis in ("Innovation", "Knowledge creation"):
        assert axis in words(root)


def test_lines_draw_every_competency_with_a_gap_where_a_round_is_not_rated():
    figure = figures.lines_figure(lines(), "en")
    root = parse(svg.lines_svg(lines()))
    ids = by_id(root)
    assert sorted(i for i in ids if i.startswith("chart-lines-series-")) == [
        "chart-lines-series-0",
        "chart-lines-series-1",
    ]
    for index, trace in enumerate(figure["data"]):
        assert markers(ids[f"chart-lines-series-{index}"]) == sum(
            1 for y in trace["y"] if y is not None
        )
    assert texts(ids["chart-lines-legend"]) == ["Innovation", "Knowledge creation"]
    for round_title in ("Baseline", "After module 2"):
        assert round_title in words(root)


def test_lines_show_the_training_modules_as_bands_with_their_labels():
    from dataclasses import replace

    marks = (
        ModuleMark("M1", "Dialogical spaces", "6–7 Oct 2026", 0.4, 0.45),
        ModuleMark("M2", "The tools", "3–4 Nov 2026", 2.4, 2.42),
        ModuleMark("M3", "Facilitating", "5–6 Nov 2026", 2.44, 2.46),
    )
    root = parse(svg.lines_svg(replace(lines(), modules=marks)))
    ids = by_id(root)
    assert {"chart-lines-module-0", "chart-lines-module-1"} <= set(ids)
    assert texts(ids["chart-lines-module-label-0"]) == ["M1"]
    assert texts(ids["chart-lines-module-label-1"]) == ["M2, M3"]  # too close: one band
    assert "chart-lines-module-2" not in ids
    assert not any(i.startswith("chart-lines-module") for i in by_id(parse(svg.lines_svg(lines()))))


def test_series_keep_the_palettes_colour_marker_and_dash_in_order():
    text = svg.lines_svg(lines())
    ids = by_id(parse(text))
    first, second = (
        ET.tostring(ids[f"chart-lines-series-{i}"], encoding="unicode") for i in (0, 1)
    )
    assert "#0072b2" in first.lower() and "stroke-dasharray" not in first
    assert "#e69f00" in second.lower() and "stroke-dasharray" in second


def test_heatmap_cells_carry_the_figures_texts_and_cannot_judge_is_its_own_state():
    data = heatmap()
    figure = figures.heatmap_figure(data, "en")
    levels, unsure = figure["data"][0]["text"], figure["data"][1]["text"]
    ids = by_id(parse(svg.heatmap_svg(data)))
    for r, row in enumerate(data.rows):
        for c, cell in enumerate(row.cells):
            expected = levels[r][c] or unsure[r][c]
            drawn = ids.get(f"chart-heatmap-text-{r}-{c}")
            assert (texts(drawn)[0] if drawn is not None else "") == expected
            state = "cannot-judge" if cell.cannot_judge else "level" if cell.level else "empty"
            assert f"chart-heatmap-{state}-{r}-{c}" in ids
    assert texts(ids["chart-heatmap-text-0-1"]) == ["?"]
    assert "chart-heatmap-level-0-1" not in ids  # "cannot judge" is not a level, not zero
    # Grey and hatched: the cell is filled with a pattern of white lines on the grey.
    cannot_judge = ET.tostring(ids["chart-heatmap-cannot-judge-0-1"], encoding="unicode")
    pattern = re.search(r"fill: url\(#([^)]+)\)", cannot_judge)
    assert pattern is not None
    assert "#bdbdbd" in ET.tostring(ids[pattern.group(1)], encoding="unicode").lower()
    # A line between the competencies, and each competency's name beside its rows.
    assert "chart-heatmap-rule-2" in ids and "chart-heatmap-rule-1" not in ids
    assert texts(ids["chart-heatmap-group-0"]) == ["Innovation"]
    assert texts(ids["chart-heatmap-group-2"]) == ["Knowledge creation"]


def test_level_shades_run_from_light_to_dark():
    assert svg.level_colour(1, 1, 4) == "#DCEAF5"
    assert svg.level_colour(4, 1, 4) == "#08306B"


@pytest.mark.parametrize(
    "draw",
    [
        lambda t: svg.radar_svg(radar(t), t),
        lambda t: svg.lines_svg(lines(t), t),
        lambda t: svg.heatmap_svg(heatmap(t), t),
    ],
    ids=["radar", "lines", "heatmap"],
)
def test_typed_titles_are_escaped_and_never_read_as_markup_or_mathematics(draw):
    text = draw(NASTY + "\x00\x1b")
    assert "<script" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $x$" in text
    root = parse(text)  # the control characters are dropped
    assert root[1].text == NASTY
    assert not list(root.iter(f"{NS}script"))
    assert "script" in words(root) and "$x$" in words(root)


def test_the_same_series_give_byte_identical_svg_and_ids_never_clash_on_one_page():
    assert svg.radar_svg(radar(), "s") == svg.radar_svg(radar(), "s")
    assert svg.lines_svg(lines()) == svg.lines_svg(lines())
    assert svg.heatmap_svg(heatmap()) == svg.heatmap_svg(heatmap())
    page = [svg.radar_svg(radar()), svg.lines_svg(lines()), svg.heatmap_svg(heatmap())]
    page.append(svg.radar_svg(radar(), chart_id="round-1-radar"))
    seen: list[str] = []
    for text, prefix in zip(
        page, ("chart-radar", "chart-lines", "chart-heatmap", "round-1-radar"), strict=True
    ):
        ids = [e.get("id") for e in parse(text).iter() if e.get("id")]
        assert all(i == prefix or i.startswith(prefix + "-") for i in ids)
        references = re.findall(r'(?:href="#|url\(#)([^")]+)', text)
        assert references and set(references) <= set(ids)
        seen += ids
    assert len(seen) == len(set(seen))


def test_svg_of_picks_the_drawing_for_the_series():
    assert svg.svg_of(radar()) == svg.radar_svg(radar())
    assert svg.svg_of(lines(), "x", "g") == svg.lines_svg(lines(), "x", chart_id="g")
    assert svg.svg_of(heatmap()) == svg.heatmap_svg(heatmap())


def test_no_series_and_no_rows_still_draw():
    empty = Radar("R", "Round", ("A", "B", "C"), (RadarSeries("self", "S", (None,) * 3),), SCALE)
    parse(svg.radar_svg(empty))
    parse(svg.lines_svg(Lines("L", (), (), SCALE)))
    parse(svg.heatmap_svg(Heatmap("H", ("R1",), (), SCALE, "?")))


def test_drawings_in_several_threads_at_once_are_the_same_as_one_by_one():
    from concurrent.futures import ThreadPoolExecutor

    alone = [svg.radar_svg(radar()), svg.lines_svg(lines()), svg.heatmap_svg(heatmap())]
    jobs = [radar, lines, heatmap] * 2
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(lambda make: svg.svg_of(make()), jobs))
    assert together == alone * 2
