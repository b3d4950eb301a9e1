"""Feedback requests, the answers raters give, and the dialogue about them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.clock import aware, utcnow
from portfolio.extensions import Model, enum_column


class RequestStatus(enum.StrEnum):
    """Where a feedback request stands (an expired link is read off ``expires_at``)."""

    SENT = "sent"
    OPENED = "opened"
    ANSWERED = "answered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


#: Requests in these states are finished: the link opens nothing but a page saying so.
FINISHED = frozenset({RequestStatus.ANSWERED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN})


class ReplyAuthor(enum.StrEnum):
    """Who wrote a turn of the dialogue."""

    TRAINEE = "trainee"
    RATER = "rater"


class FeedbackRequest(Model):
    """A trainee's request to one person for feedback in one round.

    The rater is a cohort member (``rater_user_id``) or anyone by name and e-mail address.
    Every request has its own links (:class:`FeedbackLink`).
    """

    __tablename__ = "feedback_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rater_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    rater_name: Mapped[str] = mapped_column(String(120))
    rater_email: Mapped[str] = mapped_column(String(254), index=True)
    #: A key of ``feedback.rater_groups`` in the framework.
    rater_group: Mapped[str] = mapped_column(String(120))
    #: Keys of the competencies the rater is asked about, in framework order.
    competency_keys: Mapped[list[str]] = mapped_column(JSON)
    situation_date: Mapped[date | None] = mapped_column(Date)
    situation: Mapped[str] = mapped_column(Text, default="")
    #: A key of the dialogical toolbox, when the situation used a tool.
    tool_key: Mapped[str | None] = mapped_column(String(120))
    message: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(default=False)
    #: The trainee lets the rater see their own ratings of this round.
    share_self_ratings: Mapped[bool] = mapped_column(default=False)
    #: The language the rater's pages and e-mails open in.
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[RequestStatus] = mapped_column(
        enum_column(RequestStatus), default=RequestStatus.SENT
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declined_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    #: Set when the rater's name and address were erased after the retention period.
    contact_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    round: Mapped[Round] = relationship()
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    rater: Mapped[User | None] = relationship(foreign_keys=[rater_user_id])

    def is_expired(self, now: datetime) -> bool:
        """The link's time ran out before it was answered or declined."""
        return self.status not in FINISHED and now >= aware(self.expires_at)

    @property
    def is_finished(self) -> bool:
        """Answered, declined or withdrawn: nothing more can be sent through the link."""
        return self.status in FINISHED


class FeedbackLink(Model):
    """A personal link to one request; only the SHA-256 of its token is stored.

    The first e-mail carries one; a reminder or a reply that has to reach a rater without
    an account carries a new one (the token cannot be rebuilt from its hash). Every link
    of a request works as long as the request does.
    """

    __tablename__ = "feedback_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_requests.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FeedbackResponse(Model):
    """The rater's answer to one request: a draft until ``submitted_at`` is set."""

    __tablename__ = "feedback_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_requests.id", ondelete="CASCADE"), unique=True
    )
    #: A key of ``feedback.sectors`` (optional), and free words when it is "other".
    sector: Mapped[str | None] = mapped_column(String(120))
    sector_other: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    request: Mapped[FeedbackRequest] = relationship()


class FeedbackRating(Model):
    """A rater's level for one indicator (or "not observed"); versioned like self-ratings."""

    __tablename__ = "feedback_ratings"
    __table_args__ = (UniqueConstraint("response_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    level: Mapped[int | None] = mapped_column(Integer)
    not_observed: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FeedbackNarrative(Model):
    """A rater's words on one competency: what works, what could grow, a question back."""

    __tablename__ = "feedback_narratives"
    __table_args__ = (UniqueConstraint("response_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("feedback_responses.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    works: Mapped[str] = mapped_column(Text, default="")
    grow: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class FeedbackReply(Model):
    """One turn of the dialogue after feedback.

    The trainee replies to an identified answer (``request_id``) or to an anonymous group
    summary (``group_key`` within the trainee's round: no request, so no rater is named);
    the identified rater may answer the trainee's reply once (``author`` RATER).
    """

    __tablename__ = "feedback_replies"
    __table_args__ = (
        UniqueConstraint("request_id", "author"),
        UniqueConstraint("round_id", "trainee_id", "group_key", "author"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_requests.id", ondelete="CASCADE"), index=True
    )
    group_key: Mapped[str | None] = mapped_column(String(120))
    author: Mapped[ReplyAuthor] = mapped_column(enum_column(ReplyAuthor))
    #: The trainee's three parts; a rater's answer uses ``body`` only.
    takeaway: Mapped[str] = mapped_column(Text, default="")
    try_next: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
