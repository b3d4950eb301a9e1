"""The account services called directly, as the CLI calls them: each records its audit
event with the actor it was given, and refuses what the rules refuse."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.accounts import services
from portfolio.accounts.models import PasswordReset, User
from portfolio.audit.actions import Action
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import CohortMembership, CohortRole, InvitationStatus
from tests.factories import PASSWORD, make_invitation, make_password_reset, make_user

NEW_PASSWORD = "Seven quiet herons wade at dusk"


def _events(db, action: Action) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


def test_create_account_from_the_command_line_is_recorded_as_cli(db):
    user = services.create_account(
        None, email=" Ada@Example.org ", name=" Ada ", password=NEW_PASSWORD, actor_label="cli"
    )
    db.session.commit()
    assert (user.email, user.name, user.is_admin) == ("ada@example.org", "Ada", False)
    assert user.check_password(NEW_PASSWORD)
    (event,) = _events(db, Action.ACCOUNT_CREATED)
    assert (event.actor_id, event.actor_label, event.object_id) == (None, "cli", user.id)


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [
        ("not-an-address", NEW_PASSWORD, "email"),
        ("taken@example.org", NEW_PASSWORD, None),
        ("new@example.org", "password", "password"),
    ],
)
def test_create_account_refuses_with_the_field_it_is_about(db, email, password, field):
    make_user("taken@example.org")
    with pytest.raises(services.AccountRefused) as refused:
        services.create_account(None, email=email, name="Someone", password=password)
    assert refused.value.field == field
    assert _events(db, Action.ACCOUNT_CREATED) == []


def test_sign_in_keeps_the_books_for_a_success_and_a_failure(app, db):
    user = make_user("sam@example.org")
    failed = services.sign_in("sam@example.org", "not it at all", "192.0.2.1")
    assert (failed.user, failed.refused) == (None, None)
    ok = services.sign_in("sam@example.org", PASSWORD, "192.0.2.1")
    db.session.commit()
    assert ok.user is not None and ok.user.id == user.id
    assert db.session.get(User, user.id).last_sign_in_at is not None
    (failure,) = _events(db, Action.SIGN_IN_FAILED)
    assert (failure.actor_id, failure.actor_label, failure.object_id) == (
        None,
        "sam@example.org",
        user.id,
    )
    (success,) = _events(db, Action.SIGN_IN)
    assert success.actor_id == user.id


def test_profile_and_password_are_changed_by_the_person_only(db):
    user, other = make_user(), make_user()
    with pytest.raises(services.AccountRefused):
        services.update_profile(other, user, name="Someone else", language="nl")
    with pytest.raises(services.AccountRefused) as wrong:
        services.change_password(user, user, current="not it at all", new=NEW_PASSWORD)
    assert wrong.value.field == "current"
    services.update_profile(user, user, name=" New Name ", language="xx")
    version = user.session_version
    services.change_password(user, user, current=PASSWORD, new=NEW_PASSWORD)
    db.session.commit()
    assert (user.name, user.language) == ("New Name", None)
    assert user.check_password(NEW_PASSWORD) and user.session_version > version
    assert [e.actor_id for e in _events(db, Action.PROFILE_CHANGED)] == [user.id]
    assert [e.actor_id for e in _events(db, Action.PASSWORD_CHANGED)] == [user.id]


def test_choose_language_keeps_only_offered_languages(db):
    user = make_user()
    assert services.choose_language(user, "nl") is True
    assert services.choose_language(user, "xx") is False
    db.session.commit()
    assert db.session.get(User, user.id).language == "nl"


def test_reset_password_retires_every_link_and_records_the_person(db):
    user = make_user()
    token = make_password_reset(user)
    make_password_reset(user)
    reset = services.usable_reset(token)
    assert reset is not None
    services.reset_password(reset, NEW_PASSWORD)
    db.session.commit()
    assert services.usable_reset(token) is None
    assert all(r.used_at is not None for r in db.session.scalars(select(PasswordReset)))
    (event,) = _events(db, Action.PASSWORD_RESET)
    assert event.actor_id == user.id


def test_sign_up_with_invitation_makes_the_account_and_accepts_as_that_person(app, db):
    inviter = make_user()
    invitation, _token = make_invitation(email="new@example.org", invited_by=inviter)
    user = services.sign_up_with_invitation(
        invitation, name=" New Person ", password=NEW_PASSWORD, language="nl"
    )
    db.session.commit()
    assert (user.email, user.name, user.language) == ("new@example.org", "New Person", "nl")
    assert invitation.status is InvitationStatus.ACCEPTED
    (membership,) = db.session.scalars(select(CohortMembership))
    assert (membership.user_id, membership.role) == (user.id, CohortRole.TRAINEE)
    (created,) = _events(db, Action.ACCOUNT_CREATED)
    assert (created.actor_id, created.details) == (user.id, {"via": "invitation"})
    (accepted,) = _events(db, Action.INVITATION_ACCEPTED)
    assert accepted.actor_id == user.id
