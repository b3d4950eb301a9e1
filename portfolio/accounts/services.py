"""Changes to accounts: creating them, signing in and out, passwords, profile, language.

Services take an explicit actor, check the rules, write the audit event and flush; the
caller (a view or a CLI command) commits. Refusals are exceptions carrying the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from portfolio.accounts import throttle
from portfolio.accounts.mails import mail_reset
from portfolio.accounts.models import PasswordReset, User
from portfolio.accounts.passwords import password_problem
from portfolio.api.services import revoke_all_of
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.mail import mail_configured
from portfolio.tokens import hash_token
from portfolio.urls import absolute_url

if TYPE_CHECKING:
    from portfolio.cohorts.models import Invitation

RESET_LIFETIME = timedelta(hours=2)


class AccountRefused(Exception):
    """An account change that is not made; ``field`` names the input it is about."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class IssuedReset:
    """A password-reset link and whether it went out by e-mail."""

    user: User
    link: str
    mailed: bool


def find_user(email: str) -> User | None:
    """The account with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def retire_resets(user: User) -> None:
    """Make every unused password-reset link of ``user`` stop working."""
    for reset in db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        reset.used_at = utcnow()


def sign_out_everywhere(user: User) -> None:
    """Sign-out: every session and remember-me cookie of ``user`` stops working."""
    user.end_sessions()
    record(Action.SIGN_OUT, actor=user, target=user)
    db.session.flush()


def deactivate(actor: User | None, user: User, *, actor_label: str | None = None) -> bool:
    """Close an account: it cannot sign in, and its sessions end. False if already closed."""
    if not user.active:
        return False
    user.active = False
    user.end_sessions()  # so that reactivating does not bring old sessions back
    retire_resets(user)
    revoke_all_of(user)  # nor its API tokens
    record(
        Action.ACCOUNT_DEACTIVATED,
        actor=actor,
        target=user,
        actor_label=actor_label,
        user=user.email,
    )
    db.session.flush()
    return True


def reactivate(actor: User | None, user: User, *, actor_label: str | None = None) -> bool:
    """Open a closed account again (with its old password). False if it was open."""
    if user.active:
        return False
    user.active = True
    record(
        Action.ACCOUNT_REACTIVATED,
        actor=actor,
        target=user,
        actor_label=actor_label,
        user=user.email,
    )
    db.session.flush()
    return True


def log_unsent_link(what: str, email: str, link: str) -> None:
    """Without a mail server, put the link where the person running the server sees it."""
    current_app.logger.warning(
        "E-mail is not set up, so this %s for %s was not sent: %s", what, email, link
    )


def issue_reset(
    actor: User | None,
    user: User,
    *,
    language: str | None = None,
    actor_label: str | None = None,
) -> IssuedReset:
    """Make a password-reset link for ``user``; mail it when a mail server is set up.

    Without one the link is written to the console log. ``actor`` is the administrator who
    made it; None with ``actor_label`` for the command line, None alone when the person
    asked for it themselves (``/forgot-password``).
    """
    reset, token = PasswordReset.issue(user, RESET_LIFETIME)
    db.session.add(reset)
    db.session.flush()
    link = absolute_url("accounts.reset_password", token=token)
    mailed = mail_reset(user, link, language)
    if not mail_configured():
        log_unsent_link("password-reset link (valid for two hours)", user.email, link)
    by_self = actor is None and actor_label is None
    record(
        Action.PASSWORD_RESET_LINK_ISSUED,
        actor=user if by_self else actor,
        actor_label=actor_label,
        target=user,
        user=None if by_self else user.email,
        mailed=mailed,
    )
    db.session.flush()
    return IssuedReset(user=user, link=link, mailed=mailed)


def reset_requested(email: str, language: str | None) -> IssuedReset | None:
    """The work behind ``/forgot-password``, done after the answer went out: a link for
    an open account with that address (None when there is none)."""
    user = find_user(email)
    if user is None or not user.active:
        return None
    return issue_reset(None, user, language=language)


def request_reset(email: str) -> None:
    """Someone asked for a reset link for ``email``: only the request is recorded now."""
    record(Action.PASSWORD_RESET_REQUESTED, actor_label=email)
    db.session.flush()


def usable_reset(token: str) -> PasswordReset | None:
    """The password reset behind a link, while it is unused and not expired."""
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    )
    return reset if reset is not None and reset.usable else None


def reset_password(reset: PasswordReset, password: str) -> User:
    """Choose a new password through a reset link: every link and session of the account ends."""
    if not reset.usable:
        raise AccountRefused("This link no longer works.")
    user = reset.user
    user.set_password(password)
    retire_resets(user)  # this link, and any other one still out there
    record(Action.PASSWORD_RESET, actor=user, target=user)
    db.session.flush()
    return user


# --- signing in ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInOutcome:
    """What a sign-in attempt came to: the account to sign in, a wait, or neither (failed)."""

    user: User | None = None
    refused: throttle.Refusal | None = None


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the e-mail address is unknown, so both answers take equally long."""
    return generate_password_hash("not-a-real-password")


def sign_in(email: str, password: str, address: str) -> SignInOutcome:
    """Check a sign-in and keep the books: throttle counters, last sign-in, audit.

    While a wait runs (``accounts.throttle``) the password is not checked. Otherwise one
    hash check runs whatever the account's state, so the time taken reveals nothing.
    """
    user = find_user(email)
    refused = throttle.refusal(email, address) if throttle.enabled() else None
    if refused is not None:
        record(
            Action.SIGN_IN_REFUSED,
            actor_label=email,
            target=user,
            limit=refused.reason,
            wait_seconds=refused.seconds,
        )
        db.session.flush()
        return SignInOutcome(refused=refused)
    if user is None:
        check_password_hash(_dummy_hash(), password)
    elif user.check_password(password) and user.active:
        user.last_sign_in_at = utcnow()
        throttle.clear_account(email)
        record(Action.SIGN_IN, actor=user, target=user)
        db.session.flush()
        return SignInOutcome(user=user)
    throttle.record_failure(email, address)
    record(Action.SIGN_IN_FAILED, actor_label=email, target=user)
    db.session.flush()
    return SignInOutcome()


# --- creating accounts ---------------------------------------------------------------------


def known_language(code: str | None) -> str | None:
    """``code`` when the application offers that language, else None (follow the browser)."""
    languages: list[str] = current_app.config["LANGUAGES"]
    return code if code in languages else None


def create_account(
    actor: User | None,
    *,
    email: str,
    name: str,
    password: str,
    admin: bool = False,
    actor_label: str | None = None,
) -> User:
    """Make an account (the command line: ``actor`` None, ``actor_label="cli"``).

    Refused with :class:`AccountRefused` for an address that is not one, an address that
    has an account already, or a password the rules refuse.
    """
    email = email.strip().lower()
    if "@" not in email:
        raise AccountRefused("enter an e-mail address like name@example.org", field="email")
    if find_user(email) is not None:
        raise AccountRefused(f"An account for {email} already exists.")
    problem = password_problem(password, email=email, name=name)
    if problem:
        raise AccountRefused(problem, field="password")
    user = User(email=email, name=name.strip(), is_admin=admin)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(Action.ACCOUNT_CREATED, actor=actor, target=user, actor_label=actor_label, admin=admin)
    db.session.flush()
    return user


def sign_up_with_invitation(
    invitation: Invitation, *, name: str, password: str, language: str | None
) -> User:
    """Make the account an invitation was sent to, and accept the invitation with it.

    The new person is the actor of both. ``language`` is the one chosen before signing up
    (kept only when the application offers it).
    """
    from portfolio.cohorts import invitations

    if find_user(invitation.email) is not None:
        raise AccountRefused(f"An account for {invitation.email} already exists.")
    user = User(email=invitation.email, name=name.strip())
    user.set_password(password)
    user.language = known_language(language)
    db.session.add(user)
    db.session.flush()
    record(Action.ACCOUNT_CREATED, actor=user, target=user, via="invitation")
    invitations.accept(user, invitation)
    return user


# --- your own account ----------------------------------------------------------------------


def _require_self(actor: User, user: User) -> None:
    if actor.id != user.id:
        raise AccountRefused("Only the person themselves changes this.")


def update_profile(actor: User, user: User, *, name: str, language: str | None) -> None:
    """Change one's own name and interface language (None follows the browser)."""
    _require_self(actor, user)
    user.name = name.strip()
    user.language = known_language(language)
    record(Action.PROFILE_CHANGED, actor=actor, target=user)
    db.session.flush()


def change_password(actor: User, user: User, *, current: str, new: str) -> None:
    """Change one's own password, knowing the current one; every other session ends."""
    _require_self(actor, user)
    if not user.check_password(current):
        raise AccountRefused(_("This is not your current password."), field="current")
    user.set_password(new)
    retire_resets(user)
    record(Action.PASSWORD_CHANGED, actor=actor, target=user)
    db.session.flush()


def choose_language(actor: User, language: str) -> bool:
    """Keep the interface language ``actor`` chose on their profile; False if not offered."""
    code = known_language(language)
    if code is None:
        return False
    actor.language = code
    db.session.flush()
    return True
