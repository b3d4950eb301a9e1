"""The governance overview: every trainee of the organisations a member governs, their rounds
and their own ratings per competency, filtered, sorted and paged in SQL; feedback only as
counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import handing_in
from portfolio.assessment.models import Rating, Round, SelfAssessment
from portfolio.clock import today
from portfolio.cohorts import overview
from portfolio.cohorts.models import Cohort, Organisation
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.extensions import db
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)
from tests.feedback.helpers import answer, ask
from tests.handing_in import answer_everything, hand_in, open_round

pytestmark = pytest.mark.usefixtures("framework_db")


@dataclass
class World:
    alpha: Organisation
    beta: Organisation
    spring: Cohort
    autumn: Cohort
    first: Round
    second: Round
    people: dict[str, User]


def _round(cohort: Cohort, title: str, days_ago: int) -> Round:
    round_ = open_round(cohort, title)
    round_.opens_on = today() - timedelta(days=days_ago)
    db.session.commit()
    return round_


def _rate(round_: Round, trainee: User, level: int, **by_competency: int) -> Any:
    """Every indicator at ``level``, the competencies named at their own level; one
    innovation indicator "cannot judge" (which counts for no mean)."""
    assessment = answer_everything(round_, trainee, level)
    rows = db.session.execute(
        select(Rating, Competency.key)
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .join(Competency, Competency.id == Indicator.competency_id)
        .where(Rating.self_assessment_id == assessment.id)
        .order_by(Rating.id)
    ).all()
    unsure = next(rating for rating, key in rows if key == "innovation")
    for rating, key in rows:
        if key in by_competency:
            rating.level = by_competency[key]
    unsure.level, unsure.not_judgeable = None, True
    db.session.commit()
    return assessment


@pytest.fixture
def world(app, tmp_path) -> World:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")
    alpha = make_organisation(name="Alpha")
    beta = make_organisation(name="Beta")
    spring = make_cohort(alpha, name="Spring")
    autumn = make_cohort(alpha, name="Autumn")
    winter = make_cohort(beta, name="Winter")
    people = {name: make_user(name=name) for name in ("Ann", "Bob", "Cas", "Dan", "Eve")}
    for name in ("Ann", "Bob", "Eve"):
        add_trainee(spring, people[name])
    add_trainee(autumn, people["Cas"])
    add_trainee(winter, people["Dan"])
    trainer = make_user(name="Tina Trainer")
    add_trainer(spring, trainer)
    people["trainer"] = trainer
    for name, orgs in (("gov_a", [alpha]), ("gov_b", [beta]), ("gov_ab", [alpha, beta])):
        people[name] = make_user(name=name)
        for org in orgs:
            add_governance(org, people[name])
    first = _round(spring, "First round", 30)
    second = _round(spring, "Second round", 1)
    later = _round(spring, "Later round", 0)
    later.opens_on = today() + timedelta(days=5)
    later.closes_on = today() + timedelta(days=20)
    db.session.commit()
    # Ann handed in both rounds; in the second, innovation high.
    hand_in(_rate(first, people["Ann"], 2), people["Ann"])
    hand_in(_rate(second, people["Ann"], 3, innovation=4), people["Ann"])
    # Bob handed in the first; the second was handed in and then reopened: it does not count.
    hand_in(_rate(first, people["Bob"], 3, demand=1), people["Bob"])
    reopened = _rate(second, people["Bob"], 1)
    hand_in(reopened, people["Bob"])
    handing_in.reopen(trainer, reopened, "Please add evidence.")
    db.session.commit()
    # Eve has only a draft.
    _rate(second, people["Eve"], 1)
    # Dan (organisation Beta) handed in a round of his own cohort.
    dans = _round(winter, "Winter round", 3)
    hand_in(_rate(dans, people["Dan"], 1), people["Dan"])
    # Feedback for Ann: three answers from two groups in the second round, one still open,
    # one answer from a third group in the first round.
    for group in ("rater.colleague", "rater.colleague", "rater.observer"):
        request, _token = ask(people["Ann"], second, group=group, name="Secret Rater")
        answer(request, works="SECRET-WORKS", level=1)
    ask(people["Ann"], second, group="rater.trainer", name="Open Rater")
    request, _token = ask(people["Ann"], first, group="rater.other")
    answer(request)
    return World(alpha, beta, spring, autumn, first, second, people)


def _page(user: User, per_page: int = 50, **args: str) -> tuple[overview.OverviewPage, Any]:
    organisation_ids = policy.governed_organisation_ids(user)
    page = overview.governance_overview(organisation_ids, args, int(args.get("page", 1)), today())
    rows = overview.overview_rows(
        organisation_ids, page.framework, page.filters, today(), per_page=per_page
    )
    return page, rows


def _names(user: User, **args: str) -> list[str]:
    return [row.name for row in _page(user, **args)[1]]


def _means(row: overview.OverviewRow) -> dict[str, float | None]:
    keys = [c.key for c in current_framework().competencies]
    return dict(zip(keys, row.means, strict=True))


def test_one_row_per_trainee_with_the_latest_handed_in_round(world):
    page, rows = _page(world.people["gov_a"])
    by_name = {row.name: row for row in rows}
    assert list(by_name) == ["Ann", "Bob", "Cas", "Eve"]  # never Dan of Beta
    ann, bob, cas, eve = (by_name[n] for n in ("Ann", "Bob", "Cas", "Eve"))
    # The round opening in five days is not open yet: two rounds opened so far.
    assert (ann.opened, ann.handed_in, ann.latest_title, ann.up_to_date) == (
        2,
        2,
        "Second round",
        True,
    )
    assert _means(ann) == {
        "innovation": 4.0,
        "demand": 3.0,
        "collaboration": 3.0,
        "learning": 3.0,
        "knowledge": 3.0,
    }
    # Reopened is not handed in: Bob's latest is the first round, and he is behind.
    assert (bob.handed_in, bob.latest_title, bob.up_to_date) == (1, "First round", False)
    assert _means(bob)["demand"] == 1.0 and _means(bob)["innovation"] == 3.0
    # A draft is not handed in either.
    assert (eve.handed_in, eve.latest_title, eve.up_to_date) == (0, None, False)
    assert set(eve.means) == {None}
    # A cohort without a round: nothing to be behind on.
    assert (cas.cohort_name, cas.opened, cas.up_to_date) == ("Autumn", 0, None)
    assert [o.name for o in page.options.organisations] == ["Alpha"]


def test_feedback_only_as_counts_over_the_cohorts_rounds(world):
    rows = {row.name: row for row in _page(world.people["gov_a"])[1]}
    # Four answers from three groups over both rounds; the open request does not count.
    # Bob and Eve have no answers.
    assert (rows["Ann"].answers, rows["Ann"].groups) == (4, 3)
    assert (rows["Bob"].answers, rows["Bob"].groups) == (0, 0)


def test_a_member_sees_only_the_organisations_they_govern(world):
    assert _names(world.people["gov_b"]) == ["Dan"]
    assert _names(world.people["gov_ab"]) == ["Ann", "Bob", "Cas", "Dan", "Eve"]
    # Asking for another organisation's id or cohort shows one's own, unfiltered.
    assert _names(world.people["gov_a"], organisation=str(world.beta.id)) == [
        "Ann",
        "Bob",
        "Cas",
        "Eve",
    ]
    winter = db.session.scalar(select(Cohort).where(Cohort.name == "Winter"))
    page, _rows = _page(world.people["gov_a"], cohort=str(winter.id))
    assert page.filters.cohort_id is None
    # Nobody else governs anything.
    for name in ("Ann", "trainer"):
        assert not policy.can_view_governance_overview(world.people[name])
    assert policy.can_view_governance_overview(world.people["gov_b"])


SORTS = [
    ({"sort": "name", "dir": "desc"}, ["Eve", "Cas", "Bob", "Ann"]),
    # The ones without a hand-in come last, whichever way round.
    ({"sort": "innovation", "dir": "desc"}, ["Ann", "Bob", "Cas", "Eve"]),
    ({"sort": "innovation"}, ["Bob", "Ann", "Cas", "Eve"]),
    ({"sort": "demand"}, ["Bob", "Ann", "Cas", "Eve"]),
    ({"sort": "demand", "dir": "desc"}, ["Ann", "Bob", "Cas", "Eve"]),
    ({"sort": "handed_in", "dir": "desc"}, ["Ann", "Bob", "Cas", "Eve"]),
    ({"sort": "handed_in"}, ["Cas", "Eve", "Bob", "Ann"]),
    ({"sort": "cohort"}, ["Cas", "Ann", "Bob", "Eve"]),
    ({"sort": "feedback", "dir": "desc"}, ["Ann", "Bob", "Cas", "Eve"]),
    ({"sort": "organisation", "dir": "desc"}, ["Ann", "Bob", "Cas", "Eve"]),
    # Unknown keys and directions: by name, ascending.
    ({"sort": "password", "dir": "sideways"}, ["Ann", "Bob", "Cas", "Eve"]),
]


def test_sorting(world):
    for args, expected in SORTS:
        assert _names(world.people["gov_a"], **args) == expected, args


def test_sorting_by_organisation(world):
    names = _names(world.people["gov_ab"], sort="organisation", dir="desc")
    assert names[0] == "Dan"


FILTERS = [
    ({"status": "handed_in"}, ["Ann"]),
    ({"status": "behind"}, ["Bob", "Eve"]),
    ({"q": "AN"}, ["Ann"]),
    ({"q": "%"}, []),
    ({"q": "_"}, []),
    ({"status": "everything"}, ["Ann", "Bob", "Cas", "Eve"]),
    ({"status": "behind", "sort": "handed_in", "dir": "desc"}, ["Bob", "Eve"]),
]


def test_filtering(world):
    for args, expected in FILTERS:
        assert _names(world.people["gov_a"], **args) == expected, args


def test_filtering_by_organisation_and_cohort(world):
    gov = world.people["gov_ab"]
    assert _names(gov, organisation=str(world.beta.id)) == ["Dan"]
    assert _names(gov, cohort=str(world.autumn.id)) == ["Cas"]
    # A cohort outside the organisation asked for: the organisation alone.
    assert _names(gov, organisation=str(world.beta.id), cohort=str(world.autumn.id)) == ["Dan"]
    page, _rows = _page(gov, cohort=str(world.spring.id))
    assert [s.cohort_name for s in page.summary] == ["Spring"]


def test_pages(world):
    gov = world.people["gov_ab"]
    first = _page(gov, per_page=2)[1]
    assert ([r.name for r in first], first.total, first.pages) == (["Ann", "Bob"], 5, 3)
    second = _page(gov, per_page=2, page="2")[1]
    assert [r.name for r in second] == ["Cas", "Dan"]
    # Past the end: the last page.
    past = _page(gov, per_page=2, page="40")[1]
    assert (past.page, [r.name for r in past]) == (3, ["Eve"])


def test_summary_per_cohort_of_the_latest_handed_in_round(world):
    page, _rows = _page(world.people["gov_ab"])
    summary = {s.cohort_name: s for s in page.summary}
    assert list(summary) == ["Autumn", "Spring", "Winter"]
    spring = summary["Spring"]
    # Bob's reopened self-assessment does not count: only Ann handed in the second round.
    assert (spring.round_title, spring.handed_in, spring.trainees) == ("Second round", 1, 3)
    assert spring.means[0] == 4.0 and spring.means[1] == 3.0
    assert (summary["Autumn"].round_title, summary["Autumn"].trainees) == (None, 1)
    assert summary["Winter"].round_title == "Winter round"


def test_summary_is_the_mean_of_the_trainees(world):
    # Eve hands in the second round too: the cohort's mean is between hers and Ann's.
    eve = world.people["Eve"]
    assessment = db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.round_id == world.second.id, SelfAssessment.trainee_id == eve.id
        )
    )
    hand_in(assessment, eve)
    page, _rows = _page(world.people["gov_a"])
    spring = next(s for s in page.summary if s.cohort_name == "Spring")
    assert spring.handed_in == 2
    assert spring.means[1] == pytest.approx(2.0)  # demand: Ann 3, Eve 1


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_rows_links_sort_state_and_no_feedback_content(app, world):
    client = app.test_client()
    login(client, world.people["gov_a"])
    response = client.get("/governance/overview?sort=innovation&dir=desc")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'href="/trainees/{world.people["Ann"].id}"' in html
    assert 'aria-sort="descending"' in html
    assert html.count("aria-sort=") == 1
    assert "Dan" not in html and "Winter" not in html
    # Feedback shows as counts; never a text, nor who answered.
    assert "SECRET-WORKS" not in html and "Secret Rater" not in html and "Open Rater" not in html
    # The dashboard and the candidates page lead here.
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "/governance/overview" in dashboard
    candidates = client.get(f"/organisations/{world.alpha.id}/candidates").get_data(as_text=True)
    assert f"/governance/overview?organisation={world.alpha.id}" in candidates


def test_empty_states(app, db):
    member = make_user(name="Gus")
    organisation = make_organisation(name="Empty")
    add_governance(organisation, member)
    client = app.test_client()
    login(client, member)
    html = client.get("/governance/overview").get_data(as_text=True)
    assert "Your organisations have no cohorts yet" in html
    make_cohort(organisation, name="Fresh")
    html = client.get("/governance/overview").get_data(as_text=True)
    assert "No trainees in these cohorts yet" in html
    add_trainee(db.session.scalar(select(Cohort).where(Cohort.name == "Fresh")), make_user())
    html = client.get("/governance/overview?q=nobody-like-this").get_data(as_text=True)
    assert "No trainee matches these filters" in html


FUZZ = [
    "sort=../../etc/passwd",
    "sort=name;drop table users",
    "sort=&dir=",
    "dir=sideways",
    "page=-1",
    "page=0",
    "page=abc",
    "page=1e9",
    "page=99999999999999999999999999",
    "page=%EF%BC%91",  # a full-width digit
    "organisation=abc",
    "organisation=-4",
    "organisation=99999999999999999999999999",
    "cohort=1.5",
    "cohort=%00",
    "status=%3Cscript%3E",
    "q=%00%01",
    "q=" + "x" * 5000,
    "q=%25%25",
    "sort=innovation&sort=name&page=2&page=x",
    "status=behind&organisation=1&cohort=1&sort=feedback&dir=desc&page=3",
]


def test_made_up_query_arguments_give_a_clear_page(app, world):
    client = app.test_client()
    login(client, world.people["gov_ab"])
    for query in FUZZ:
        response = client.get(f"/governance/overview?{query}")
        assert response.status_code == 200, query
        assert "Overview of your candidates" in response.get_data(as_text=True), query
