"""`flask charts svg`: a trainee's growth charts as static SVG, from the page's own series."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from flask_babel import force_locale

from portfolio.assessment.models import AssessmentStatus, Rating, Round, SelfAssessment
from portfolio.charts.svg import svg_of
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.main.growth import growth_data
from portfolio.main.growth_charts import growth_charts
from tests.feedback.helpers import first_indicators
from tests.security.test_route_sweep import build_world

pytestmark = pytest.mark.usefixtures("framework_db")

NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def world(db):
    world = build_world()
    trainee, open_round = world.users["trainee"], world.extra["round_open"]
    round_ = Round(
        cohort_id=open_round.cohort_id,
        title="Round <Charts> & co",
        opens_on=open_round.opens_on,
        closes_on=open_round.closes_on,
        framework_version_id=open_round.framework_version_id,
    )
    own = SelfAssessment(round=round_, trainee=trainee, status=AssessmentStatus.SUBMITTED)
    db.session.add(own)
    first, second = first_indicators("innovation")
    db.session.flush()
    db.session.add(Rating(self_assessment_id=own.id, indicator_id=first.id, level=1))
    db.session.add(Rating(self_assessment_id=own.id, indicator_id=second.id, not_judgeable=True))
    db.session.commit()
    return world


def test_writes_the_three_charts_of_the_growth_page_in_the_language_asked(runner, world, tmp_path):
    trainee = world.users["trainee"]
    out = tmp_path / "charts"
    result = runner.invoke(
        args=["charts", "svg", "--trainee", trainee.email, "--out", str(out), "--language", "nl"]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["heatmap.svg", "lines.svg", "radar.svg"]
    assert result.output.splitlines() == [
        str(out / f"{n}.svg") for n in ("radar", "lines", "heatmap")
    ]

    # The very series (and summaries) the page is made of, in Dutch.
    framework = current_framework()
    data = growth_data(trainee.id, today(), framework, None)
    with force_locale("nl"):
        charts = growth_charts(data, framework, None, "nl")
    for name, chart in (
        ("radar", charts.radar),
        ("lines", charts.lines),
        ("heatmap", charts.heatmap),
    ):
        assert chart is not None and chart.series is not None
        written = (out / f"{name}.svg").read_text(encoding="utf-8")
        assert written == svg_of(chart.series, chart.summary, chart.id)
        root = ET.fromstring(written)
        assert root[0].text == chart.title and root[1].text == chart.summary
    heatmap = ET.fromstring((out / "heatmap.svg").read_text(encoding="utf-8"))
    assert heatmap[0].text == "Zelfbeoordeling per indicator"
    marks = ["".join(t.itertext()) for t in heatmap.iter(f"{NS}text")]
    assert "?" in marks and "1" in marks
    assert "Round <Charts> & co" in " ".join(marks)
    assert "<Charts>" not in (out / "heatmap.svg").read_text(encoding="utf-8")


def test_an_unknown_address_a_trainee_without_rounds_or_a_strange_language_write_nothing(
    runner, world, tmp_path
):
    out = tmp_path / "none"
    unknown = runner.invoke(args=["charts", "svg", "--trainee", "no@example.org", "--out", out])
    assert unknown.exit_code == 1 and "There is no account" in unknown.output
    empty = world.users["other_trainee"].email
    nothing = runner.invoke(args=["charts", "svg", "--trainee", empty, "--out", str(out)])
    assert nothing.exit_code == 1 and "nothing to draw" in nothing.output
    trainee = world.users["trainee"].email
    strange = runner.invoke(
        args=["charts", "svg", "--trainee", trainee, "--out", str(out), "--language", "xx"]
    )
    assert strange.exit_code == 1 and "en, nl" in strange.output.replace("nl, en", "en, nl")
    assert not out.exists()
