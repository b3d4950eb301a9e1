"""Organisations, cohorts and roles: forms explain mistakes, and people see only their part."""

from __future__ import annotations

from sqlalchemy import func, select

from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole, Organisation
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)


def _count(db, model):
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_admin_creates_an_organisation_and_is_led_to_it(client, db):
    login(client, make_user(admin=True))
    response = client.post(
        "/organisations/new",
        data={"name": "  Gemeente Utrecht ", "kind": "municipality", "country": "nl"},
    )
    assert response.status_code == 303
    organisation = db.session.scalar(select(Organisation))
    assert (organisation.name, organisation.kind, organisation.country) == (
        "Gemeente Utrecht",
        "municipality",
        "NL",
    )
    assert response.headers["Location"] == f"/organisations/{organisation.id}"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation_created"))


def test_duplicate_organisation_name_is_a_form_error_not_a_500(client, db):
    make_organisation("Gemeente Utrecht")
    login(client, make_user(admin=True))
    response = client.post("/organisations/new", data={"name": "gemeente utrecht", "kind": "other"})
    assert response.status_code == 200
    assert "An organisation with this name already exists." in response.get_data(as_text=True)
    assert _count(db, Organisation) == 1


def test_organisation_country_must_be_two_letters(client, db):
    login(client, make_user(admin=True))
    response = client.post("/organisations/new", data={"name": "Região Norte", "country": "PRT"})
    assert "Use the two-letter code." in response.get_data(as_text=True)
    assert _count(db, Organisation) == 0


def test_cohort_that_ends_before_it_starts_is_a_form_error(client, db):
    organisation = make_organisation()
    login(client, make_user(admin=True))
    response = client.post(
        f"/organisations/{organisation.id}/cohorts/new",
        data={"name": "Backwards", "starts_on": "2025-09-15", "ends_on": "2025-09-01"},
    )
    assert response.status_code == 200
    assert "The last day must be on or after the first day." in response.get_data(as_text=True)
    assert _count(db, Cohort) == 0


def test_cohort_with_a_date_that_is_not_a_date_is_a_form_error(client, db):
    organisation = make_organisation()
    login(client, make_user(admin=True))
    response = client.post(
        f"/organisations/{organisation.id}/cohorts/new",
        data={"name": "Sloppy", "starts_on": "15/09/2025"},
    )
    assert response.status_code == 200
    assert "Not a valid date value." in response.get_data(as_text=True)
    assert _count(db, Cohort) == 0


def test_admin_creates_a_cohort_with_dates(client, db):
    organisation = make_organisation()
    login(client, make_user(admin=True))
    response = client.post(
        f"/organisations/{organisation.id}/cohorts/new",
        data={
            "name": "Forlì 2025",
            "location": "Forlì",
            "starts_on": "2025-09-15",
            "ends_on": "2025-09-15",
        },
    )
    assert response.status_code == 303
    cohort = db.session.scalar(select(Cohort))
    assert (cohort.name, cohort.organisation_id, str(cohort.starts_on)) == (
        "Forlì 2025",
        organisation.id,
        "2025-09-15",
    )


def test_trainer_invites_trainees_but_cannot_open_another_cohort(client, db):
    mine, theirs = make_cohort(name="My Cohort"), make_cohort(name="Their Cohort")
    trainer = make_user()
    add_trainer(mine, trainer)
    login(client, trainer)

    page = client.get(f"/cohorts/{mine.id}").get_data(as_text=True)
    assert "Invite someone" in page
    assert '<option value="trainee"' in page
    response = client.post(
        f"/cohorts/{mine.id}", data={"email": "t@example.org", "role": "trainee"}
    )
    assert response.status_code == 200
    assert "Send this link to t@example.org" in response.get_data(as_text=True)

    other = client.get(f"/cohorts/{theirs.id}")
    assert other.status_code == 404
    assert "Their Cohort" not in other.get_data(as_text=True)
    assert (
        client.post(
            f"/cohorts/{theirs.id}", data={"email": "x@example.org", "role": "trainee"}
        ).status_code
        == 404
    )


def test_trainer_sees_the_people_of_the_cohort_but_cannot_change_roles(client, db):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    trainee = make_user(name="Tess Trainee")
    membership = add_trainee(cohort, trainee)
    login(client, trainer)
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Tess Trainee" in html
    assert "Change role" not in html
    response = client.post(
        f"/cohorts/{cohort.id}/members/{membership.id}/role", data={"role": "trainer"}
    )
    assert response.status_code == 403
    assert db.session.get(CohortMembership, membership.id).role == CohortRole.TRAINEE


def test_governance_member_sees_the_candidates_of_their_own_organisation_only(client):
    mine, other = make_organisation("Ours"), make_organisation("Theirs")
    add_trainee(make_cohort(mine, "Our Cohort"), make_user(name="Olivia Ours"))
    add_trainee(make_cohort(other, "Their Cohort"), make_user(name="Theo Theirs"))
    add_trainer(make_cohort(mine, "Our Second Cohort"), make_user(name="Trevor Trainer"))
    member = make_user()
    add_governance(mine, member)
    login(client, member)

    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Candidates of Ours" in dashboard
    html = client.get(f"/organisations/{mine.id}/candidates").get_data(as_text=True)
    assert "Olivia Ours" in html
    assert "Theo Theirs" not in html
    assert "Trevor Trainer" not in html, "trainers are not candidates"
    assert client.get(f"/organisations/{other.id}/candidates").status_code == 404


def test_admin_does_not_see_the_candidates_link_it_may_not_open(client):
    organisation = make_organisation()
    login(client, make_user(admin=True))
    html = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f"/organisations/{organisation.id}/candidates" not in html
    assert client.get(f"/organisations/{organisation.id}/candidates").status_code == 404


def test_governance_member_sees_the_candidates_link_on_the_organisation_page(client):
    organisation = make_organisation()
    member = make_user()
    add_governance(organisation, member)
    login(client, member)
    html = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert f"/organisations/{organisation.id}/candidates" in html


def test_admin_changes_a_role_and_it_is_audited(client, db):
    cohort = make_cohort()
    trainee = make_user("tess@example.org", "Tess Trainee")
    membership = add_trainee(cohort, trainee)
    admin = make_user(admin=True)
    login(client, admin)
    response = client.post(
        f"/cohorts/{cohort.id}/members/{membership.id}/role", data={"role": "trainer"}
    )
    assert response.status_code == 303
    assert "Tess Trainee is now trainer in this cohort." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership.id).role == CohortRole.TRAINER
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert event.actor_id == admin.id
    assert (event.object_type, event.object_id) == ("Cohort", cohort.id)
    assert event.details == {"user": "tess@example.org", "old": "trainee", "new": "trainer"}


def test_admin_removes_a_member_and_it_is_audited(client, db):
    cohort = make_cohort()
    membership = add_trainee(cohort, make_user("tess@example.org"))
    login(client, make_user(admin=True))
    response = client.post(f"/cohorts/{cohort.id}/members/{membership.id}/remove")
    assert response.status_code == 303
    assert _count(db, CohortMembership) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "member_removed"))
    assert event.details == {"user": "tess@example.org", "role": "trainee"}
