"""The tasks background work can do, by name (see :mod:`portfolio.jobs`)."""

from __future__ import annotations

from portfolio.jobs import task


@task("notifications.send")
def send_notifications(ids: list[int]) -> None:
    """Send the e-mails of these notifications (those not sent yet)."""
    from portfolio.notifications.sending import send_pending

    send_pending(ids)


@task("accounts.reset_requested")
def reset_requested(email: str, language: str | None) -> None:
    """The work behind ``/forgot-password``: a link for an open account with that address."""
    from portfolio.accounts import services

    services.reset_requested(email, language)
