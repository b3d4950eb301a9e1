"""Trainers plan rounds; trainees see open rounds and what is missing."""

from __future__ import annotations

from sqlalchemy import select

from portfolio.assessment.models import Round
from portfolio.audit.models import AuditEvent
from portfolio.competencies.models import FrameworkVersion
from tests.factories import login


def _day(offset: int) -> str:
    from datetime import timedelta

    from portfolio.clock import today

    return (today() + timedelta(days=offset)).isoformat()


def test_trainer_plans_a_round_that_records_the_framework_version(client, world, db):
    login(client, world.trainer)
    response = client.post(
        f"/cohorts/{world.cohort.id}/rounds",
        data={"title": "Baseline", "opens_on": _day(30), "closes_on": _day(45)},
    )
    assert response.status_code == 303
    created = db.session.scalar(select(Round).where(Round.title == "Baseline"))
    assert created is not None and created.cohort_id == world.cohort.id
    assert created.framework_version_id == db.session.scalar(select(FrameworkVersion.id))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_created"))


def test_round_that_closes_before_it_opens_gets_a_clear_message(client, world, db):
    login(client, world.trainer)
    response = client.post(
        f"/cohorts/{world.cohort.id}/rounds",
        data={"title": "Odd", "opens_on": _day(35), "closes_on": _day(31)},
    )
    assert response.status_code == 200
    assert "The closing day must be on or after the opening day." in response.get_data(as_text=True)
    assert db.session.scalar(select(Round).where(Round.title == "Odd")) is None


def test_trainee_and_governance_cannot_plan_rounds(client, world):
    login(client, world.trainee)
    assert client.get(f"/cohorts/{world.cohort.id}/rounds").status_code == 404
    client.post("/sign-out")
    login(client, world.governance)
    assert client.get(f"/cohorts/{world.cohort.id}/rounds").status_code == 403


def test_open_round_is_on_the_trainee_dashboard_with_what_is_missing(client, world):
    login(client, world.trainee)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "After module 1" in html
    assert "64 indicators left to answer" in html


def test_trainer_extends_a_round_and_it_is_audited(client, world, db):
    login(client, world.trainer)
    response = client.post(
        f"/rounds/{world.round.id}/edit",
        data={
            "title": "After module 1",
            "opens_on": world.round.opens_on.isoformat(),
            "closes_on": "2030-01-01",
        },
    )
    assert response.status_code == 303
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round_changed"))
    assert event.details == {"closes_on": "2030-01-01"}


def test_progress_page_lists_every_trainee_for_the_trainer(client, world):
    login(client, world.trainer)
    html = client.get(f"/rounds/{world.round.id}/progress").get_data(as_text=True)
    assert "Tom Trainee" in html and "not started" in html
    assert "Olga Other" not in html
