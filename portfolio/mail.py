"""Sending e-mail over SMTP (standard library), when a server is configured.

:func:`send_mail` sends and answers True or False; :func:`deliver` raises
:class:`MailError` instead, for callers that keep the error and try again later (the
notifications). Both send plain text, and with ``html`` a multipart/alternative message
with the same content as HTML.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)


class MailError(Exception):
    """The message could not be sent. ``unreachable``: the server could not be reached at all
    (so sending more messages now is pointless)."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


def mail_configured() -> bool:
    """True when MAIL_SERVER is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def build_message(to: str, subject: str, body: str, html: str | None = None) -> EmailMessage:
    """A message from the configured sender: plain text, and HTML as its alternative."""
    message = EmailMessage()
    message["From"] = current_app.config.get("MAIL_SENDER", "portfolio@localhost")
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def deliver(message: EmailMessage) -> None:
    """Send ``message`` to the configured server; raises :class:`MailError` on failure."""
    config = current_app.config
    if not mail_configured():
        raise MailError("no mail server is configured (MAIL_SERVER)")
    try:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=15)
    except OSError as exc:
        raise MailError(f"cannot reach the mail server: {exc}", unreachable=True) from exc
    try:
        with smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(str(exc) or type(exc).__name__) from exc


def send_mail(to: str, subject: str, body: str, html: str | None = None) -> bool:
    """Send a message (plain text, or text and HTML); False when no server is configured or
    sending failed."""
    if not mail_configured():
        return False
    try:
        deliver(build_message(to, subject, body, html))
    except MailError as exc:
        log.warning("Could not send mail to %s: %s", to, exc)
        return False
    return True
