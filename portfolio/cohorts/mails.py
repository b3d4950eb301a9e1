"""The invitation e-mail: its text in the invitee's language, and sending it."""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portfolio.accounts.models import User
from portfolio.cohorts.models import Invitation
from portfolio.mail import send_mail


def place_name(invitation: Invitation) -> str:
    """Where an invitation leads, in words."""
    if invitation.cohort is not None:
        return invitation.cohort.name
    if invitation.organisation is not None:
        return invitation.organisation.name
    return ""


def mail_invitation(
    invitation: Invitation, link: str, actor: User | None, language: str | None
) -> bool:
    """Send the invitation's link; False when no mail server is set up."""
    with force_locale(language or "en"):
        body = render_template("mail/invitation.txt", invitation=invitation, link=link, actor=actor)
        subject = str(_("Invitation: %(place)s", place=place_name(invitation)))
    return send_mail(invitation.email, subject, body)
