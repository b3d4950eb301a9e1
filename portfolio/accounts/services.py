"""Changes to accounts: ending sessions, deactivating, password-reset links.

Services take an explicit actor, write the audit event and flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from portfolio.accounts.models import PasswordReset, User
from portfolio.audit import Action, record
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.mail import mail_configured, send_mail
from portfolio.urls import absolute_url

RESET_LIFETIME = timedelta(hours=2)


@dataclass
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


def _mail_reset(user: User, link: str, language: str | None = None) -> bool:
    with force_locale(user.language or language or "en"):
        body = render_template("mail/password_reset.txt", user=user, link=link)
        subject = _("Choose a new password")
    return send_mail(user.email, subject, body)


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
    mailed = _mail_reset(user, link, language)
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


def reset_requested(email: str, language: str | None) -> None:
    """The work behind ``/forgot-password``, done after the answer went out."""
    user = find_user(email)
    if user is None or not user.active:
        return
    issue_reset(None, user, language=language)
    db.session.commit()
