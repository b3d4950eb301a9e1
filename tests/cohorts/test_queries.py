"""The cohort read models: plain data, in the order the pages show it."""

from __future__ import annotations

from datetime import timedelta

from portfolio.cohorts import queries
from portfolio.cohorts.models import CohortRole
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    make_cohort,
    make_invitation,
    make_organisation,
    make_user,
)


def test_cohort_page_lists_trainers_first_and_only_pending_invitations(db):
    organisation = make_organisation(name="Oulu")
    cohort = make_cohort(organisation, name="Spring", location="Hall")
    add_trainee(cohort, make_user(name="Bea"))
    add_trainer(cohort, make_user(name="Zed"))
    add_trainee(cohort, make_user(name="Abe"))
    pending, _ = make_invitation(email="p@example.org", cohort=cohort)
    make_invitation(email="old@example.org", cohort=cohort, expires_in=timedelta(days=-1))
    page = queries.cohort_page(cohort, with_pending=True)
    assert (page.name, page.location, page.organisation_name) == ("Spring", "Hall", "Oulu")
    assert [(m.name, m.role) for m in page.members] == [
        ("Zed", CohortRole.TRAINER),
        ("Abe", CohortRole.TRAINEE),
        ("Bea", CohortRole.TRAINEE),
    ]
    assert [p.id for p in page.pending] == [pending.id]
    assert queries.cohort_page(cohort, with_pending=False).pending == ()


def test_organisation_page_and_candidates(db):
    organisation = make_organisation(name="Forlì", country="IT")
    cohort = make_cohort(organisation, name="Autumn")
    member = make_user(name="Gina", email="gina@example.org")
    add_governance(organisation, member)
    trainee = make_user(name="Tom")
    add_trainee(cohort, trainee)
    add_trainer(cohort, make_user(name="Trainer"))
    page = queries.organisation_page(organisation, with_pending=False)
    assert (page.name, page.country) == ("Forlì", "IT")
    assert [(c.id, c.name) for c in page.cohorts] == [(cohort.id, "Autumn")]
    assert [(p.name, p.email) for p in page.governance] == [("Gina", "gina@example.org")]
    assert queries.candidates(organisation).items == (
        queries.Candidate(trainee.id, "Tom", "Autumn"),
    )
    (row,) = [r for r in queries.organisations() if r.id == organisation.id]
    assert row.cohort_count == 1
