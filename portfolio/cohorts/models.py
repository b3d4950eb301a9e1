"""Organisations, their governance groups, and cohorts of the tutor training."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import aware, utcnow
from portfolio.extensions import Model, enum_column
from portfolio.tokens import new_token


class CohortRole(enum.StrEnum):
    """What someone is in a cohort."""

    TRAINER = "trainer"
    TRAINEE = "trainee"


class InvitationRole(enum.StrEnum):
    """What an invitation offers: a place in a cohort, or in a governance group."""

    TRAINEE = "trainee"
    TRAINER = "trainer"
    GOVERNANCE = "governance"


class InvitationStatus(enum.StrEnum):
    """Where an invitation stands."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    REVOKED = "revoked"
    EXPIRED = "expired"


class Organisation(Model):
    """A municipality, region or care provider that trains dialogical tutors."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(40), default="other")
    country: Mapped[str] = mapped_column(String(2), default="")
    #: How the organisation's governance group decides: "majority" or "consensus"
    #: (:class:`portfolio.governance.models.DecisionRule`).
    governance_rule: Mapped[str] = mapped_column(
        String(20), default="majority", server_default="majority"
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    cohorts: Mapped[list[Cohort]] = relationship(
        back_populates="organisation", order_by="Cohort.starts_on.desc()"
    )
    governance: Mapped[list[GovernanceMembership]] = relationship(back_populates="organisation")


class NetworkMember(Model):
    """An organisation taking part in a network of organisations (a region, or a
    municipality with its care providers) that has one governance group.

    The network is itself an :class:`Organisation` (usually of kind "region"); its governance
    group sees the candidates and tutors of the network and of every member organisation,
    and no others. Coverage is one level deep: a member's own members are not covered.
    """

    __tablename__ = "network_members"
    __table_args__ = (CheckConstraint("network_id <> member_id", name="not_itself"),)

    network_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    @staticmethod
    def covered_by(organisation_id: int) -> Any:
        """The ids of ``organisation_id`` and of its member organisations (a ``select``)."""
        return select(literal(organisation_id)).union(
            select(NetworkMember.member_id).where(NetworkMember.network_id == organisation_id)
        )


class GovernanceMembership(Model):
    """Membership of an organisation's governance group, which selects the tutors."""

    __tablename__ = "governance_memberships"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    organisation: Mapped[Organisation] = relationship(back_populates="governance")
    user: Mapped[User] = relationship()


class Cohort(Model):
    """One run of the dialogical tutor training, with its trainers and trainees."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    organisation: Mapped[Organisation] = relationship(back_populates="cohorts")
    memberships: Mapped[list[CohortMembership]] = relationship(back_populates="cohort")
    modules: Mapped[list[TrainingModule]] = relationship(
        back_populates="cohort", order_by="TrainingModule.first_day"
    )


class TrainingModule(Model):
    """A block of training days of a cohort (the tutor training has four modules of two days
    each); the growth charts show them between the assessment rounds."""

    __tablename__ = "training_modules"
    __table_args__ = (CheckConstraint("last_day >= first_day", name="days_in_order"),)

    #: The longest a module may run, first to last day (a module is usually two days).
    MAX_DAYS = 14
    TITLE_LENGTH = 120
    DESCRIPTION_LENGTH = 300

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(DESCRIPTION_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    cohort: Mapped[Cohort] = relationship(back_populates="modules")


class CohortMembership(Model):
    """A person's role in one cohort; the same person may have other roles elsewhere."""

    __tablename__ = "cohort_memberships"
    __table_args__ = (UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[CohortRole] = mapped_column(enum_column(CohortRole))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    cohort: Mapped[Cohort] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()

    @staticmethod
    def trainee_of(cohort_id: Any, user_id: Any) -> ColumnElement[bool]:
        """The join condition "``user_id`` is a trainee of ``cohort_id`` now" (columns or
        values), for queries that count only a cohort's current trainees."""
        return and_(
            CohortMembership.cohort_id == cohort_id,
            CohortMembership.user_id == user_id,
            CohortMembership.role == CohortRole.TRAINEE,
        )


class Invitation(Model):
    """A single-use, expiring link that brings someone into a cohort or governance group."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cohort: Mapped[Cohort | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    GOVERNANCE = InvitationRole.GOVERNANCE

    @staticmethod
    def new_token() -> tuple[str, str]:
        """A fresh token and its hash."""
        return new_token()

    @property
    def status(self) -> InvitationStatus:
        """Pending, accepted, revoked or expired."""
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if aware(self.expires_at) <= utcnow():
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def pending(self) -> bool:
        """Still usable: not accepted, not withdrawn, not expired."""
        return self.status is InvitationStatus.PENDING

    @classmethod
    def pending_at(cls, now: datetime) -> ColumnElement[bool]:
        """The SQL condition for invitations still pending at ``now``."""
        return and_(cls.accepted_at.is_(None), cls.revoked_at.is_(None), cls.expires_at > now)
