"""What a governance group decides about a candidate, and each member's vote.

A governance group is the group of an :class:`~portfolio.cohorts.models.Organisation` (an
organisation, or a network of organisations); it decides by majority of its members, or by
consensus (:class:`DecisionRule`, a setting of the organisation). A :class:`Decision` asks
one question about one candidate: is this person trained (``intake``), does this trainee
become a tutor (``certification``).

Members vote alone (:class:`Vote`): selected, not yet or declined, each with a rationale,
before they see the others' votes. A member who is the candidate, or who declares a
conflict (:class:`StandAside`), takes no part and sees no vote on that candidate. When
enough members have voted a member records the outcome with the group's rationale, which
the candidate reads. A recorded decision never changes: a later decision on the same
question (``supersedes_id``) revisits it.

Votes and recorded decisions refuse updates; the decision row carries a ``version`` that
every write moves with ``UPDATE … WHERE``, so concurrent voters and closers take turns.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.cohorts.models import Organisation
from portfolio.extensions import Model, enum_column, refuse_updates


class DecisionKind(enum.StrEnum):
    """The question a decision answers."""

    #: Is the candidate trained as a dialogical tutor?
    INTAKE = "intake"
    #: Does the trainee become a (certified) dialogical tutor?
    CERTIFICATION = "certification"


class DecisionRule(enum.StrEnum):
    """How a governance group reaches a decision."""

    #: More than half of the votes cast, once more than half of the members voted.
    MAJORITY = "majority"
    #: Every vote cast the same, once more than half of the members voted.
    CONSENSUS = "consensus"


class Choice(enum.StrEnum):
    """A member's vote, and a decision's outcome."""

    SELECTED = "selected"
    NOT_YET = "not_yet"
    DECLINED = "declined"


class Outcome(enum.StrEnum):
    """What the group decided; ``no_decision`` when the votes reach no majority (or no
    consensus): the question stays open for a new decision."""

    SELECTED = "selected"
    NOT_YET = "not_yet"
    DECLINED = "declined"
    NO_DECISION = "no_decision"


class Decision(Model):
    """One question a governance group answers about one candidate."""

    __tablename__ = "governance_decisions"
    __table_args__ = (
        # One open decision per question: a second tab or a replayed request cannot open two.
        Index(
            "one_open_decision",
            "organisation_id",
            "candidate_id",
            "kind",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    RATIONALE_LENGTH = 5000
    QUESTION_LENGTH = 2000

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[DecisionKind] = mapped_column(enum_column(DecisionKind))
    rule: Mapped[DecisionRule] = mapped_column(enum_column(DecisionRule))
    question: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: The decision this one revisits (the latest recorded one on the same question).
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("governance_decisions.id", ondelete="SET NULL")
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome), nullable=True)
    #: The group's rationale, which the candidate reads.
    rationale: Mapped[str] = mapped_column(Text, default="")
    #: The count the outcome followed from (:meth:`.tally.Tally.as_stored`), kept so that a
    #: later change of the group's members does not rewrite how it was reached.
    tally: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)

    organisation: Mapped[Organisation] = relationship()
    candidate: Mapped[User] = relationship(foreign_keys=[candidate_id])
    votes: Mapped[list[Vote]] = relationship(back_populates="decision", order_by="Vote.id")

    @property
    def is_open(self) -> bool:
        """No outcome recorded yet."""
        return self.closed_at is None


class Vote(Model):
    """A member's vote on a decision, cast once and never changed."""

    __tablename__ = "governance_votes"
    __table_args__ = (UniqueConstraint("decision_id", "voter_id"),)

    RATIONALE_LENGTH = 5000

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("governance_decisions.id", ondelete="CASCADE"), index=True
    )
    #: Kept when the member leaves the group: a recorded vote does not change.
    voter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    choice: Mapped[Choice] = mapped_column(enum_column(Choice))
    rationale: Mapped[str] = mapped_column(Text)
    cast_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    decision: Mapped[Decision] = relationship(back_populates="votes")
    voter: Mapped[User | None] = relationship()


class StandAside(Model):
    """A member who declared a conflict with a decision: no vote, no sight of the votes."""

    __tablename__ = "governance_stand_asides"
    __table_args__ = (UniqueConstraint("decision_id", "user_id"),)

    REASON_LENGTH = 2000

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("governance_decisions.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


refuse_updates(Vote, StandAside)
