"""Notifications: one row per event for one person, the e-mail's state, and who wants which
e-mails."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portfolio.clock import utcnow
from portfolio.extensions import Model, enum_column


class NotificationKind(enum.StrEnum):
    """What a notification is about; the value is stored, and names the mail templates."""

    FEEDBACK_REQUEST = "feedback-request"
    FEEDBACK_REMINDER = "feedback-reminder"
    FEEDBACK_ANSWERED = "feedback-answered"
    FEEDBACK_REPLY = "feedback-reply"
    ROUND_OPENS = "round-opens"
    ROUND_CLOSES_SOON = "round-closes-soon"
    WORK_REOPENED = "work-reopened"
    PORTFOLIO_HANDED_IN = "portfolio-handed-in"
    PORTFOLIO_RETURNED = "portfolio-returned"
    ASSESSOR_ASSIGNED = "assessor-assigned"
    CONSENSUS_READY = "consensus-ready"
    ASSESSMENT_REFERRED = "assessment-referred"
    VERDICT_LOCKED = "verdict-locked"
    DRAFT_SHARED = "draft-shared"
    REVIEW_COMMENT = "review-comment"
    REVIEW_ANSWER = "review-answer"
    REVIEW_HANDLED = "review-handled"


class EmailState(enum.StrEnum):
    """Where a notification's e-mail stands."""

    #: To be sent (the first try, or a retry once ``next_attempt_at`` has passed).
    PENDING = "pending"
    SENT = "sent"
    #: Not sent on purpose: the person turned this kind off, no mail server is set up, or
    #: the account is closed.
    SKIPPED = "skipped"
    #: The last try failed; tried again after a wait until ``MAX_ATTEMPTS`` tries were made.
    FAILED = "failed"


class Notification(Model):
    """One event for one person: an entry in their list (if they have an account) and an
    e-mail, rendered once in their language and kept as sent."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The unread count in the navigation, and the list page, read by this index.
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        Index("ix_notifications_email_due", "email_state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The account it is for; None for someone without an account (only the e-mail).
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(8))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The plain values the texts were made from (dates as ISO strings, see ``services``).
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    subject: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    email_state: Mapped[EmailState] = mapped_column(
        enum_column(EmailState), default=EmailState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: Not before this moment (None: now). Taking a row to send moves it on, so two senders
    #: never send the same row, and a sender that died leaves it to be tried again later.
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    #: The same event is never notified twice: ``round-opens:<round>:<user>``.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)


class NotificationPreference(Model):
    """Someone's choice for one kind; no row means e-mail is on."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class DueRun(Model):
    """What ``flask notifications send-due`` remembers: the day it first ran (rounds that
    opened before then are not announced) and when it last ran."""

    __tablename__ = "notification_due_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    first_run_on: Mapped[date] = mapped_column(Date)
    last_run_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
