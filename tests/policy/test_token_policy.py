"""The rules for personal access tokens, for every role."""

from __future__ import annotations

from datetime import timedelta

from portfolio import policy
from portfolio.api.models import AccessToken, TokenScope
from portfolio.clock import utcnow
from tests.policy.conftest import ROLES, World

SIGNED_IN = {
    "administrator",
    "trainer_a",
    "trainee_a",
    "trainee_b",
    "governance_a",
    "governance_other",
}


def _token(world: World, scope: TokenScope = TokenScope.OWN) -> AccessToken:
    return AccessToken(
        id=1,
        user_id=world.trainee_a.id,
        name="Phone",
        scope=scope,
        token_hash="x" * 64,
        created_at=utcnow(),
        expires_at=utcnow() + timedelta(days=30),
    )


def test_everyone_with_an_account_manages_their_own_tokens(viewers, world):
    for role in ROLES:
        assert policy.can_manage_tokens(viewers[role]) == (role in SIGNED_IN), role


def test_only_the_owner_revokes_a_token(viewers, world):
    token = _token(world)
    for role in ROLES:
        assert policy.can_revoke_token(viewers[role], token) == (role == "trainee_a"), role


def test_a_scope_opens_its_own_routes_and_the_general_ones():
    token = AccessToken(scope=TokenScope.COHORTS)
    assert policy.scope_allows(token, None)
    assert policy.scope_allows(token, TokenScope.COHORTS)
    assert not policy.scope_allows(token, TokenScope.OWN)
