"""Feedback work that falls due by the calendar, run by ``flask notifications send-due``.

- **One automatic reminder** for a request that has waited :data:`REMIND_AFTER` days with
  no answer and no reminder yet (the trainee can remind by hand too; the limits of
  :func:`portfolio.feedback.services.remind` hold for both).
- **Erasing contact details** of external raters past their retention period
  (:func:`portfolio.feedback.services.erase_old_contacts`), as the link page promises.

Both are safe to run every few minutes: a request that was reminded is not reminded again
by this job, and an erased contact is not erased twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.feedback import services
from portfolio.feedback.models import FeedbackRequest, RequestStatus

#: Days a request waits before the one automatic reminder.
REMIND_AFTER = 7


def remind_waiting(today: date) -> int:
    """Remind, once, every request that has waited long enough; returns how many."""
    now = utcnow()
    waiting = db.session.scalars(
        select(FeedbackRequest).where(
            FeedbackRequest.status.in_([RequestStatus.SENT, RequestStatus.OPENED]),
            FeedbackRequest.reminders == 0,
            FeedbackRequest.created_at <= now - timedelta(days=REMIND_AFTER),
            FeedbackRequest.expires_at > now,
        )
    ).all()
    framework = current_app.extensions["framework"]
    reminded = 0
    for request in waiting:
        try:
            services.remind(None, request, framework)
        except services.FeedbackRefused:
            continue
        reminded += 1
    db.session.flush()
    return reminded


def erase_contacts(today: date) -> int:
    """Erase external raters' names and addresses past the retention period."""
    return services.erase_old_contacts(today)
