"""Comment threads on a trainee's work, opened by a trainer of the cohort.

A :class:`ReviewThread` is about one part of one trainee's work in one cohort: a text of
the portfolio draft (the introduction or a justification, ``key`` naming which), a
reflection in a handed-in round (the self-assessment and the competency key) or an
evidence item. Whoever may see a thread is decided through its cohort, like the work it is
about. The thread keeps the words the trainer read when commenting (``quote``, with the
text's version), so it still makes sense after the trainee has changed the text.

Its :class:`ReviewMessage` rows are the comment and the answers, oldest first. A thread is
open until the trainee or a trainer marks it handled; an answer to a handled thread opens
it again. Status changes are conditional updates (``WHERE status = …``), so a double click
or two people at once change it once.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.extensions import Model, enum_column

#: The longest comment or answer, in characters.
MESSAGE_LIMIT = 4000
#: The most of the commented text a thread keeps as its quote, in characters.
QUOTE_LIMIT = 1200


class ReviewPart(enum.StrEnum):
    """What kind of work a thread is about."""

    #: The introduction or a justification of the portfolio draft (``key``).
    TEXT = "text"
    #: A reflection of a handed-in round (``self_assessment_id`` and competency ``key``).
    REFLECTION = "reflection"
    #: An evidence item (``evidence_item_id``).
    EVIDENCE = "evidence"


class ThreadStatus(enum.StrEnum):
    """Whether a thread still asks for something."""

    OPEN = "open"
    HANDLED = "handled"


class ReviewThread(Model):
    """A trainer's comment on one part of a trainee's work, and its answers."""

    __tablename__ = "review_threads"
    __table_args__ = (
        # The trainee's list and the trainer's list read by these.
        Index("ix_review_threads_trainee_status", "trainee_id", "status"),
        Index("ix_review_threads_cohort_status", "cohort_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    part: Mapped[ReviewPart] = mapped_column(enum_column(ReviewPart))
    #: The text's key (``introduction`` or a competency key) or, for a reflection, the
    #: competency key; empty for evidence.
    key: Mapped[str] = mapped_column(String(120), default="")
    self_assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    evidence_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    #: What the trainer read when commenting (the start of the text, or the item's title).
    quote: Mapped[str] = mapped_column(Text, default="")
    #: The version of the text or reflection that was quoted (None for evidence).
    quote_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[ThreadStatus] = mapped_column(
        enum_column(ThreadStatus), default=ThreadStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The last message or status change.
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])

    @property
    def anchor(self) -> str:
        """The part as one string, e.g. ``text:introduction`` or ``evidence:12``."""
        if self.part == ReviewPart.EVIDENCE:
            return f"evidence:{self.evidence_item_id}"
        if self.part == ReviewPart.REFLECTION:
            return f"reflection:{self.self_assessment_id}:{self.key}"
        return f"text:{self.key}"


class ReviewMessage(Model):
    """The comment that opened a thread, or an answer to it (Markdown)."""

    __tablename__ = "review_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("review_threads.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    author: Mapped[User | None] = relationship()
