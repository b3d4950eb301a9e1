"""The dashboard's cohorts and governance groups come from one statement, each in its place."""

from __future__ import annotations

from datetime import date

from portfolio.clock import today
from portfolio.main.queries import dashboard
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)


def test_each_role_is_listed_in_its_own_section_in_order(client, db):
    person = make_user(name="Petra Person")
    north = make_organisation(name="North")
    south = make_organisation(name="South")
    older = make_cohort(north, name="Older cohort", starts_on=date(2025, 1, 1))
    newer = make_cohort(north, name="Newer cohort", starts_on=date(2026, 1, 1))
    learning = make_cohort(south, name="Learning cohort")
    add_trainer(older, person)
    add_trainer(newer, person)
    add_trainee(learning, person)
    for n in range(3):
        add_trainee(newer, make_user(name=f"Trainee {n}"))
    add_governance(south, person)
    add_governance(north, person)

    page = dashboard(person.id, today())
    assert [(c.name, c.organisation_name, c.trainees) for c in page.training] == [
        ("Newer cohort", "North", 3),
        ("Older cohort", "North", 0),
    ]
    assert [(c.name, c.trainees) for c in page.learning] == [("Learning cohort", 1)]
    assert [(o.id, o.name) for o in page.governed] == [(north.id, "North"), (south.id, "South")]

    login(client, person)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "Candidates of North" in html and "Candidates of South" in html
    assert html.index("Newer cohort") < html.index("Older cohort")
    assert "My evidence" in html  # a trainee somewhere: the navigation says so


def test_someone_without_places_sees_the_invitation_hint(client, db):
    person = make_user()
    login(client, person)
    html = client.get("/dashboard").get_data(as_text=True)
    assert "You are not part of a cohort or governance group yet" in html
    assert "My evidence" not in html
