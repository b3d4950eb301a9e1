"""Self-assessment: rounds, ratings per indicator, reflections, and the evidence library."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort
from portfolio.competencies.models import Competency, FrameworkVersion, Indicator
from portfolio.evidence.models import EvidenceVersion
from portfolio.extensions import Model, db, enum_column, refuse_updates


class RoundState(enum.StrEnum):
    """Where a round stands on a given day."""

    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class Round(Model):
    """An assessment moment of a cohort (baseline, after module 1 … 4, final)."""

    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    framework_version_id: Mapped[int] = mapped_column(ForeignKey("framework_versions.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Set when a trainer closes the round early ("close now"): from then on it is closed,
    # whatever the closing day says.
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cohort: Mapped[Cohort] = relationship()
    framework_version: Mapped[FrameworkVersion] = relationship()

    def is_open(self, today: date) -> bool:
        """Trainees can work on the round today."""
        return self.closed_at is None and self.opens_on <= today <= self.closes_on

    def state(self, today: date) -> RoundState:
        """Upcoming, open or closed on ``today``."""
        return round_state(self.opens_on, self.closes_on, self.closed_at, today)


def round_state(
    opens_on: date, closes_on: date, closed_at: datetime | None, today: date
) -> RoundState:
    """Where a round with these dates stands on ``today`` (also for plain rows)."""
    if closed_at is not None:
        return RoundState.CLOSED
    if today < opens_on:
        return RoundState.UPCOMING
    return RoundState.OPEN if today <= closes_on else RoundState.CLOSED


class AssessmentStatus(enum.StrEnum):
    """Where a trainee's self-assessment stands."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    #: A trainer gave handed-in work back for changes; others keep seeing the last hand-in.
    REOPENED = "reopened"


class SelfAssessment(Model):
    """One trainee's self-assessment in one round."""

    __tablename__ = "self_assessments"
    __table_args__ = (UniqueConstraint("round_id", "trainee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[AssessmentStatus] = mapped_column(
        enum_column(AssessmentStatus), default=AssessmentStatus.DRAFT
    )
    #: When it was last handed in (the moment of the latest :class:`Submission`).
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The latest reopening: who gave it back, when, and why (shown to the trainee).
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str] = mapped_column(Text, default="")

    round: Mapped[Round] = relationship()
    trainee: Mapped[User] = relationship(foreign_keys=[trainee_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])

    @property
    def is_submitted(self) -> bool:
        """Submitted self-assessments are read-only for the trainee."""
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def is_reopened(self) -> bool:
        """Given back by a trainer; the trainee is reworking it."""
        return self.status == AssessmentStatus.REOPENED


class Rating(Model):
    """A trainee's rating of one indicator in one self-assessment.

    ``version`` grows by one with every save; a save names the version it started from,
    so two tabs cannot overwrite each other silently.
    """

    __tablename__ = "ratings"
    __table_args__ = (UniqueConstraint("self_assessment_id", "indicator_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    level: Mapped[int | None] = mapped_column(Integer)
    not_judgeable: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    change_reason: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    indicator: Mapped[Indicator] = relationship()

    @property
    def answered(self) -> bool:
        """A level or 'cannot judge yet' was chosen."""
        return self.level is not None or self.not_judgeable


class Reflection(Model):
    """What a trainee learned on one competency in one round (Markdown)."""

    __tablename__ = "reflections"
    __table_args__ = (UniqueConstraint("self_assessment_id", "competency_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    competency: Mapped[Competency] = relationship()


submission_evidence = Table(
    "submission_evidence",
    db.metadata,
    Column("submission_id", ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "evidence_version_id",
        ForeignKey("evidence_versions.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class HandInScore(Model):
    """A handed-in self-assessment's self-rating per competency: the sum of the levels of the
    framework's current indicators and how many have a level ("cannot judge" has none).

    Written by the hand-in (and written again at the next hand-in after a reopen), from the
    ratings that were handed in, so that charts of a whole cohort read five rows per
    hand-in instead of averaging every rating of the cohort on every request. Which
    hand-ins count is still decided by the self-assessment's status.
    """

    __tablename__ = "hand_in_scores"

    self_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True
    )
    total: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)


class RoundSpread(Model):
    """How many of a cohort's trainees handed in a round with each mean self-rating on a
    competency (rounded to one decimal), and the sum of their exact means: the histogram
    the trainers' cohort dashboard draws its box plots from.

    Counted again for a round from :class:`HandInScore` whenever what counts there changes
    (a hand-in, a reopen, someone joining, leaving or changing role in the cohort; see
    :mod:`portfolio.assessment.spreads`), so that the dashboard reads at most a few hundred
    rows per cohort whatever its size, instead of five per hand-in.
    """

    __tablename__ = "round_spreads"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("rounds.id", ondelete="CASCADE"), primary_key=True
    )
    competency_id: Mapped[int] = mapped_column(
        ForeignKey("competencies.id", ondelete="CASCADE"), primary_key=True
    )
    #: A trainee's mean self-rating on the competency, rounded to one decimal.
    value: Mapped[float] = mapped_column(Float, primary_key=True)
    trainees: Mapped[int] = mapped_column(Integer)
    #: The sum of those trainees' exact (unrounded) means.
    mean_sum: Mapped[float] = mapped_column(Float)


class Submission(Model):
    """One hand-in of a self-assessment: everything handed in, as canonical JSON.

    Never changed after insert. ``content`` is UTF-8 JSON with sorted keys and no
    whitespace; ``sha256`` is its digest, so a later export can prove it is unchanged.
    """

    __tablename__ = "submissions"
    __table_args__ = (UniqueConstraint("self_assessment_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessments.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Indicators answered (a level or 'cannot judge yet'), for lists without parsing content.
    answered: Mapped[int] = mapped_column(Integer, default=0)
    content: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))

    assessment: Mapped[SelfAssessment] = relationship()
    evidence: Mapped[list[EvidenceVersion]] = relationship(
        secondary=submission_evidence, order_by="EvidenceVersion.id"
    )


refuse_updates(Submission)
