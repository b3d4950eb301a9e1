"""Being an administrator opens no portfolio, through any path: no membership given to oneself.

And no pointless invitations: someone who already has the place is not invited again.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from portfolio.cohorts import invitations
from portfolio.cohorts.models import CohortMembership, CohortRole, GovernanceMembership, Invitation
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    login,
    make_cohort,
    make_invitation,
    make_organisation,
    make_user,
)

SELF = "You cannot invite yourself"


def _memberships(db, user):
    db.session.expire_all()
    cohorts = db.session.scalars(
        select(CohortMembership).where(CohortMembership.user_id == user.id)
    ).all()
    groups = db.session.scalars(
        select(GovernanceMembership).where(GovernanceMembership.user_id == user.id)
    ).all()
    return cohorts + groups


def _invitations(db):
    db.session.expire_all()
    return db.session.scalars(select(Invitation)).all()


def _actions(db):
    db.session.expire_all()
    return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


@pytest.fixture
def admin(db):
    return make_user("ada@example.org", "Ada Admin", admin=True)


@pytest.mark.parametrize("role", ["trainer", "trainee"])
def test_an_administrator_cannot_invite_themselves_into_a_cohort(client, db, admin, role):
    cohort = make_cohort()
    add_trainee(cohort, make_user(name="Tess Trainee"))
    login(client, admin)
    response = client.post(f"/cohorts/{cohort.id}", data={"email": "Ada@Example.org", "role": role})
    assert response.status_code == 200
    assert SELF in response.get_data(as_text=True)
    assert _invitations(db) == []
    assert _memberships(db, admin) == []


def test_an_administrator_cannot_invite_themselves_into_a_governance_group(client, db, admin):
    organisation = make_organisation()
    login(client, admin)
    html = client.post(
        f"/organisations/{organisation.id}", data={"email": "ada@example.org"}
    ).get_data(as_text=True)
    assert SELF in html
    assert _invitations(db) == []


def test_a_trainer_cannot_invite_themselves_either(client, db):
    cohort = make_cohort()
    trainer = make_user("tom@example.org")
    add_trainer(cohort, trainer)
    login(client, trainer)
    html = client.post(
        f"/cohorts/{cohort.id}", data={"email": "tom@example.org", "role": "trainee"}
    ).get_data(as_text=True)
    assert SELF in html
    assert _invitations(db) == []


def test_an_invitation_the_administrator_made_cannot_be_accepted_by_them(client, db, admin):
    """Made before this rule (or by any other path): refused at acceptance, and recorded."""
    cohort = make_cohort()
    _invitation, token = make_invitation(
        email="ada@example.org", role="trainer", cohort=cohort, invited_by=admin
    )
    login(client, admin)
    response = client.post(f"/invitations/accept/{token}")
    assert response.status_code == 403
    assert "You cannot accept an invitation you made yourself" in response.get_data(as_text=True)
    assert _memberships(db, admin) == []
    assert "self_grant_refused" in _actions(db)
    assert _invitations(db)[0].status == "pending"


def test_acceptance_checks_the_creator_whatever_the_address(db, admin):
    """Under another address: the service refuses when the creator is the one accepting."""
    organisation = make_organisation()
    invitation, _token = make_invitation(
        email="ada.private@example.org",
        role="governance",
        organisation=organisation,
        invited_by=admin,
    )
    with pytest.raises(invitations.SelfGrantRefused):
        invitations.accept(admin, invitation)
    assert _memberships(db, admin) == []


def test_the_command_line_cannot_invite_an_administrator(runner, db, admin):
    cohort = make_cohort()
    result = runner.invoke(
        args=[
            "users",
            "invite",
            "--email",
            "ada@example.org",
            "--cohort",
            str(cohort.id),
            "--role",
            "trainer",
        ]
    )
    assert result.exit_code == 1
    assert "belongs to an administrator" in result.output
    assert _invitations(db) == []


def test_an_administrator_cannot_accept_an_invitation_nobody_signed(client, db, admin):
    """A command-line invitation (no inviter) made before the address became an admin's."""
    cohort = make_cohort()
    _invitation, token = make_invitation(email="ada@example.org", role="trainer", cohort=cohort)
    login(client, admin)
    assert client.post(f"/invitations/accept/{token}").status_code == 403
    assert _memberships(db, admin) == []


def test_an_administrator_cannot_change_their_own_role(client, db, admin):
    cohort = make_cohort()
    membership = add_trainee(cohort, admin)  # given to them by someone else, earlier
    login(client, admin)
    response = client.post(
        f"/cohorts/{cohort.id}/members/{membership.id}/role", data={"role": "trainer"}
    )
    assert response.status_code == 303
    assert "You cannot change your own role" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership.id).role == CohortRole.TRAINEE


def test_resending_an_invitation_to_oneself_is_refused(client, db, admin):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    invitation, _token = make_invitation(
        email="ada@example.org", role="trainer", cohort=cohort, invited_by=trainer
    )
    login(client, admin)
    response = client.post(f"/invitations/{invitation.id}/resend")
    assert response.status_code == 303
    assert SELF in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _invitations(db)[0].invited_by_id == trainer.id


def test_a_second_administrator_can_invite_the_first(app, db, admin):
    """Two people: one invites, the other accepts. That is how an administrator trains."""
    cohort = make_cohort()
    other = make_user("bob@example.org", "Bob Admin", admin=True)
    inviter = app.test_client()
    login(inviter, other)
    html = inviter.post(
        f"/cohorts/{cohort.id}", data={"email": "ada@example.org", "role": "trainer"}
    ).get_data(as_text=True)
    assert "Send this link to ada@example.org" in html
    (invitation,) = _invitations(db)
    assert invitation.invited_by_id == other.id
    invitations.accept(admin, invitation)
    db.session.commit()
    assert [m.role for m in _memberships(db, admin)] == [CohortRole.TRAINER]


# --- someone who already has the place --------------------------------------------------


@pytest.mark.parametrize("role", ["trainee", "trainer"])
def test_inviting_a_member_in_the_same_role_says_so_and_makes_no_invitation(client, db, role):
    cohort = make_cohort()
    member = make_user("kim@example.org", "Kim Known")
    (add_trainee if role == "trainee" else add_trainer)(cohort, member)
    login(client, make_user(admin=True))
    html = client.post(
        f"/cohorts/{cohort.id}", data={"email": "kim@example.org", "role": role}
    ).get_data(as_text=True)
    assert f"Kim Known (kim@example.org) is already a {role} in this cohort" in html
    assert _invitations(db) == []


def test_inviting_a_trainee_as_trainer_is_still_possible(client, db):
    cohort = make_cohort()
    add_trainee(cohort, make_user("kim@example.org"))
    login(client, make_user(admin=True))
    html = client.post(
        f"/cohorts/{cohort.id}", data={"email": "kim@example.org", "role": "trainer"}
    ).get_data(as_text=True)
    assert "Send this link to kim@example.org" in html
    assert len(_invitations(db)) == 1


def test_inviting_a_governance_member_again_says_so(client, db):
    organisation = make_organisation("Gemeente Utrecht")
    add_governance(organisation, make_user("greta@example.org", "Greta Governance"))
    login(client, make_user(admin=True))
    html = client.post(
        f"/organisations/{organisation.id}", data={"email": "greta@example.org"}
    ).get_data(as_text=True)
    assert "is already in the governance group of Gemeente Utrecht" in html
    assert _invitations(db) == []
