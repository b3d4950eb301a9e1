"""The rules that take two people, and the helpers views use to answer a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from flask_login import AnonymousUserMixin
from werkzeug.exceptions import Forbidden, NotFound

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.cohorts.models import CohortRole
from portfolio.extensions import db
from portfolio.policy import LinkHolder, LinkPurpose
from tests.factories import add_trainer, make_cohort, make_invitation
from tests.policy.conftest import World


def test_an_administrator_may_not_change_their_own_role(world: World, administrator: User) -> None:
    own = add_trainer(make_cohort(), administrator)
    assert policy.can_change_role_of(administrator, world.membership_a)
    assert not policy.can_change_role_of(administrator, own)


def test_an_administrator_may_not_close_their_own_account(administrator: User) -> None:
    assert not policy.can_deactivate(administrator, administrator)


def test_reset_links_are_for_other_open_accounts(administrator: User, trainee_a: User) -> None:
    assert not policy.can_issue_reset_link(administrator, administrator)
    trainee_a.active = False
    db.session.commit()
    assert not policy.can_issue_reset_link(administrator, trainee_a)


def test_inviting_ones_own_address_is_inviting_oneself(trainer_a: User) -> None:
    assert policy.invites_self(trainer_a, f"  {trainer_a.email.upper()} ")
    assert not policy.invites_self(trainer_a, "someone.else@example.org")
    assert not policy.invites_self(None, trainer_a.email)  # the command line


def test_nobody_accepts_their_own_invitation(trainer_a: User, trainee_b: User) -> None:
    invitation, _ = make_invitation(invited_by=trainer_a, role=CohortRole.TRAINER.value)
    assert not policy.can_accept_invitation(trainer_a, invitation)
    assert policy.can_accept_invitation(trainee_b, invitation)


def test_an_administrator_does_not_accept_an_unsigned_invitation(
    administrator: User, trainee_b: User
) -> None:
    invitation, _ = make_invitation(invited_by=None)
    assert not policy.can_accept_invitation(administrator, invitation)
    assert policy.can_accept_invitation(trainee_b, invitation)


def test_an_administrator_accepts_an_invitation_another_person_signed(
    administrator: User, trainer_a: User
) -> None:
    invitation, _ = make_invitation(invited_by=trainer_a)
    assert policy.can_accept_invitation(administrator, invitation)


def test_signed_in_is_the_account_or_nobody(
    trainee_a: User, anonymous: AnonymousUserMixin, link_holder: LinkHolder
) -> None:
    assert policy.signed_in(trainee_a) is trainee_a
    assert policy.signed_in(anonymous) is None
    assert policy.signed_in(link_holder) is None
    assert policy.signed_in(None) is None


def test_a_link_holder_holds_what_the_link_grants_and_nothing_more(world: World) -> None:
    holder = LinkHolder(link_id=7, purpose=LinkPurpose.FEEDBACK_RESPONSE, target_id=3)
    assert holder.grants(LinkPurpose.FEEDBACK_RESPONSE, 3)
    assert not holder.grants(LinkPurpose.FEEDBACK_RESPONSE, 4)
    assert not holder.is_authenticated
    with pytest.raises(AttributeError):
        holder.target_id = 4  # type: ignore[misc]


def test_require_view_answers_404_and_require_403(app: Any) -> None:
    policy.require_view(True)
    policy.require(True)
    with pytest.raises(NotFound):
        policy.require_view(False)
    with pytest.raises(Forbidden):
        policy.require(False)
    with pytest.raises(NotFound):
        policy.not_found()
