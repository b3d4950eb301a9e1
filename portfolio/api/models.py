"""Personal access tokens: a person's key to the read-only API, stored only as a hash."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import aware, utcnow
from portfolio.extensions import Model, enum_column


class TokenScope(enum.StrEnum):
    """What a token may read: never more than its owner sees on the pages, and only this."""

    #: The owner's own rounds, ratings, reflections and feedback.
    OWN = "own"
    #: The cohorts the owner trains.
    COHORTS = "cohorts"
    #: The candidates of the organisations whose governance group the owner sits in.
    CANDIDATES = "candidates"


class AccessToken(Model):
    """A named, scoped, expiring token for the API; revoked tokens are kept (revoked_at)."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The first characters of the token, so its owner can tell tokens apart.
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    def usable_at(self, now: datetime) -> bool:
        """Not revoked and not expired at ``now``."""
        return self.revoked_at is None and aware(self.expires_at) > now

    @property
    def usable(self) -> bool:
        """Not revoked and not expired now."""
        return self.usable_at(utcnow())
