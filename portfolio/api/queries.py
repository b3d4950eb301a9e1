"""Reading personal access tokens for their owner's page (never the hash)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portfolio.api.models import AccessToken, TokenScope
from portfolio.clock import aware
from portfolio.extensions import db


@dataclass(frozen=True)
class TokenRow:
    """One token on its owner's list."""

    id: int
    name: str
    scope: TokenScope
    hint: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    usable: bool


def tokens_of(user_id: int, now: datetime) -> list[TokenRow]:
    """The tokens of ``user_id``, newest first: usable ones, then expired and revoked ones."""
    rows = db.session.scalars(
        select(AccessToken)
        .where(AccessToken.user_id == user_id)
        .order_by(AccessToken.created_at.desc(), AccessToken.id.desc())
    ).all()
    found = [
        TokenRow(
            t.id,
            t.name,
            t.scope,
            t.hint,
            aware(t.created_at),
            aware(t.expires_at),
            aware(t.revoked_at) if t.revoked_at else None,
            t.usable_at(now),
        )
        for t in rows
    ]
    return sorted(found, key=lambda r: not r.usable)
