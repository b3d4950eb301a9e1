"""Telling people about feedback: the request (and reminder) to the rater, with their link.

The link is built on BASE_URL (:func:`portfolio.urls.absolute_url`); the e-mail is in the
language the trainee chose for the rater. Without a mail server the link is written to the
log as one WARNING line, and the trainee's page shows it to pass on by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _

from portfolio.accounts.models import User
from portfolio.competencies.texts import localized
from portfolio.dates import date_text
from portfolio.feedback.models import FeedbackRequest
from portfolio.feedback.queries import threshold
from portfolio.framework import Framework
from portfolio.mail import mail_configured, send_mail
from portfolio.urls import absolute_url


@dataclass(frozen=True)
class Delivery:
    """Where the rater's link points, and whether an e-mail went out."""

    link: str
    mailed: bool


def rater_link(request: FeedbackRequest, token: str) -> str:
    """The rater's page: the personal link for someone without an account, else the
    request in their dashboard list (they sign in)."""
    if request.rater_user_id is not None:
        return absolute_url("feedback.landing_member", request_id=request.id)
    return absolute_url("feedback.landing", token=token)


def announce(
    request: FeedbackRequest, token: str, trainee: User, framework: Framework, *, reminder: bool
) -> Delivery:
    """Send the request (or a reminder) to the rater; returns the link and whether it was mailed."""
    link = rater_link(request, token)
    language = request.language
    with force_locale(language):
        group = framework.feedback.group(request.rater_group)
        body = render_template(
            "mail/feedback_request.txt",
            request=request,
            trainee=trainee,
            link=link,
            reminder=reminder,
            group=localized(group.label, language) if group else "",
            expires=date_text(request.expires_at.date()),
            threshold=threshold(),
        )
        subject = (
            str(_("Reminder: %(name)s asks for your feedback", name=trainee.name))
            if reminder
            else str(_("%(name)s asks for your feedback", name=trainee.name))
        )
    mailed = send_mail(request.rater_email, subject, body)
    if not mail_configured():
        current_app.logger.warning(
            "E-mail is not set up, so this feedback request of %s to %s was not sent: %s",
            trainee.email,
            request.rater_email,
            link,
        )
    return Delivery(link, mailed)
