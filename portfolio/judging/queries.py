"""What the final-assessment pages read, as plain data, narrowed by the policy.

:func:`assessment_state` gathers one snapshot's assessment for one reader in a fixed number
of statements: the seats, the judgements the reader may see (the policy's
:func:`~portfolio.policy.visible_judgement_assignments` narrows the query, so a hidden
judgement is never loaded), the consensus, the trainers who could take a free seat, and the
conflicts declared. :func:`verdict_of` is the locked verdict alone, for the trainee's view
and the exports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.extensions import db
from portfolio.judging.models import (
    OVERALL,
    AssessorAssignment,
    AssessorConflict,
    AssessorRole,
    ConsensusEntry,
    FinalAssessment,
    Judgement,
    Stage,
    Verdict,
)
from portfolio.policy import Viewer
from portfolio.policy.viewers import user_id
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from portfolio.versioning import fingerprint


@dataclass(frozen=True)
class Entry:
    """A level and a motivation, with what a page needs to save it again."""

    level: str
    motivation: str
    version: int
    fingerprint: str

    @classmethod
    def of(cls, row: Judgement | ConsensusEntry | None) -> Entry:
        if row is None:
            return cls("", "", 0, fingerprint("", ""))
        return cls(row.level, row.motivation, row.version, fingerprint(row.level, row.motivation))


EMPTY = Entry.of(None)


@dataclass(frozen=True)
class Seat:
    """An active assignment: who sits in which seat and how far they are."""

    id: int
    role: AssessorRole
    assessor_id: int
    name: str
    submitted_at: datetime | None
    confirmed_version: int | None
    #: The judgements the reader may see (competency key → entry); None when hidden.
    judgements: dict[str, Entry] | None


@dataclass(frozen=True)
class Candidate:
    """A trainer of the cohort who could take a free seat."""

    id: int
    name: str


@dataclass
class AssessmentState:
    """One snapshot's final assessment as one reader may see it."""

    id: int | None
    stage: Stage | None
    version: int
    seats: list[Seat] = field(default_factory=list)
    consensus: dict[str, Entry] = field(default_factory=dict)
    candidates: list[Candidate] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    conflict_ids: set[int] = field(default_factory=set)
    referral_reason: str = ""
    locked_at: datetime | None = None
    verdict: Verdict | None = None

    def seat_of(self, user_id: int) -> Seat | None:
        """The reader's own seat, if they hold one."""
        return next((s for s in self.seats if s.assessor_id == user_id), None)

    @property
    def main_seats(self) -> list[Seat]:
        return [s for s in self.seats if s.role != AssessorRole.THIRD]

    @property
    def third(self) -> Seat | None:
        return next((s for s in self.seats if s.role == AssessorRole.THIRD), None)

    @property
    def free_seat(self) -> AssessorRole | None:
        """The seat a trainer can be assigned to now, if any."""
        taken = {s.role for s in self.seats}
        if self.stage in (None, Stage.JUDGING):
            return next(
                (r for r in (AssessorRole.FIRST, AssessorRole.SECOND) if r not in taken), None
            )
        if self.stage == Stage.REFERRED and AssessorRole.THIRD not in taken:
            return AssessorRole.THIRD
        return None

    def consensus_entry(self, key: str) -> Entry:
        return self.consensus.get(key, EMPTY)


def _name(name: str | None, email: str) -> str:
    return name or email


def assessment_state(viewer: Viewer, snapshot: PortfolioSnapshot) -> AssessmentState:
    """The assessment of ``snapshot`` as ``viewer`` may see it, in a fixed number of
    statements whatever the number of seats or entries."""
    assessment = db.session.scalar(
        select(FinalAssessment).where(FinalAssessment.snapshot_id == snapshot.id)
    )
    portfolio = snapshot.portfolio
    conflicted = [
        (tid, _name(name, email))
        for tid, name, email in db.session.execute(
            select(AssessorConflict.trainer_id, User.name, User.email)
            .join(User, User.id == AssessorConflict.trainer_id)
            .where(AssessorConflict.portfolio_id == portfolio.id)
            .order_by(AssessorConflict.declared_at)
        )
    ]
    state = AssessmentState(
        None,
        None,
        0,
        conflicts=[n for _, n in conflicted],
        conflict_ids={tid for tid, _ in conflicted},
    )
    seated: set[int] = set()
    if assessment is not None:
        state.id = assessment.id
        state.stage = assessment.stage
        state.version = assessment.version
        state.referral_reason = assessment.referral_reason
        state.locked_at = assessment.locked_at
        state.verdict = assessment.verdict
        visible = set(db.session.scalars(policy.visible_judgement_assignments(viewer, assessment)))
        judgements: dict[int, dict[str, Entry]] = {}
        for row in db.session.scalars(
            select(Judgement).where(Judgement.assignment_id.in_(sorted(visible)))
        ):
            judgements.setdefault(row.assignment_id, {})[row.competency_key] = Entry.of(row)
        for a, name, email in db.session.execute(
            select(AssessorAssignment, User.name, User.email)
            .join(User, User.id == AssessorAssignment.assessor_id)
            .where(
                AssessorAssignment.assessment_id == assessment.id,
                AssessorAssignment.ended_at.is_(None),
            )
            .order_by(AssessorAssignment.role, AssessorAssignment.id)
        ):
            seated.add(a.assessor_id)
            state.seats.append(
                Seat(
                    a.id,
                    a.role,
                    a.assessor_id,
                    _name(name, email),
                    a.submitted_at,
                    a.confirmed_version,
                    judgements.get(a.id, {}) if a.id in visible else None,
                )
            )
        if _reads_consensus(viewer, assessment, state):
            state.consensus = {
                row.key: Entry.of(row)
                for row in db.session.scalars(
                    select(ConsensusEntry).where(ConsensusEntry.assessment_id == assessment.id)
                )
            }
    excluded = seated | {tid for tid, _ in conflicted} | {portfolio.trainee_id}
    state.candidates = [
        Candidate(uid, _name(name, email))
        for uid, name, email in db.session.execute(
            select(User.id, User.name, User.email)
            .join(CohortMembership, CohortMembership.user_id == User.id)
            .where(
                CohortMembership.cohort_id == portfolio.cohort_id,
                CohortMembership.role == CohortRole.TRAINER,
                User.active.is_(True),
                User.id.not_in(excluded),
            )
            .order_by(func.lower(User.name), User.id)
        )
    ]
    return state


def _reads_consensus(viewer: Viewer, assessment: FinalAssessment, state: AssessmentState) -> bool:
    """The consensus draft is read by the assessors who write it; the locked one by whoever
    may read the verdict."""
    if assessment.stage == Stage.LOCKED:
        return policy.can_read_verdict(viewer, assessment)
    reader = user_id(viewer)
    return assessment.stage != Stage.JUDGING and any(s.assessor_id == reader for s in state.seats)


@dataclass(frozen=True)
class VerdictView:
    """A locked verdict: the outcome, the joint motivation, and per competency the agreed
    level and motivation; the assessors by name."""

    verdict: Verdict
    motivation: str
    locked_at: datetime
    levels: dict[str, Entry]
    assessors: list[str]
    referred: bool

    def as_content(self) -> dict[str, Any]:
        """The verdict in the portfolio document's layout (plain JSON values)."""
        return {
            "verdict": self.verdict.value,
            "motivation": self.motivation,
            "locked_at": self.locked_at.isoformat(),
            "assessors": self.assessors,
            "referred": self.referred,
            "competencies": {
                key: {"level": e.level, "motivation": e.motivation}
                for key, e in self.levels.items()
            },
        }


def verdict_of(snapshot_id: int) -> VerdictView | None:
    """The locked verdict on a snapshot, or None while there is none (two statements).

    Callers check :func:`~portfolio.policy.can_read_verdict` first."""
    assessment = db.session.scalar(
        select(FinalAssessment).where(
            FinalAssessment.snapshot_id == snapshot_id, FinalAssessment.stage == Stage.LOCKED
        )
    )
    if assessment is None or assessment.verdict is None or assessment.locked_at is None:
        return None
    levels = {
        row.key: Entry.of(row)
        for row in db.session.scalars(
            select(ConsensusEntry).where(ConsensusEntry.assessment_id == assessment.id)
        )
    }
    overall = levels.pop(OVERALL, EMPTY)
    return VerdictView(
        assessment.verdict,
        overall.motivation,
        assessment.locked_at,
        levels,
        list(assessment.assessor_names or []),
        assessment.referred_at is not None,
    )


def cohort_stages(cohort_id: int) -> dict[int, Stage]:
    """Snapshot id → stage of its final assessment, for the cohort's list (one statement)."""
    return dict(
        db.session.execute(
            select(FinalAssessment.snapshot_id, FinalAssessment.stage)
            .join(PortfolioSnapshot, PortfolioSnapshot.id == FinalAssessment.snapshot_id)
            .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
            .where(Portfolio.cohort_id == cohort_id)
        ).all()
    )
