"""Sending the e-mails of notifications: what is pending, and failed tries again later.

Unlike a service, this commits, once per message: a row is taken (its ``attempts`` counted
and ``next_attempt_at`` moved on, in one conditional UPDATE that only one sender can win)
and committed before the message goes out, and the outcome is committed right after. So a
message is never sent twice by two senders (the request that made it, a cron run), and a
sender that dies between taking and sending leaves the row to be tried again after the
wait.

A failed try waits :data:`BACKOFF` [attempt − 1] before the next; after
:data:`MAX_ATTEMPTS` tries the row stays ``failed`` for good (the in-app entry is there
regardless). When the server cannot be reached at all, the rest of the batch waits for the
next run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.mail import MailError, build_message, deliver, mail_configured
from portfolio.notifications.models import EmailState, Notification

#: How long to wait after the n-th failed try before the next one.
BACKOFF = (
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
    timedelta(hours=4),
    timedelta(hours=12),
)
#: Tries in all: the first, then one after each wait.
MAX_ATTEMPTS = len(BACKOFF) + 1
#: Messages per run at most (the rest wait for the next run).
BATCH = 500


@dataclass(frozen=True)
class SendReport:
    """What one round of sending did."""

    sent: int = 0
    failed: int = 0
    gave_up: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.failed} failed, {self.gave_up} given up"


def _wait_after(attempt: int) -> timedelta:
    return BACKOFF[min(attempt, len(BACKOFF)) - 1]


def _due(now: datetime, ids: Iterable[int] | None) -> list[tuple[int, int]]:
    query = (
        select(Notification.id, Notification.attempts)
        .where(
            Notification.email_state.in_((EmailState.PENDING, EmailState.FAILED)),
            Notification.attempts < MAX_ATTEMPTS,
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
        .order_by(Notification.id)
        .limit(BATCH)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    return [(row.id, row.attempts) for row in db.session.execute(query)]


def _take(notification_id: int, attempts: int, now: datetime) -> bool:
    """Claim one row for this sender; False when another sender was first."""
    result = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.attempts == attempts,
            Notification.email_state.in_((EmailState.PENDING, EmailState.FAILED)),
            or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now),
        )
        .values(attempts=attempts + 1, next_attempt_at=now + _wait_after(attempts + 1))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(getattr(result, "rowcount", 0))


def send_pending(ids: Iterable[int] | None = None, *, now: datetime | None = None) -> SendReport:
    """Send the e-mails that are due (of ``ids`` only, when given); commits per message."""
    if not mail_configured():
        return SendReport()
    now = now or utcnow()
    sent = failed = gave_up = 0
    for notification_id, attempts in _due(now, ids):
        if not _take(notification_id, attempts, now):
            continue
        notification = db.session.get(Notification, notification_id)
        if notification is None:  # pragma: no cover - deleted in between
            continue
        try:
            deliver(
                build_message(
                    notification.email, notification.subject, notification.text, notification.html
                )
            )
        except (MailError, ValueError) as exc:  # ValueError: an address no header can carry
            notification.email_state = EmailState.FAILED
            notification.last_error = str(exc)[:500]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.next_attempt_at = None
                gave_up += 1
                current_app.logger.error(
                    "Gave up sending notification %s to %s after %s tries: %s",
                    notification.id,
                    notification.email,
                    notification.attempts,
                    exc,
                )
            else:
                failed += 1
            db.session.commit()
            if isinstance(exc, MailError) and exc.unreachable:
                break
            continue
        notification.email_state = EmailState.SENT
        notification.sent_at = utcnow()
        notification.next_attempt_at = None
        notification.last_error = ""
        db.session.commit()
        sent += 1
    return SendReport(sent=sent, failed=failed, gave_up=gave_up)
