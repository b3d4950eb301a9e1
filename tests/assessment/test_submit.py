"""Handing in locks a self-assessment; a trainer can reopen it; who sees what."""

from __future__ import annotations

from sqlalchemy import select

from portfolio.assessment.models import AssessmentStatus, Rating, SelfAssessment
from portfolio.assessment.saving import get_or_create_assessment
from portfolio.audit.models import AuditEvent
from portfolio.competencies.models import Indicator
from tests.assessment.conftest import form_for
from tests.factories import login


def _answer_everything(world, db, level=2):
    assessment = get_or_create_assessment(world.round, world.trainee)
    for indicator in db.session.scalars(select(Indicator).where(Indicator.retired_at.is_(None))):
        db.session.add(
            Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=level)
        )
    db.session.commit()
    return assessment


def test_incomplete_self_assessment_is_not_handed_in_and_says_what_is_missing(client, world, db):
    login(client, world.trainee)
    response = client.post(f"/rounds/{world.round.id}/submit", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Not handed in yet: 64 indicators still need an answer" in html
    assert "16 left to answer" in html
    assert db.session.scalar(select(SelfAssessment.status)) in (None, AssessmentStatus.DRAFT)


def test_complete_self_assessment_is_handed_in_and_becomes_read_only(client, world, db):
    assessment = _answer_everything(world, db)
    login(client, world.trainee)
    response = client.post(f"/rounds/{world.round.id}/submit")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).is_submitted
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "self_assessment_submitted")
    )

    page = client.get(f"/rounds/{world.round.id}/competencies/innovation").get_data(as_text=True)
    assert "You handed this in; it is read-only." in page
    indicator = world.indicators("innovation")[0]
    attempt = client.post(
        f"/rounds/{world.round.id}/competencies/innovation",
        data=form_for(page) | {f"r-{indicator.id}-level": "4", "reflection": "late thought"},
    )
    assert attempt.status_code == 409
    assert "late thought" in attempt.get_data(as_text=True)
    db.session.expire_all()
    assert {r.level for r in db.session.scalars(select(Rating))} == {2}


def test_trainer_sees_only_handed_in_work_and_can_reopen_it(client, world, db):
    assessment = _answer_everything(world, db)
    url = f"/rounds/{world.round.id}/trainees/{world.trainee.id}"
    login(client, world.trainer)
    assert client.get(url).status_code == 404  # a draft is the trainee's own
    client.post("/sign-out")

    login(client, world.trainee)
    client.post(f"/rounds/{world.round.id}/submit")
    client.post("/sign-out")

    login(client, world.trainer)
    page = client.get(url)
    assert page.status_code == 200
    assert "Reopen for changes" in page.get_data(as_text=True)
    response = client.post(f"{url}/reopen", data={"reason": "Please add reflections"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).status == AssessmentStatus.REOPENED
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "self_assessment_reopened")
    )
    assert (
        event.actor_id == world.trainer.id and event.details["reason"] == "Please add reflections"
    )


def _handed_in(client, world, db):
    """The trainee answers everything and hands in; returns the read-only page's address."""
    _answer_everything(world, db)
    login(client, world.trainee)
    client.post(f"/rounds/{world.round.id}/submit")
    client.post("/sign-out")
    return f"/rounds/{world.round.id}/trainees/{world.trainee.id}"


def test_governance_views_handed_in_work_but_cannot_reopen(client, world, db):
    url = _handed_in(client, world, db)
    login(client, world.governance)
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/reopen", data={}).status_code == 403


def test_other_trainee_cannot_see_or_reopen(client, world, db):
    url = _handed_in(client, world, db)
    login(client, world.other_trainee)
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/reopen", data={}).status_code == 404


def test_a_handed_in_open_round_leaves_to_do_now_and_is_listed_as_handed_in(client, world, db):
    login(client, world.trainee)
    before = client.get("/dashboard").get_data(as_text=True)
    todo = before.split('id="open-title"')[1].split("</section>")[0]
    assert world.round.title in todo

    _answer_everything(world, db)
    assert client.post(f"/rounds/{world.round.id}/submit").status_code == 303
    after = client.get("/dashboard").get_data(as_text=True)
    assert 'id="open-title"' not in after  # nothing left to do now
    handed_in = after.split('id="handed-in-title"')[1].split("</section>")[0]
    assert world.round.title in handed_in
    assert "Nothing to do now" in handed_in
