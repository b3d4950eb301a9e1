"""A cohort's training modules: the services and their rules, the read, and the cohort's
page where trainers add, change and remove them."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select

from portfolio.audit.actions import Action
from portfolio.audit.models import AuditEvent
from portfolio.cohorts import queries, services
from portfolio.cohorts.models import TrainingModule
from portfolio.cohorts.services import ModuleRefused
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_organisation,
    make_user,
)

MARCH = date(2026, 3, 12)


@pytest.fixture
def cohort(db):
    organisation = make_organisation("Organisation Modules")
    cohort = make_cohort(organisation, "Cohort Modules")
    trainer = make_user("trainer.m@example.org", "Tara Trainer")
    add_trainer(cohort, trainer)
    governance = make_user("gov.m@example.org", "Gwen Governance")
    add_governance(organisation, governance)
    db.session.commit()
    return cohort


def trainer_of(cohort):
    return next(m.user for m in cohort.memberships if m.role == "trainer")


def _events(db, action: Action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


# --- services ------------------------------------------------------------------------------


def test_adding_a_module_records_the_actor_and_the_days(db, cohort):
    trainer = trainer_of(cohort)
    module = services.add_module(
        trainer,
        cohort,
        title="  Dialogical spaces ",
        first_day=MARCH,
        last_day=MARCH + timedelta(days=1),
        description=" Two days in Valdimare ",
    )
    db.session.commit()
    assert (module.title, module.description) == ("Dialogical spaces", "Two days in Valdimare")
    (added,) = _events(db, Action.MODULE_ADDED)
    assert added.actor_id == trainer.id
    assert (added.object_type, added.object_id) == ("Cohort", cohort.id)
    assert added.details == {
        "title": "Dialogical spaces",
        "first_day": "2026-03-12",
        "last_day": "2026-03-13",
    }


@pytest.mark.parametrize(
    ("title", "first", "last", "field", "words"),
    [
        ("Tools", MARCH, MARCH - timedelta(days=1), "last_day", "is before the first day"),
        ("Tools", MARCH, MARCH + timedelta(days=14), "last_day", "at most 14 days"),
        ("Tools", date(206, 3, 12), MARCH, "first_day", "looks like a typo"),
        ("Tools", MARCH, date(2226, 3, 13), "last_day", "between 2000 and 2099"),
        ("   ", MARCH, MARCH, "title", "Give the module a title"),
    ],
)
def test_a_module_that_breaks_a_rule_is_refused_at_its_field(
    db, cohort, title, first, last, field, words
):
    with pytest.raises(ModuleRefused) as refused:
        services.add_module(trainer_of(cohort), cohort, title=title, first_day=first, last_day=last)
    assert [p.field for p in refused.value.problems] == [field]
    assert words in refused.value.problems[0].message
    assert db.session.scalar(select(TrainingModule.id)) is None
    assert _events(db, Action.MODULE_ADDED) == []


def test_one_day_and_fourteen_days_are_allowed(db, cohort):
    trainer = trainer_of(cohort)
    services.add_module(trainer, cohort, title="A day", first_day=MARCH, last_day=MARCH)
    services.add_module(
        trainer, cohort, title="Two weeks", first_day=MARCH, last_day=MARCH + timedelta(days=13)
    )
    assert len(queries.training_modules(cohort.id)) == 2


def test_changing_a_module_records_what_it_was(db, cohort):
    trainer = trainer_of(cohort)
    module = services.add_module(trainer, cohort, title="Tools", first_day=MARCH, last_day=MARCH)
    services.change_module(
        trainer, module, title="Tools", first_day=MARCH, last_day=MARCH + timedelta(days=1)
    )
    db.session.commit()
    (changed,) = _events(db, Action.MODULE_CHANGED)
    assert changed.details["last_day"] == "2026-03-13"
    assert changed.details["old_last_day"] == "2026-03-12"
    assert "old_title" not in changed.details
    # Saving it unchanged records nothing.
    services.change_module(
        trainer, module, title="Tools", first_day=MARCH, last_day=MARCH + timedelta(days=1)
    )
    assert len(_events(db, Action.MODULE_CHANGED)) == 1
    with pytest.raises(ModuleRefused):
        services.change_module(
            trainer, module, title="Tools", first_day=MARCH, last_day=MARCH - timedelta(days=3)
        )


def test_removing_a_module_keeps_its_title_and_days_in_the_log(db, cohort):
    trainer = trainer_of(cohort)
    module = services.add_module(trainer, cohort, title="Tools", first_day=MARCH, last_day=MARCH)
    services.remove_module(trainer, module)
    db.session.commit()
    assert queries.training_modules(cohort.id) == ()
    (removed,) = _events(db, Action.MODULE_REMOVED)
    assert (removed.actor_id, removed.details["title"]) == (trainer.id, "Tools")


# --- reads ---------------------------------------------------------------------------------


def test_the_modules_are_read_by_date_in_one_statement_as_frozen_rows(app, db, cohort):
    trainer = trainer_of(cohort)
    for title, offset in (("Third", 60), ("First", 0), ("Second", 30)):
        day = MARCH + timedelta(days=offset)
        services.add_module(trainer, cohort, title=title, first_day=day, last_day=day)
    db.session.commit()
    cohort_id = cohort.id  # (loads the cohort again after the commit)
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        modules = queries.training_modules(cohort_id)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(seen) == 1, seen
    assert [m.title for m in modules] == ["First", "Second", "Third"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        modules[0].title = "Changed"  # type: ignore[misc]


def test_a_trainee_s_modules_are_those_of_their_cohorts_narrowed_to_the_viewer_s(db, cohort):
    from portfolio.policy import visible_cohort_ids

    trainer = trainer_of(cohort)
    other = make_cohort(cohort.organisation, "Cohort Elsewhere")
    other_trainer = make_user("trainer.o@example.org", "Otis Other")
    add_trainer(other, other_trainer)
    trainee = make_user("trainee.m@example.org", "Tim Trainee")
    add_trainee(cohort, trainee)
    add_trainee(other, trainee)
    services.add_module(trainer, cohort, title="Here", first_day=MARCH, last_day=MARCH)
    services.add_module(other_trainer, other, title="There", first_day=MARCH, last_day=MARCH)
    services.add_module(
        trainer,
        make_cohort(cohort.organisation, "Not his"),
        title="No",
        first_day=MARCH,
        last_day=MARCH,
    )
    db.session.commit()
    assert [m.title for m in queries.trainee_modules(trainee.id, None)] == ["Here", "There"]
    narrowed = queries.trainee_modules(trainee.id, visible_cohort_ids(trainer))
    assert [m.title for m in narrowed] == ["Here"]


# --- the cohort's page ---------------------------------------------------------------------


def test_a_trainer_adds_modules_and_sees_them_by_date(client, db, cohort):
    login(client, trainer_of(cohort))
    for title, first, last in (
        ("The tutor's role", "2026-06-04", "2026-06-05"),
        ("Dialogical spaces", "2026-03-12", "2026-03-13"),
    ):
        response = client.post(
            f"/cohorts/{cohort.id}/modules",
            data={"title": title, "first_day": first, "last_day": last},
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/cohorts/{cohort.id}#modules-title")
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Training modules" in html
    html = html.split('id="modules-title"', 1)[1]  # (the messages above name them too)
    assert html.index("Dialogical spaces") < html.index("The tutor&#39;s role")
    assert "<strong>M1</strong> Dialogical spaces" in html
    assert "12–13 Mar 2026" in html and "4–5 Jun 2026" in html
    assert "Add a training module" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"first_day": "2026-03-13", "last_day": "2026-03-12"},
            "The last day (12 Mar 2026) is before the first day (13 Mar 2026).",
        ),
        (
            {"first_day": "13/03/2026", "last_day": "2026-03-14"},
            "The first day is not a date that can be read. Write it as YYYY-MM-DD",
        ),
        ({"first_day": "", "last_day": "2026-03-14"}, "first day, as YYYY-MM-DD."),
        ({"first_day": "2026-03-01", "last_day": "2026-04-14"}, "a module lasts at most 14 days"),
    ],
)
def test_bad_days_are_explained_at_their_field_and_nothing_typed_is_lost(
    client, db, cohort, data, message
):
    login(client, trainer_of(cohort))
    data = {"title": "Facilitating", "description": "Leading a meeting", **data}
    response = client.post(f"/cohorts/{cohort.id}/modules", data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="error-summary"' in html and 'aria-invalid="true"' in html
    assert 'value="Facilitating"' in html and "Leading a meeting" in html
    for value in (data["first_day"], data["last_day"]):
        if value:
            assert f'value="{value}"' in html
    assert db.session.scalar(select(TrainingModule.id)) is None


def test_a_trainer_changes_and_removes_a_module_after_confirming(client, db, cohort):
    trainer = trainer_of(cohort)
    module = services.add_module(trainer, cohort, title="Tools", first_day=MARCH, last_day=MARCH)
    db.session.commit()
    login(client, trainer)
    base = f"/cohorts/{cohort.id}/modules/{module.id}"
    form = client.get(f"{base}/edit").get_data(as_text=True)
    assert 'value="Tools"' in form and 'value="2026-03-12"' in form
    bad = client.post(
        f"{base}/edit", data={"title": "Tools", "first_day": "2026-03-12", "last_day": "2026-03-01"}
    )
    assert "is before the first day" in bad.get_data(as_text=True)
    response = client.post(
        f"{base}/edit",
        data={"title": "The dialogical tools", "first_day": "2026-03-12", "last_day": "2026-03-13"},
    )
    assert response.status_code == 303
    assert "The dialogical tools" in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)

    confirm = client.get(f"{base}/delete").get_data(as_text=True)
    assert "Remove the module “The dialogical tools”?" in confirm
    assert "Yes, remove it" in confirm and "No, keep it" in confirm
    assert client.post(f"{base}/delete").status_code == 303
    assert queries.training_modules(cohort.id) == ()


def test_the_governance_group_sees_the_modules_but_no_forms(client, db, cohort):
    services.add_module(trainer_of(cohort), cohort, title="Tools", first_day=MARCH, last_day=MARCH)
    db.session.commit()
    governance = cohort.organisation.governance[0].user
    login(client, governance)
    html = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Tools" in html
    assert "Add a training module" not in html and "/modules/" not in html


def test_a_module_of_another_cohort_is_not_found(client, db, cohort):
    other = make_cohort(cohort.organisation, "Cohort Other")
    module = services.add_module(None, other, title="Elsewhere", first_day=MARCH, last_day=MARCH)
    db.session.commit()
    login(client, trainer_of(cohort))
    assert client.get(f"/cohorts/{cohort.id}/modules/{module.id}/edit").status_code == 404
    assert client.post(f"/cohorts/{cohort.id}/modules/{module.id}/delete").status_code == 404
