"""A trainee's portfolio in a cohort: texts, chosen evidence, snapshots and returns.

A portfolio belongs to one trainee in one cohort, so whoever may see it is decided through
that cohort. Its texts (the introduction, and one justification per competency) are
versioned rows saved like ratings (:mod:`portfolio.versioning`). Evidence items are given a
number in the portfolio when they are first chosen (E1, E2, …); numbers are never reused,
so a justification that cites "[E3]" keeps pointing at the same item.

A hand-in stores a :class:`PortfolioSnapshot`, the canonical JSON of the whole document
and its SHA-256; it is never changed. A trainer may give it back with a reason
(:class:`PortfolioReturn`); the next hand-in is a new snapshot and the old one stays.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import Model, db, enum_column, refuse_updates

#: The key of the introduction among a portfolio's texts (the others are competency keys).
INTRODUCTION = "introduction"


class PortfolioStatus(enum.StrEnum):
    """Where a portfolio stands."""

    DRAFT = "draft"
    HANDED_IN = "handed_in"
    #: A trainer gave the last snapshot back for revision; the trainee is working on it again.
    RETURNED = "returned"


class Portfolio(Model):
    """One trainee's final portfolio in one cohort."""

    __tablename__ = "portfolios"
    __table_args__ = (UniqueConstraint("cohort_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[PortfolioStatus] = mapped_column(
        enum_column(PortfolioStatus), default=PortfolioStatus.DRAFT
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Since when the trainee lets the cohort's trainers read the draft and comment on it
    #: (None: the draft is the trainee's alone).
    shared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cohort: Mapped[Cohort] = relationship()
    trainee: Mapped[User] = relationship()

    @property
    def is_handed_in(self) -> bool:
        """Handed in and not given back: the trainee cannot change it."""
        return self.status == PortfolioStatus.HANDED_IN


class PortfolioText(Model):
    """The introduction (key ``introduction``) or a competency's justification (its key).

    Markdown. ``version`` grows with every save (the versioned save).
    """

    __tablename__ = "portfolio_texts"
    __table_args__ = (UniqueConstraint("portfolio_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


portfolio_evidence_competencies = Table(
    "portfolio_evidence_competencies",
    db.metadata,
    Column(
        "portfolio_evidence_id",
        ForeignKey("portfolio_evidence.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("competency_key", String(120), primary_key=True),
)


class PortfolioEvidence(Model):
    """An evidence item in a portfolio, with its number there (E1, E2, …).

    The competencies it is chosen for are rows of ``portfolio_evidence_competencies``; an item
    chosen for none keeps its number but is not part of the document.
    """

    __tablename__ = "portfolio_evidence"
    __table_args__ = (
        # Named here: the naming convention names a unique constraint by its first column,
        # which both share.
        UniqueConstraint("portfolio_id", "evidence_item_id", name="uq_portfolio_evidence_item"),
        UniqueConstraint("portfolio_id", "number", name="uq_portfolio_evidence_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    evidence_item_id: Mapped[int] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[EvidenceItem] = relationship()


class PortfolioSnapshot(Model):
    """One hand-in of a portfolio: the whole document as canonical JSON. Never changed.

    ``content`` is UTF-8 JSON with sorted keys and no whitespace; ``sha256`` its digest,
    printed on every export of the snapshot so a reader can check it.
    """

    __tablename__ = "portfolio_snapshots"
    __table_args__ = (UniqueConstraint("portfolio_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    handed_in_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    handed_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))

    portfolio: Mapped[Portfolio] = relationship()


class PortfolioReturn(Model):
    """A trainer gave a snapshot back for revision, saying why (one per snapshot)."""

    __tablename__ = "portfolio_returns"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_snapshots.id", ondelete="CASCADE"), unique=True
    )
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    returned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)

    returned_by: Mapped[User | None] = relationship()


refuse_updates(PortfolioSnapshot, PortfolioReturn)
