"""People: accounts and the one-time tokens that let them in."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portfolio.clock import aware, utcnow
from portfolio.extensions import Model
from portfolio.tokens import new_token


class User(UserMixin, Model):
    """Someone with an account: trainee, trainer, governance member or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8), default=None)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on sign-out, password change and deactivation: every session and remember-me
    # cookie carries the number it was made with (``get_id``) and stops working after a bump.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def is_active(self) -> bool:
        """Deactivated accounts cannot sign in."""
        return self.active

    def get_id(self) -> str:
        """Session identity: the id plus the session version."""
        return f"{self.id}:{self.session_version}"

    def set_password(self, password: str) -> None:
        """Hash and store a new password; other sessions are signed out."""
        self.password_hash = generate_password_hash(password)
        self.end_sessions()

    def end_sessions(self) -> None:
        """Make every session and remember-me cookie of this account stop working."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        """True when ``password`` is this user's password."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class PasswordReset(Model):
    """A single-use, expiring link to choose a new password."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @classmethod
    def issue(cls, user: User, lifetime: timedelta) -> tuple[PasswordReset, str]:
        """Create a reset for ``user``; returns it with the plain token for the link."""
        token, digest = new_token()
        reset = cls(user=user, token_hash=digest, expires_at=utcnow() + lifetime)
        return reset, token

    @property
    def usable(self) -> bool:
        """Not used and not expired."""
        return self.used_at is None and aware(self.expires_at) > utcnow()


class SignInFailure(Model):
    """Recent failed sign-ins for one key: ``account:<e-mail>`` or ``address:<IP address>``.

    Kept in the database, so every worker process sees the same count. A row is forgotten
    once its last failure is older than the throttle's memory (see ``accounts.throttle``).
    """

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
