"""What the decision pages show, as plain data; the policy decides who gets which part."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, select
from sqlalchemy.orm import aliased

from portfolio.accounts.models import User
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole, Organisation
from portfolio.extensions import db
from portfolio.governance.models import Choice, Decision, DecisionKind, Outcome, Vote
from portfolio.paging import Page, read_page


@dataclass(frozen=True)
class VoteRow:
    """One member's vote, as the members who may see votes read it."""

    voter: str
    choice: Choice
    rationale: str
    cast_at: datetime


@dataclass(frozen=True)
class Earlier:
    """An earlier recorded decision on the same question."""

    id: int
    outcome: Outcome | None
    closed_at: datetime | None


@dataclass(frozen=True)
class CandidatePlace:
    """A cohort the candidate is a trainee in."""

    cohort_id: int
    cohort_name: str
    organisation_name: str


def votes_of(decision_id: int) -> tuple[VoteRow, ...]:
    """Every vote on a decision, in the order cast (one statement)."""
    rows = db.session.execute(
        select(User.name, User.email, Vote.choice, Vote.rationale, Vote.cast_at)
        .outerjoin(User, User.id == Vote.voter_id)
        .where(Vote.decision_id == decision_id)
        .order_by(Vote.id)
    ).all()
    return tuple(
        VoteRow(name or email or "—", choice, rationale, cast_at)
        for name, email, choice, rationale, cast_at in rows
    )


def own_vote(decision_id: int, user_id: int) -> VoteRow | None:
    """The reader's own vote, if cast."""
    row = db.session.execute(
        select(Vote.choice, Vote.rationale, Vote.cast_at).where(
            Vote.decision_id == decision_id, Vote.voter_id == user_id
        )
    ).first()
    return VoteRow("", row[0], row[1], row[2]) if row else None


def earlier_decisions(decision: Decision) -> tuple[Earlier, ...]:
    """The recorded decisions on the same question before this one, newest first."""
    rows = db.session.execute(
        select(Decision.id, Decision.outcome, Decision.closed_at)
        .where(
            Decision.organisation_id == decision.organisation_id,
            Decision.candidate_id == decision.candidate_id,
            Decision.kind == decision.kind,
            Decision.id != decision.id,
            Decision.closed_at.is_not(None),
            Decision.opened_at <= decision.opened_at,
        )
        .order_by(Decision.closed_at.desc(), Decision.id.desc())
    ).all()
    return tuple(Earlier(*row) for row in rows)


def candidate_places(candidate_id: int) -> tuple[CandidatePlace, ...]:
    """The cohorts the candidate trains in, with their organisations."""
    rows = db.session.execute(
        select(Cohort.id, Cohort.name, Organisation.name)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(
            CohortMembership.user_id == candidate_id,
            CohortMembership.role == CohortRole.TRAINEE,
        )
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    ).all()
    return tuple(CandidatePlace(*row) for row in rows)


@dataclass(frozen=True)
class DecisionRow:
    """A decision in the list of decisions."""

    id: int
    kind: DecisionKind
    organisation_name: str
    candidate_id: int
    candidate_name: str
    opened_at: datetime
    closed_at: datetime | None
    outcome: Outcome | None
    voted: bool
    about_me: bool

    @property
    def is_open(self) -> bool:
        """No outcome recorded yet."""
        return self.closed_at is None


def decisions(visible: Select[Any], user_id: int, page: int) -> Page[DecisionRow]:
    """One page of the decisions in ``visible``: open ones first, then newest (one
    statement, whatever the number of votes)."""
    candidate = aliased(User)
    mine = aliased(Vote)
    found, _rows = read_page(
        select(
            Decision.id,
            Decision.kind,
            Organisation.name,
            Decision.candidate_id,
            candidate.name,
            Decision.opened_at,
            Decision.closed_at,
            Decision.outcome,
            mine.id.is_not(None),
            Decision.candidate_id == user_id,
        )
        .join(Organisation, Organisation.id == Decision.organisation_id)
        .join(candidate, candidate.id == Decision.candidate_id)
        .outerjoin(mine, and_(mine.decision_id == Decision.id, mine.voter_id == user_id))
        .where(Decision.id.in_(visible))
        .order_by(
            case((Decision.closed_at.is_(None), 0), else_=1),
            Decision.opened_at.desc(),
            Decision.id.desc(),
        ),
        page,
        lambda row: DecisionRow(*row),
    )
    return found


@dataclass(frozen=True)
class Latest:
    """The latest decision on a candidate of one kind, for the candidates list."""

    id: int
    kind: DecisionKind
    outcome: Outcome | None
    is_open: bool


def latest_per_candidate(organisation_id: int, candidate_ids: list[int]) -> dict[int, list[Latest]]:
    """For each candidate, the latest decision of each kind of the group (one statement)."""
    if not candidate_ids:
        return {}
    rows = db.session.execute(
        select(
            Decision.candidate_id,
            Decision.id,
            Decision.kind,
            Decision.outcome,
            Decision.closed_at.is_(None),
        )
        .where(
            Decision.organisation_id == organisation_id,
            Decision.candidate_id.in_(candidate_ids),
        )
        .order_by(Decision.candidate_id, Decision.kind, Decision.opened_at, Decision.id)
    ).all()
    latest: dict[tuple[int, str], Latest] = {}
    for candidate_id, decision_id, kind, outcome, is_open in rows:
        latest[(candidate_id, kind)] = Latest(decision_id, kind, outcome, bool(is_open))
    found: dict[int, list[Latest]] = {}
    for (candidate_id, _kind), item in sorted(latest.items(), key=lambda i: (i[0][0], i[0][1])):
        found.setdefault(candidate_id, []).append(item)
    return found
