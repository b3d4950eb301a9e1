"""The cohort services called directly, as the CLI and later the API call them: each
records its audit event with the actor it was given, and refuses what the rules refuse."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.audit.actions import Action
from portfolio.audit.models import AuditEvent
from portfolio.cohorts import invitations, services
from portfolio.cohorts.models import (
    CohortMembership,
    CohortRole,
    Invitation,
    InvitationRole,
    InvitationStatus,
    Organisation,
)
from tests.factories import (
    add_trainee,
    add_trainer,
    make_cohort,
    make_invitation,
    make_organisation,
    make_user,
)


def _events(db, action: Action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


def test_create_organisation_records_the_actor(db):
    admin = make_user(admin=True)
    organisation = services.create_organisation(admin, name="  Forlì  ", kind="region")
    db.session.commit()
    assert (organisation.name, organisation.kind, organisation.country) == ("Forlì", "region", "")
    (event,) = _events(db, Action.ORGANISATION_CREATED)
    assert (event.actor_id, event.object_id, event.details) == (
        admin.id,
        organisation.id,
        {"name": "Forlì"},
    )


def test_create_organisation_refuses_a_name_taken_in_another_case(db):
    admin = make_user(admin=True)
    make_organisation(name="Forlì")
    with pytest.raises(services.StructureRefused) as refused:
        services.create_organisation(admin, name="FORLÌ")
    assert refused.value.field == "name"
    assert db.session.scalar(select(Organisation.id).where(Organisation.name == "forlì")) is None
    assert _events(db, Action.ORGANISATION_CREATED) == []


def test_create_cohort_records_the_actor_and_refuses_an_end_before_the_start(db):
    admin = make_user(admin=True)
    organisation = make_organisation()
    with pytest.raises(services.StructureRefused) as refused:
        services.create_cohort(
            admin, organisation, name="Late", starts_on=date(2027, 3, 1), ends_on=date(2027, 2, 1)
        )
    assert refused.value.field == "ends_on"
    cohort = services.create_cohort(admin, organisation, name=" Spring ", location=" Oulu ")
    db.session.commit()
    assert (cohort.name, cohort.location, cohort.organisation_id) == (
        "Spring",
        "Oulu",
        organisation.id,
    )
    (event,) = _events(db, Action.COHORT_CREATED)
    assert (event.actor_id, event.object_id) == (admin.id, cohort.id)


def test_change_role_records_the_actor_and_refuses_ones_own_role(db):
    admin = make_user(admin=True)
    cohort = make_cohort()
    own = add_trainee(cohort, admin)
    other = add_trainee(cohort, make_user())
    with pytest.raises(services.RoleChangeRefused):
        services.change_role(admin, own, CohortRole.TRAINER)
    assert _events(db, Action.ROLE_CHANGED) == []
    services.change_role(admin, other, CohortRole.TRAINER)
    db.session.commit()
    assert db.session.get(CohortMembership, other.id).role is CohortRole.TRAINER
    (event,) = _events(db, Action.ROLE_CHANGED)
    assert event.actor_id == admin.id
    assert event.details["old"] == "trainee" and event.details["new"] == "trainer"


def test_remove_member_records_the_actor(db):
    admin = make_user(admin=True)
    cohort = make_cohort()
    membership = add_trainee(cohort, make_user())
    services.remove_member(admin, membership)
    db.session.commit()
    assert db.session.scalars(select(CohortMembership)).all() == []
    (event,) = _events(db, Action.MEMBER_REMOVED)
    assert (event.actor_id, event.object_id, event.details["role"]) == (
        admin.id,
        cohort.id,
        "trainee",
    )


def test_invite_records_the_inviter_and_refuses_oneself(app, db):
    cohort = make_cohort()
    trainer = make_user("tara@example.org")
    add_trainer(cohort, trainer)
    with pytest.raises(invitations.SelfGrantRefused):
        invitations.invite(
            trainer, email="Tara@Example.org", name="", role="trainer", cohort=cohort
        )
    sent = invitations.invite(
        trainer, email=" New@Example.org ", name="New", role="trainee", cohort=cohort
    )
    db.session.commit()
    assert sent.invitation.email == "new@example.org"
    assert sent.invitation.status is InvitationStatus.PENDING
    assert sent.invitation.invited_by_id == trainer.id
    assert sent.link.startswith("http") and not sent.mailed
    (event,) = _events(db, Action.INVITATION_SENT)
    assert (event.actor_id, event.details["role"], event.details["mailed"]) == (
        trainer.id,
        "trainee",
        False,
    )


def test_revoke_and_resend_refuse_an_invitation_no_longer_pending(db):
    admin = make_user(admin=True)
    invitation, _token = make_invitation(expires_in=timedelta(days=-1))
    assert invitation.status is InvitationStatus.EXPIRED
    assert invitations.revoke(admin, invitation) is False
    with pytest.raises(invitations.InvitationNotPending):
        invitations.resend(admin, invitation)
    assert _events(db, Action.INVITATION_REVOKED) == []
    assert _events(db, Action.INVITATION_RESENT) == []
    pending, _token = make_invitation()
    assert invitations.revoke(admin, pending) is True
    db.session.commit()
    assert pending.status is InvitationStatus.REVOKED
    (event,) = _events(db, Action.INVITATION_REVOKED)
    assert event.actor_id == admin.id


def test_accept_gives_the_place_with_the_accepting_person_as_actor(db):
    inviter = make_user(admin=True)
    organisation = make_organisation()
    invitation, _token = make_invitation(
        role=InvitationRole.GOVERNANCE, organisation=organisation, invited_by=inviter
    )
    person = make_user(invitation.email)
    invitations.accept(person, invitation)
    db.session.commit()
    assert invitation.status is InvitationStatus.ACCEPTED
    assert invitation.accepted_by_id == person.id
    (event,) = _events(db, Action.INVITATION_ACCEPTED)
    assert (event.actor_id, event.object_id) == (person.id, invitation.id)
    with pytest.raises(invitations.InvitationNotPending):
        invitations.accept(person, invitation)


def test_accepting_ones_own_invitation_is_refused_and_recorded(db):
    admin = make_user(admin=True)
    invitation, _token = make_invitation(email=admin.email, invited_by=admin)
    with pytest.raises(invitations.SelfGrantRefused):
        invitations.accept(admin, invitation)
    db.session.commit()
    assert db.session.get(Invitation, invitation.id).status is InvitationStatus.PENDING
    (event,) = _events(db, Action.SELF_GRANT_REFUSED)
    assert event.actor_id == admin.id
    assert db.session.scalars(select(CohortMembership)).all() == []
