"""Making and revoking personal access tokens, and finding the one a request carries.

The plain token is returned once, at creation, for the page to show; only its SHA-256 is
stored. A token works while it is neither revoked nor expired and its owner's account is
open: closing an account stops its tokens at once (and revokes them, so reopening the
account does not bring them back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from portfolio.accounts.models import User
from portfolio.api.models import AccessToken, TokenScope
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.tokens import hash_token, new_prefixed_token

#: Every token starts with this, so people and secret scanners recognise one.
TOKEN_PREFIX = "dtp_"
#: A token lives this long unless its owner chooses otherwise.
DEFAULT_LIFETIME = timedelta(days=30)
#: And at most this long.
MAX_LIFETIME = timedelta(days=365)


class TokenRefused(Exception):
    """A token cannot be made as asked; the message says why, in words."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class NewToken:
    """A token just made: the stored row and the plain token, shown this once."""

    token: AccessToken
    plain: str


def default_expiry(today: date) -> date:
    """The expiry date the form proposes."""
    return today + DEFAULT_LIFETIME


def latest_expiry(today: date) -> date:
    """The last expiry date a new token may have."""
    return today + MAX_LIFETIME


def _end_of(day: date) -> datetime:
    """A token that expires "on" a day works until that day ends (UTC)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)


def create_token(
    actor: User, *, name: str, scope: TokenScope, expires_on: date, today: date
) -> NewToken:
    """Make a token for ``actor``, valid until the end of ``expires_on``."""
    name = name.strip()
    if not name:
        raise TokenRefused(_("Give the token a name."), field="name")
    if expires_on < today:
        raise TokenRefused(_("Choose an expiry date from today on."), field="expires_on")
    if expires_on > latest_expiry(today):
        raise TokenRefused(
            _("A token can last at most a year: choose an earlier expiry date."),
            field="expires_on",
        )
    plain, digest = new_prefixed_token(TOKEN_PREFIX)
    token = AccessToken(
        user_id=actor.id,
        name=name[:80],
        scope=scope,
        token_hash=digest,
        hint=plain[: len(TOKEN_PREFIX) + 4],
        created_at=utcnow(),
        expires_at=_end_of(expires_on),
    )
    db.session.add(token)
    db.session.flush()
    record(
        Action.API_TOKEN_CREATED,
        actor=actor,
        target=actor,
        token=token.name,
        scope=token.scope.value,
        expires=expires_on.isoformat(),
    )
    db.session.flush()
    return NewToken(token, plain)


def revoke_token(actor: User, token: AccessToken) -> bool:
    """Revoke a token at once; False if it was revoked already."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    record(Action.API_TOKEN_REVOKED, actor=actor, target=token.user, token=token.name)
    db.session.flush()
    return True


def revoke_all_of(user: User) -> None:
    """Revoke every token of ``user`` (their account is being closed)."""
    db.session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def find_usable_token(plain: str) -> AccessToken | None:
    """The usable token whose hash matches ``plain``, with its open account; else None."""
    if not plain.startswith(TOKEN_PREFIX) or len(plain) > 200:
        return None
    token = db.session.scalar(
        select(AccessToken).where(AccessToken.token_hash == hash_token(plain))
    )
    if token is None or not token.usable or not token.user.active:
        return None
    return token
