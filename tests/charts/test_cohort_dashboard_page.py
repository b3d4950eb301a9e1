"""The trainers' cohort dashboard: what it counts, what it draws (and that each chart's
table carries the figure's numbers), the attention list, and who may open it."""

from __future__ import annotations

import inspect
import re
import statistics
from datetime import timedelta

import pytest
from sqlalchemy import select

from portfolio.assessment import handing_in
from portfolio.assessment.models import AssessmentStatus, Rating, Round, SelfAssessment
from portfolio.assessment.rounds import current_framework_version
from portfolio.charts.series import BoxStats
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.extensions import db
from portfolio.main import cohort_progress
from tests.charts.test_growth_page import BLOCK, figures_of, shown, tables_of
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_user,
)
from tests.feedback.helpers import answer, ask

pytestmark = pytest.mark.usefixtures("framework_db")


def new_round(cohort, title: str, opened_days_ago: int) -> Round:
    round_ = Round(
        cohort=cohort,
        title=title,
        opens_on=today() - timedelta(days=opened_days_ago),
        closes_on=today() - timedelta(days=opened_days_ago) + timedelta(days=14),
        framework_version=current_framework_version(current_framework()),
    )
    db.session.add(round_)
    db.session.flush()
    return round_


def rate(round_, trainee, status, level_of) -> SelfAssessment:
    """A self-assessment with every current indicator rated ``level_of(position)``."""
    assessment = SelfAssessment(round=round_, trainee=trainee, status=status)
    db.session.add(assessment)
    db.session.flush()
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.id)
    ).all()
    for position, indicator in enumerate(indicators):
        level = level_of(position)
        db.session.add(
            Rating(
                self_assessment_id=assessment.id,
                indicator_id=indicator.id,
                level=level,
                not_judgeable=level is None,
            )
        )
    if status != AssessmentStatus.DRAFT:
        db.session.flush()
        handing_in.record_scores(assessment.id)  # as the hand-in does
    return assessment


@pytest.fixture
def world(db):
    """A cohort with a trainer and five trainees over two rounds:

    - round 1 (closed): four hand in, with levels that vary per trainee and indicator (one
      "cannot judge" each), the fifth left a draft;
    - round 2 (open): two hand in, one is reopened, one is a draft, one has not started.
    """
    cohort = make_cohort(name="Cohort Spread")
    trainer = make_user("trainer@example.org", "Tess Trainer")
    add_trainer(cohort, trainer)
    trainees = [make_user(f"t{n}@example.org", f"Trainee {n}") for n in range(5)]
    for trainee in trainees:
        add_trainee(cohort, trainee)
    first = new_round(cohort, "Round One", 40)
    second = new_round(cohort, "Round Two", 3)
    for n, trainee in enumerate(trainees[:4]):
        rate(
            first,
            trainee,
            AssessmentStatus.SUBMITTED,
            lambda p, n=n: None if p == n else 1 + (p * (n + 1) + n) % 4,
        )
    rate(first, trainees[4], AssessmentStatus.DRAFT, lambda p: 4)
    rate(second, trainees[0], AssessmentStatus.SUBMITTED, lambda p: 2 + p % 3)
    rate(second, trainees[1], AssessmentStatus.SUBMITTED, lambda p: 3 + p % 2)
    rate(second, trainees[2], AssessmentStatus.REOPENED, lambda p: 1)
    rate(second, trainees[3], AssessmentStatus.DRAFT, lambda p: 1)
    db.session.commit()
    return {"cohort": cohort, "trainer": trainer, "trainees": trainees, "rounds": (first, second)}


def page(client, world, query: str = "") -> str:
    login(client, world["trainer"])
    response = client.get(f"/cohorts/{world['cohort'].id}/dashboard{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def raw_means() -> dict[tuple[int, int], list[float]]:
    """Per (round, competency) each handed-in trainee's exact mean, computed in Python."""
    per: dict[tuple[int, int, int], list[int]] = {}
    rows = db.session.execute(
        select(SelfAssessment.round_id, SelfAssessment.trainee_id, Indicator.competency_id)
        .add_columns(Rating.level)
        .join(Rating, Rating.self_assessment_id == SelfAssessment.id)
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .where(SelfAssessment.status == AssessmentStatus.SUBMITTED, Rating.level.is_not(None))
    ).all()
    for round_id, trainee_id, competency_id, level in rows:
        per.setdefault((round_id, trainee_id, competency_id), []).append(level)
    out: dict[tuple[int, int], list[float]] = {}
    for (round_id, _t, competency_id), levels in per.items():
        out.setdefault((round_id, competency_id), []).append(statistics.fmean(levels))
    return out


def competency_ids() -> list[int]:
    return list(
        db.session.scalars(
            select(Competency.id).where(Competency.retired_at.is_(None)).order_by(Competency.number)
        )
    )


def test_each_chart_table_carries_the_numbers_of_its_figure(client, world):
    html = page(client, world)
    figures, tables = figures_of(html), tables_of(html)
    assert set(figures) == {"chart-spread", "chart-means"} == set(tables)

    spread = figures["chart-spread"]["data"]
    assert [t["name"] for t in spread] == ["Round One", "Round Two"]
    keys = ("lowerfence", "q1", "median", "q3", "upperfence", "mean")
    drawn = sorted(
        (t["name"], *(shown(t[k][i]) for k in keys)) for t in spread for i in range(len(t["y"]))
    )
    in_table = sorted((row[0], *row[2:]) for row in tables["chart-spread"])
    assert in_table == drawn
    assert {row[1] for row in tables["chart-spread"]} == {"4", "2"}  # trainees per round

    lines = figures["chart-means"]["data"]
    assert len(lines) == len(competency_ids())
    assert tables["chart-means"] == [[shown(v) for v in t["y"]] for t in lines]


def test_the_spread_and_means_match_the_raw_self_ratings(client, world):
    """Quartiles from the SQL histogram within 0.05 of statistics.quantiles on the exact
    trainee means; the cohort mean exact (each trainee counts once)."""
    first, second = world["rounds"]
    data = cohort_progress.cohort_dashboard(world["cohort"].id, today())
    raw = raw_means()
    assert set(data.histograms) == set(raw)
    for key, values in raw.items():
        stats = BoxStats.from_histogram(data.histograms[key], data.means[key])
        assert stats.count == len(values)
        assert data.means[key] == pytest.approx(statistics.fmean(values))
        q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
        for ours, theirs in ((stats.q1, q1), (stats.median, median), (stats.q3, q3)):
            assert abs(ours - theirs) <= 0.05 + 1e-9, key
        assert abs(stats.low - min(values)) <= 0.05 + 1e-9
        assert abs(stats.high - max(values)) <= 0.05 + 1e-9
    # Only handed-in work: four in round one (the draft's 4s stay out), two in round two.
    assert {sum(data.histograms[(first.id, c)].values()) for c in competency_ids()} == {4}
    assert {sum(data.histograms[(second.id, c)].values()) for c in competency_ids()} == {2}


def test_the_chosen_round_defaults_to_the_latest_opened_and_counts_hand_ins(client, world):
    first, _second = world["rounds"]
    new_round(world["cohort"], "Round Later", -10)  # not open yet: not offered
    db.session.commit()
    html = page(client, world)
    assert "2 of 5 trainees have handed in." in html
    assert '<progress class="completion" max="5" value="2"' in html
    assert "Round Later" not in html
    html = page(client, world, f"?round={first.id}")
    assert "4 of 5 trainees have handed in." in html
    assert "In Round One, 4 trainees handed in" in html


def test_who_needs_attention_with_status_and_feedback_counts(client, world):
    trainees = world["trainees"]
    _first, second = world["rounds"]
    answered, _t = ask(trainees[1], second, name="Ada Answer")
    answer(answered, level=3)
    ask(trainees[1], second, name="Wes Waiting")
    html = page(client, world)
    row = r'<tr>\s*<td><a href="/trainees/(\d+)/growth">([^<]+)</a></td>(.*?)</tr>'
    rows = re.findall(row, html, re.S)
    status = {name: re.sub(r"<[^>]+>", " ", rest).split() for _id, name, rest in rows}
    assert len(rows) == 5
    assert status["Trainee 0"][:2] == ["handed", "in"]
    assert "reopened" in status["Trainee 2"] and "progress" in status["Trainee 3"]
    assert "not" in status["Trainee 4"]
    assert " ".join(status["Trainee 1"]) == "handed in 1 of 2 answered still open: 1"
    assert "4 trainees need attention" in html
    # Those who need attention first: trainee 0 (handed in, nothing waiting) comes last.
    assert rows[-1][1] == "Trainee 0"

    only = page(client, world, f"?round={second.id}&attention=1")
    names = re.findall(r'<td><a href="/trainees/\d+/growth">([^<]+)</a></td>', only)
    assert sorted(names) == ["Trainee 1", "Trainee 2", "Trainee 3", "Trainee 4"]
    assert 'aria-current="page">Only who needs attention' in only


def test_the_page_never_reads_feedback_ratings_or_texts():
    source = inspect.getsource(cohort_progress)
    for name in ("FeedbackRating", "FeedbackResponse", "FeedbackNarrative", "seen_by_round"):
        assert name not in source


def test_a_long_cohort_pages_by_fifty_and_keeps_the_filter(client, world):
    for n in range(50):
        add_trainee(world["cohort"], make_user(f"more{n}@example.org", f"More {n:02d}"))
    db.session.commit()
    html = page(client, world, "?attention=1")
    assert len(re.findall(r'<td><a href="/trainees/\d+/growth">', html)) == 50
    link = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "attention=1" in link and f"round={world['rounds'][1].id}" in link
    login(client, world["trainer"])
    second = client.get(link).get_data(as_text=True)
    assert len(re.findall(r'<td><a href="/trainees/\d+/growth">', second)) == 3  # 53 in all


def test_plain_language_when_nothing_is_there_yet(client, db):
    cohort = make_cohort(name="Cohort Empty")
    trainer = make_user("empty@example.org", "Em Trainer")
    add_trainer(cohort, trainer)
    add_trainee(cohort, make_user("alone@example.org", "Al Alone"))
    login(client, trainer)
    html = client.get(f"/cohorts/{cohort.id}/dashboard").get_data(as_text=True)
    assert "This cohort has no assessment rounds yet." in html
    assert f'href="/cohorts/{cohort.id}/rounds"' in html and "plotly" not in html

    new_round(cohort, "Round Zero", 1)
    db.session.commit()
    html = client.get(f"/cohorts/{cohort.id}/dashboard").get_data(as_text=True)
    assert "0 of 1 trainees have handed in." in html
    assert "Nobody in this cohort has handed in a self-assessment yet." in html
    assert "plotly" not in html and "Al Alone" in html


def test_numbers_follow_the_readers_language(client, world):
    world["trainer"].language = "nl"
    db.session.commit()
    html = page(client, world)
    text = re.sub(BLOCK, "", html)
    assert re.search(r"<td>\d,\d</td>", text) and not re.search(r"<td>\d\.\d</td>", text)


def test_linked_from_the_cohort_page_and_the_trainers_dashboard(client, world):
    cohort = world["cohort"]
    login(client, world["trainer"])
    target = f'href="/cohorts/{cohort.id}/dashboard"'
    assert target in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert target in client.get("/dashboard").get_data(as_text=True)


def test_only_the_cohorts_trainers_open_it(client, world):
    cohort = world["cohort"]
    governance = make_user("gov@example.org", "Gus Governance")
    add_governance(cohort.organisation, governance)
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    other = make_user("other@example.org", "Otto Other")
    add_trainer(make_cohort(cohort.organisation, name="Cohort Other"), other)
    for user, status in (
        (governance, 403),
        (admin, 403),
        (other, 404),
        (world["trainees"][0], 404),
    ):
        with client.session_transaction() as session:
            session.clear()
        login(client, user)
        response = client.get(f"/cohorts/{cohort.id}/dashboard")
        assert response.status_code == status, user.email
        assert "Trainee 1" not in response.get_data(as_text=True)
        if status == 403:  # they see the cohort page, without the link
            cohort_page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
            assert (
                "Cohort Spread" in cohort_page
                and f"/cohorts/{cohort.id}/dashboard" not in cohort_page
            )
