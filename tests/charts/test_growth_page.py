"""The "My growth" page: what it draws, for whom, and only what the anonymity rule shows."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from portfolio.assessment.models import AssessmentStatus, Rating, Round, SelfAssessment
from portfolio.competencies.models import Competency
from portfolio.extensions import db
from tests.factories import login
from tests.feedback.helpers import answer, ask, first_indicators
from tests.security.test_route_sweep import build_world

pytestmark = pytest.mark.usefixtures("framework_db")

BLOCK = re.compile(r'<script type="application/json" data-chart="([^"]+)">(.*?)</script>', re.S)
TABLE = re.compile(r'<table data-chart-table="([^"]+)">(.*?)</table>', re.S)


def figures_of(html: str) -> dict[str, dict]:
    return {key: json.loads(body) for key, body in BLOCK.findall(html)}


def tables_of(html: str) -> dict[str, list[list[str]]]:
    out = {}
    for key, body in TABLE.findall(html):
        body = body.split("<tbody>", 1)[1]
        out[key] = [
            [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
        ]
    return out


def shown(value) -> str:
    """A figure's number as the English table writes it."""
    if value is None:
        return "–"
    return str(value) if isinstance(value, int) else f"{value:.1f}"


@pytest.fixture
def world(db):
    world = build_world()
    trainee, open_round = world.users["trainee"], world.extra["round_open"]
    # A round of its own: the world's open round already has feedback of the route sweep.
    round_ = Round(
        cohort_id=open_round.cohort_id,
        title="Round Charts",
        opens_on=open_round.opens_on,
        closes_on=open_round.closes_on,
        framework_version_id=open_round.framework_version_id,
    )
    own = SelfAssessment(round=round_, trainee=trainee, status=AssessmentStatus.DRAFT)
    db.session.add(own)
    first, second = first_indicators("innovation")
    db.session.flush()
    db.session.add(Rating(self_assessment_id=own.id, indicator_id=first.id, level=1))
    db.session.add(Rating(self_assessment_id=own.id, indicator_id=second.id, not_judgeable=True))
    db.session.commit()
    world.extra["own"] = own
    world.extra["round_charts"] = round_
    return world


def _innovation_position() -> int:
    keys = list(
        db.session.scalars(
            select(Competency.key)
            .where(Competency.retired_at.is_(None))
            .order_by(Competency.number)
        )
    )
    return keys.index("innovation")


def test_the_trainee_sees_all_charts_with_tables_carrying_the_same_numbers(client, world):
    trainee, round_ = world.users["trainee"], world.extra["round_charts"]
    colleague, _t = ask(trainee, round_, name="Ida Identified", group="rater.colleague")
    answer(colleague, level=3)
    login(client, trainee)
    html = client.get(f"/trainees/{trainee.id}/growth?round={round_.id}").get_data(as_text=True)
    figures, tables = figures_of(html), tables_of(html)
    assert set(figures) == {"chart-radar", "chart-lines", "chart-heatmap"} == set(tables)

    radar = figures["chart-radar"]["data"]
    assert [t["name"] for t in radar] == ["Self-rating", "Other raters"]
    for column, trace in enumerate(radar):
        assert [row[column] for row in tables["chart-radar"]] == [shown(v) for v in trace["r"][:-1]]
    lines = figures["chart-lines"]["data"]
    assert [row for row in tables["chart-lines"]] == [[shown(v) for v in t["y"]] for t in lines]
    levels, unsure = figures["chart-heatmap"]["data"]
    cells = [c for row in tables["chart-heatmap"] for c in row]
    flat_levels = [v for row in levels["z"] for v in row]
    flat_unsure = [v for row in unsure["z"] for v in row]
    for cell, level, mark in zip(cells, flat_levels, flat_unsure, strict=True):
        assert cell == ("?" if mark else shown(level))
    assert "?" in cells and "1" in cells  # "cannot judge" is its own state, not a zero

    # Self 1 where others say 3: a gap of at least a third of the scale range.
    assert "blind spot" in html
    assert "Trainer: no answers in this round." in html
    assert "Fellow trainees: no answers in this round." in html
    assert 'src="/static/vendor/plotly-charts.min' in html
    assert "cdn" not in html.lower()


def test_hidden_anonymous_answers_are_neither_drawn_nor_counted_in_a_mean(client, world):
    trainee, round_ = world.users["trainee"], world.extra["round_charts"]
    identified, _t = ask(trainee, round_, name="Ida Identified", group="rater.colleague")
    answer(identified, level=3)
    for n in range(2):  # below k = 3 and nothing to fold with: hidden
        request, _t = ask(
            trainee, round_, name=f"Quiet {n}", anonymous=True, group="rater.observer"
        )
        answer(request, level=1)
    login(client, trainee)
    html = client.get(f"/trainees/{trainee.id}/growth?round={round_.id}").get_data(as_text=True)
    others = next(t for t in figures_of(html)["chart-radar"]["data"] if t["name"] == "Other raters")
    assert others["r"][_innovation_position()] == 3.0  # the two level-1 answers stay out


def test_a_group_below_the_threshold_is_hidden_and_says_why(client, world):
    trainee, round_ = world.users["trainee"], world.extra["round_charts"]
    for n in range(2):
        request, _t = ask(
            trainee, round_, name=f"Quiet {n}", anonymous=True, group="rater.observer"
        )
        answer(request, level=1)
    login(client, trainee)
    html = client.get(f"/trainees/{trainee.id}/growth?round={round_.id}").get_data(as_text=True)
    assert [t["name"] for t in figures_of(html)["chart-radar"]["data"]] == ["Self-rating"]
    assert "Other raters: hidden by the anonymity rule: 1 more anonymous answer is needed." in html


def test_a_trainer_sees_handed_in_work_only_and_the_feedback_under_the_rule(client, world):
    trainee, round_ = world.users["trainee"], world.extra["round_charts"]
    colleague, _t = ask(trainee, round_, name="Ida Identified", group="rater.colleague")
    answer(colleague, level=3)
    login(client, world.users["trainer"])
    html = client.get(f"/trainees/{trainee.id}/growth?round={round_.id}").get_data(as_text=True)
    names = [t["name"] for t in figures_of(html)["chart-radar"]["data"]]
    assert names == ["Other raters"]  # the trainee's draft is not the trainer's to see
    assert "Continue the self-assessment" not in html


def test_governance_does_not_see_individual_feedback(client, world):
    login(client, world.users["governance"])
    assert client.get(f"/trainees/{world.users['trainee'].id}/growth").status_code == 404


def test_summaries_use_the_locale_and_a_bad_round_falls_back(client, world):
    trainee = world.users["trainee"]
    trainee.language = "nl"
    db.session.commit()
    login(client, trainee)
    response = client.get(f"/trainees/{trainee.id}/growth?round=not-a-number")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "1,0" in html and "1.0" not in re.sub(BLOCK, "", html)


def test_a_trainee_without_rounds_gets_a_next_step_and_no_plotly(client, db):
    world = build_world()
    login(client, world.users["other_trainee"])
    html = client.get(f"/trainees/{world.users['other_trainee'].id}/growth").get_data(as_text=True)
    assert "plotly" not in html
    assert "once the trainer has planned rounds" in html


def test_the_growth_lines_show_the_training_modules_as_context(client, world):
    from datetime import timedelta

    from portfolio.cohorts import services

    trainee, round_ = world.users["trainee"], world.extra["round_charts"]
    cohort = round_.cohort
    for title, offset in (("Dialogical spaces", -40), ("The tutor's role", 60)):
        day = round_.opens_on + timedelta(days=offset)
        services.add_module(
            world.users["trainer"], cohort, title=title, first_day=day, last_day=day + timedelta(1)
        )
    db.session.commit()
    login(client, trainee)
    html = client.get(f"/trainees/{trainee.id}/growth").get_data(as_text=True)
    layout = figures_of(html)["chart-lines"]["layout"]
    # The world's "Module Alpha" and "The tutor's role" both lie after the last round:
    # they share a band at the end.
    assert [a["text"] for a in layout["annotations"]] == ["M1", "M2, M3"]
    assert "Dialogical spaces" in layout["annotations"][0]["hovertext"]
    assert "Module Alpha" in layout["annotations"][1]["hovertext"]
    assert len(layout["shapes"]) == 2
    assert "Training modules: M1 Dialogical spaces (" in html
    assert "; M2 Module Alpha (" in html and "; M3 The tutor&#39;s role (" in html
    # The summary stays one sentence about the ratings.
    summary = re.search(r'id="chart-lines-summary"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "module" not in summary.lower()
