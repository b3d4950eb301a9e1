"""The password-reset e-mail: its text in the person's language, and sending it."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portfolio.accounts.models import User
from portfolio.mail import send_mail


def mail_reset(user: User, link: str, language: str | None = None) -> bool:
    """Send ``user`` the link to choose a new password; False when no mail is set up."""
    with force_locale(user.language or language or "en"):
        body = render_template("mail/password_reset.txt", user=user, link=link)
        subject = str(_("Choose a new password"))
    return send_mail(user.email, subject, body)
