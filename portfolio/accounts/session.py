"""The signed-in person: loading them for each request, and what they are.

The user loader reads the account and the role flags the navigation asks about in one
statement, so no page pays a second round trip to learn whether to show "My evidence".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import flask_login
from flask import g
from sqlalchemy import Integer, bindparam, exists, select

from portfolio.accounts.models import User
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.extensions import db
from portfolio.notifications.queries import unread_count_of
from portfolio.paging import AnySelect


@dataclass(frozen=True)
class SignedInRoles:
    """What the signed-in person is, as far as every page's navigation needs to know."""

    user_id: int
    #: A trainee in at least one cohort (their own evidence library is in the navigation).
    is_trainee: bool


@cache
def _user_statement() -> AnySelect:
    """The account with its role flags (one statement; built once per process)."""
    user_id = bindparam("user_id", type_=Integer)
    trainee = exists().where(
        CohortMembership.user_id == User.id, CohortMembership.role == CohortRole.TRAINEE
    )
    unread = unread_count_of(User.id).label("unread")
    return select(User, trainee.label("is_trainee"), unread).where(User.id == user_id)


def load_user(identity: str) -> User | None:
    """Find the session's user, from the session cookie or the remember-me cookie.

    Both carry ``User.get_id()``, id and session version: a cookie made before a sign-out,
    a password change or a deactivation names an older version and opens nothing. The role
    flags and the unread notifications come with the account (:func:`signed_in_roles`).
    """
    user_id, _sep, version = identity.partition(":")
    if not user_id.isdigit():
        return None
    row = db.session.execute(_user_statement(), {"user_id": int(user_id)}).first()
    if row is None:
        return None
    user: User = row[0]
    if not user.active or str(user.session_version) != version:
        return None
    g.signed_in_roles = SignedInRoles(user.id, bool(row[1]))
    # The navigation's unread count (portfolio.notifications.unread_notifications).
    g.unread_notifications = int(row[2] or 0)
    return user


def signed_in_roles(user: User) -> SignedInRoles:
    """The role flags of ``user``, the signed-in person: as loaded with them, or (someone
    who signed in during this request) asked now."""
    known: SignedInRoles | None = g.get("signed_in_roles")
    if known is not None and known.user_id == user.id:
        return known
    is_trainee = db.session.scalar(
        select(
            exists().where(
                CohortMembership.user_id == user.id, CohortMembership.role == CohortRole.TRAINEE
            )
        )
    )
    roles = SignedInRoles(user.id, bool(is_trainee))
    g.signed_in_roles = roles
    return roles


def signed_in_user() -> User:
    """The signed-in account itself (not the proxy); only where someone is signed in."""
    user = flask_login.current_user._get_current_object()
    if not isinstance(user, User):
        raise RuntimeError("nobody is signed in")
    return user
