"""Planning rules for rounds (in the service, shown at the form's fields), deleting a round
nobody started and closing one that has answers."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from portfolio.assessment import rounds, saving
from portfolio.assessment.models import Rating, Round, SelfAssessment
from portfolio.audit.models import AuditEvent
from portfolio.clock import today
from tests.factories import login


def _day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def _plan(client, world, title, opens, closes, **extra):
    data = {"title": title, "opens_on": _day(opens), "closes_on": _day(closes), **extra}
    return client.post(f"/cohorts/{world.cohort.id}/rounds", data=data)


def _error_at(html: str, field: str) -> str:
    match = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', html, re.S)
    assert match, f"no error at {field}"
    return unescape(match.group(1))


def _titles(db) -> list[str]:
    db.session.expire_all()
    return sorted(db.session.scalars(select(Round.title)))


def test_a_round_entirely_in_the_past_is_refused_at_the_closing_day(client, world, db):
    login(client, world.trainer)
    response = _plan(client, world, "Old", -30, -20)
    assert response.status_code == 200
    message = _error_at(response.get_data(as_text=True), "closes_on")
    assert "is in the past" in message and "Close now" in message
    assert "Old" not in _titles(db)


def test_a_round_that_overlaps_an_open_round_is_refused_and_names_it(client, world, db):
    login(client, world.trainer)
    response = _plan(client, world, "Second", 3, 20)  # the world's round runs -1 … +7
    assert response.status_code == 200
    message = _error_at(response.get_data(as_text=True), "opens_on")
    assert "overlap with the round “After module 1”" in message
    assert "two rounds to do at the same time" in message
    assert "Second" not in _titles(db)
    # right after it closes is fine
    assert _plan(client, world, "Second", 8, 20).status_code == 303
    assert "Second" in _titles(db)


def test_the_service_applies_the_rules_for_every_caller(world, db):
    from portfolio.competencies import current_framework

    version = rounds.current_framework_version(current_framework())
    with pytest.raises(rounds.RoundRefused) as refused:
        rounds.create_round(
            world.trainer,
            world.cohort,
            title="Clash",
            opens_on=today(),
            closes_on=today() + timedelta(days=2),
            version=version,
            today=today(),
        )
    assert [p.field for p in refused.value.problems] == ["opens_on"]


def test_outside_the_cohorts_dates_needs_a_confirmation(client, world, db):
    world.cohort.starts_on = today() + timedelta(days=10)
    world.cohort.ends_on = today() + timedelta(days=100)
    db.session.commit()
    login(client, world.trainer)
    page = client.get(f"/cohorts/{world.cohort.id}/rounds").get_data(as_text=True)
    assert 'name="confirm_outside"' not in page, "the box only appears when it is needed"
    response = _plan(client, world, "Early", 8, 20)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "falls partly outside those dates" in _error_at(html, "confirm_outside")
    assert 'name="confirm_outside"' in html
    assert "Early" not in _titles(db)
    assert _plan(client, world, "Early", 8, 20, confirm_outside="y").status_code == 303
    assert "Early" in _titles(db)


def test_changing_a_round_follows_the_same_rules(client, world, db):
    later = world.add_round("Final", 20, 30)
    login(client, world.trainer)
    response = client.post(
        f"/rounds/{later.id}/edit",
        data={"title": "Final", "opens_on": _day(5), "closes_on": _day(30)},
    )
    assert response.status_code == 200
    assert "“After module 1”" in _error_at(response.get_data(as_text=True), "opens_on")
    response = client.post(
        f"/rounds/{later.id}/edit",
        data={"title": "Final", "opens_on": _day(20), "closes_on": _day(-2)},
    )
    assert response.status_code == 200
    assert "on or after the opening day" in _error_at(response.get_data(as_text=True), "closes_on")
    # only the title: fine, even for a round that has started
    response = client.post(
        f"/rounds/{world.round.id}/edit",
        data={
            "title": "After the first module",
            "opens_on": world.round.opens_on.isoformat(),
            "closes_on": world.round.closes_on.isoformat(),
        },
    )
    assert response.status_code == 303


def _start(world, db):
    assessment = saving.get_or_create_assessment(world.round, world.trainee)
    from portfolio.competencies.models import Indicator

    indicator = db.session.scalars(select(Indicator)).first()
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=2))
    db.session.commit()
    return assessment


def test_a_round_nobody_started_can_be_deleted_after_a_confirmation_page(client, world, db):
    upcoming = world.add_round("Later", 20, 30)
    login(client, world.trainer)
    html = client.get(f"/cohorts/{world.cohort.id}/rounds").get_data(as_text=True)
    assert f"/rounds/{upcoming.id}/delete" in html
    page = client.get(f"/rounds/{upcoming.id}/delete")
    assert page.status_code == 200
    assert "cannot be undone" in page.get_data(as_text=True)
    assert "Later" in _titles(db), "the confirmation page deletes nothing"
    response = client.post(f"/rounds/{upcoming.id}/delete")
    assert response.status_code == 303
    assert "Later" not in _titles(db)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_deleted"))
    assert event.details["title"] == "Later" and event.object_type == "Cohort"


def test_a_round_with_answers_cannot_be_deleted_only_closed(client, world, db):
    assessment = _start(world, db)
    login(client, world.trainer)
    html = client.get(f"/cohorts/{world.cohort.id}/rounds").get_data(as_text=True)
    assert f"/rounds/{world.round.id}/delete" not in html
    assert f"/rounds/{world.round.id}/close" in html
    response = client.post(f"/rounds/{world.round.id}/delete")
    assert response.status_code == 409
    assert "cannot be deleted" in unescape(response.get_data(as_text=True))
    assert "After module 1" in _titles(db)

    page = client.get(f"/rounds/{world.round.id}/close").get_data(as_text=True)
    assert "Everything they saved is kept" in page
    assert client.post(f"/rounds/{world.round.id}/close").status_code == 303
    db.session.expire_all()
    closed = db.session.get(Round, world.round.id)
    assert closed.closed_at is not None and closed.closes_on == today()
    assert closed.state(today()) == "closed" and not closed.is_open(today())
    assert db.session.get(SelfAssessment, assessment.id) is not None
    assert db.session.scalar(select(Rating.level)) == 2
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_closed"))

    # the trainee can no longer change it
    trainee = client.application.test_client()
    login(trainee, world.trainee)
    response = trainee.get(f"/rounds/{world.round.id}")
    assert "This round closed on" in response.get_data(as_text=True)
    # closing twice says so and changes nothing
    again = client.post(f"/rounds/{world.round.id}/close")
    assert again.status_code == 409
    assert "already closed" in again.get_data(as_text=True)


def test_rounds_page_offers_the_right_action_per_round(client, world, db):
    _start(world, db)
    login(client, world.trainer)
    html = unescape(client.get(f"/cohorts/{world.cohort.id}/rounds").get_data(as_text=True))
    assert "can only be closed" in html
