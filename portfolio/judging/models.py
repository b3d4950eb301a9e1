"""The final assessment of one hand-in: who judges it, their judgements, the agreed verdict.

A :class:`FinalAssessment` belongs to one portfolio snapshot, so whoever may see it is
decided through the snapshot's cohort. Two trainers of that cohort are assigned as
assessors (:class:`AssessorAssignment`, role ``first`` and ``second``). Each judges every
competency on the rubric with a motivation (:class:`Judgement`), alone: the other's
judgement stays hidden until both have submitted. Then they agree a level and a motivation
per competency and an overall verdict (:class:`ConsensusEntry`, the key ``overall`` for the
verdict) and each confirms the version they read. When both have confirmed the same
version the verdict is locked and never changes. When they cannot agree, either refers the
portfolio to a third assessor, whose confirmation alone locks it.

A trainer who has a conflict with a trainee's portfolio says so (:class:`AssessorConflict`);
they are not assigned to it, and an assignment they hold ends.

``FinalAssessment.version`` grows with every change of the consensus, an assignment or a
status; every write first moves it with ``UPDATE … WHERE status = …``, so concurrent
writers (two assessors, two tabs, a replayed request) serialise on that one row.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.extensions import Model, enum_column
from portfolio.portfolios.models import PortfolioSnapshot

#: The consensus entry that holds the overall verdict (the others are competency keys).
OVERALL = "overall"


class Stage(enum.StrEnum):
    """Where a final assessment stands."""

    #: Assessors are assigned and judge alone.
    JUDGING = "judging"
    #: Both have submitted: they agree the verdict together.
    CONSENSUS = "consensus"
    #: They could not agree: a third assessor decides.
    REFERRED = "referred"
    #: The verdict is final.
    LOCKED = "locked"


class Verdict(enum.StrEnum):
    """The overall outcome of the final assessment."""

    PASSED = "passed"
    NOT_PASSED = "not_passed"


class AssessorRole(enum.StrEnum):
    """Which seat an assessor holds."""

    FIRST = "first"
    SECOND = "second"
    THIRD = "third"


class FinalAssessment(Model):
    """The judging of one portfolio snapshot."""

    __tablename__ = "final_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("portfolio_snapshots.id", ondelete="CASCADE"), unique=True
    )
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), default=Stage.JUDGING)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    referred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    referral_reason: Mapped[str] = mapped_column(Text, default="")
    locked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The outcome, set when the verdict is locked (from the ``overall`` consensus entry).
    verdict: Mapped[Verdict | None] = mapped_column(enum_column(Verdict))
    #: The assessors' names as they were when the verdict was locked, seat by seat (kept
    #: with the verdict, so it reads the same when an account is renamed or closed).
    assessor_names: Mapped[list[str]] = mapped_column(JSON, default=list)

    snapshot: Mapped[PortfolioSnapshot] = relationship()

    @property
    def is_locked(self) -> bool:
        """The verdict is final."""
        return self.stage == Stage.LOCKED


class AssessorAssignment(Model):
    """A trainer assigned to judge a snapshot. An assignment that ended (the trainer stood
    down with a conflict) keeps its row, with ``ended_at`` set."""

    __tablename__ = "assessor_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("final_assessments.id", ondelete="CASCADE"), index=True
    )
    assessor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[AssessorRole] = mapped_column(enum_column(AssessorRole))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: When the assessor submitted their own judgement (then it can no longer change).
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The version of the consensus this assessor confirmed (None: not confirmed).
    confirmed_version: Mapped[int | None] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    assessor: Mapped[User] = relationship(foreign_keys=[assessor_id])

    @property
    def active(self) -> bool:
        """The assignment has not ended."""
        return self.ended_at is None


class AssessorConflict(Model):
    """A trainer said they have a conflict with a trainee's portfolio (all its hand-ins)."""

    __tablename__ = "assessor_conflicts"
    __table_args__ = (UniqueConstraint("portfolio_id", "trainer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    portfolio_id: Mapped[int] = mapped_column(
        ForeignKey("portfolios.id", ondelete="CASCADE"), index=True
    )
    trainer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Judgement(Model):
    """One assessor's level and motivation for one competency (versioned save)."""

    __tablename__ = "judgements"
    __table_args__ = (UniqueConstraint("assignment_id", "competency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assessor_assignments.id", ondelete="CASCADE"), index=True
    )
    competency_key: Mapped[str] = mapped_column(String(120))
    #: A rubric level key ('' while not chosen).
    level: Mapped[str] = mapped_column(String(120), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ConsensusEntry(Model):
    """The agreed level and motivation for one competency, or (key ``overall``) the agreed
    verdict (``passed`` / ``not_passed``) with the joint motivation."""

    __tablename__ = "consensus_entries"
    __table_args__ = (UniqueConstraint("assessment_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("final_assessments.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(120), default="")
    motivation: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
