"""Personal access tokens and the API: who makes and revokes tokens, what a scope opens.

A token acts for its owner: every API handler asks the same policy functions as the pages,
with the owner as the viewer, so a token never reaches more than its owner sees. The scope
narrows it further: a route reads only with a token of its own scope.
"""

from __future__ import annotations

from portfolio.api.models import AccessToken, TokenScope
from portfolio.policy.viewers import Viewer, signed_in


def can_manage_tokens(viewer: Viewer) -> bool:
    """Everyone with an account makes and lists their own tokens."""
    return signed_in(viewer) is not None


def can_revoke_token(viewer: Viewer, token: AccessToken) -> bool:
    """Only the token's owner revokes it (and sees that it exists)."""
    user = signed_in(viewer)
    return user is not None and user.id == token.user_id


def scope_allows(token: AccessToken, needed: TokenScope | None) -> bool:
    """The token's scope opens a route of scope ``needed`` (None: any token, such as /me)."""
    return needed is None or token.scope == needed
