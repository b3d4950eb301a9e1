"""Governance decisions: open a question about a candidate, vote, stand aside, record.

Every function takes the actor, checks the domain rules (raising :class:`Refused` with a
reason the page puts in words), writes the audit event and flushes; the caller commits.
Each write first moves the decision's ``version`` with ``UPDATE … WHERE closed_at IS
NULL``, so a vote and the recording of the outcome take turns on that one row, and a vote
that arrives after the outcome is refused, never counted.
"""

from __future__ import annotations

import enum

from sqlalchemy import select, update

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts.models import GovernanceMembership, Organisation
from portfolio.extensions import db
from portfolio.governance.models import (
    Choice,
    Decision,
    DecisionKind,
    DecisionRule,
    StandAside,
    Vote,
)
from portfolio.governance.tally import Tally, tally
from portfolio.versioning import insert_ignoring_duplicates, rowcount


class Refusal(enum.StrEnum):
    """Why a step of a decision is refused."""

    NOT_MEMBER = "not_member"
    CANDIDATE = "candidate"
    NOT_COVERED = "not_covered"
    ALREADY_OPEN = "already_open"
    CLOSED = "closed"
    STOOD_ASIDE = "stood_aside"
    ALREADY_VOTED = "already_voted"
    NO_QUORUM = "no_quorum"
    STALE = "stale"
    NO_RATIONALE = "no_rationale"
    TOO_LONG = "too_long"


class Refused(Exception):
    """A step is refused; ``reason`` says why."""

    def __init__(self, reason: Refusal, decision: Decision | None = None) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.decision = decision


def _text(value: str, limit: int, *, required: bool) -> str:
    text = (value or "").strip()
    if required and not text:
        raise Refused(Refusal.NO_RATIONALE)
    if len(text) > limit:
        raise Refused(Refusal.TOO_LONG)
    return text


def rule_of(organisation: Organisation) -> DecisionRule:
    """The decision rule the organisation's group follows (majority when unset or unknown)."""
    try:
        return DecisionRule(organisation.governance_rule)
    except ValueError:
        return DecisionRule.MAJORITY


def latest_recorded(organisation_id: int, candidate_id: int, kind: DecisionKind) -> Decision | None:
    """The latest recorded decision on this question, which a new one revisits."""
    return db.session.scalar(
        select(Decision)
        .where(
            Decision.organisation_id == organisation_id,
            Decision.candidate_id == candidate_id,
            Decision.kind == kind,
            Decision.closed_at.is_not(None),
        )
        .order_by(Decision.closed_at.desc(), Decision.id.desc())
        .limit(1)
    )


def open_decision_on(
    organisation_id: int, candidate_id: int, kind: DecisionKind
) -> Decision | None:
    """The open decision on this question, if there is one."""
    return db.session.scalar(
        select(Decision).where(
            Decision.organisation_id == organisation_id,
            Decision.candidate_id == candidate_id,
            Decision.kind == kind,
            Decision.closed_at.is_(None),
        )
    )


def open_decision(
    actor: User, organisation: Organisation, candidate: User, kind: DecisionKind, question: str
) -> Decision:
    """Open a decision of ``organisation``'s group about ``candidate``."""
    if actor.id == candidate.id:
        raise Refused(Refusal.CANDIDATE)
    if not policy.is_governance_member(actor, organisation):
        raise Refused(Refusal.NOT_MEMBER)
    if not policy.covers_candidate(organisation, candidate):
        raise Refused(Refusal.NOT_COVERED)
    text = _text(question, Decision.QUESTION_LENGTH, required=False)
    previous = latest_recorded(organisation.id, candidate.id, kind)
    # One open decision per question (a unique index): a second tab inserts nothing.
    inserted = insert_ignoring_duplicates(
        Decision,
        organisation_id=organisation.id,
        candidate_id=candidate.id,
        kind=kind.value,
        rule=rule_of(organisation).value,
        question=text,
        opened_by_id=actor.id,
        opened_at=utcnow(),
        version=1,
        rationale="",
        supersedes_id=previous.id if previous else None,
    )
    decision = open_decision_on(organisation.id, candidate.id, kind)
    if not inserted or decision is None:
        raise Refused(Refusal.ALREADY_OPEN, decision)
    record(
        Action.DECISION_OPENED,
        actor=actor,
        target=decision,
        kind=kind.value,
        candidate=candidate.email,
        organisation=organisation.name,
    )
    db.session.flush()
    return decision


def _claim(decision: Decision, version: int | None = None) -> None:
    """Move the decision's version while it is open (and still at ``version``, if given)."""
    conditions = [Decision.id == decision.id, Decision.closed_at.is_(None)]
    if version is not None:
        conditions.append(Decision.version == version)
    outcome = db.session.execute(
        update(Decision)
        .where(*conditions)
        .values(version=Decision.version + 1)
        .execution_options(synchronize_session=False)
    )
    changed = rowcount(outcome) == 1
    db.session.expire(decision)
    if not changed:
        raise Refused(Refusal.CLOSED if decision.closed_at is not None else Refusal.STALE)


def _check_part(actor: User, decision: Decision) -> None:
    if actor.id == decision.candidate_id:
        raise Refused(Refusal.CANDIDATE, decision)
    if not policy.is_governance_member(actor, decision.organisation_id):
        raise Refused(Refusal.NOT_MEMBER, decision)
    if policy.stood_aside(actor, decision):
        raise Refused(Refusal.STOOD_ASIDE, decision)
    if not decision.is_open:
        raise Refused(Refusal.CLOSED, decision)


def cast_vote(actor: User, decision: Decision, choice: Choice, rationale: str) -> Vote:
    """``actor`` votes on ``decision``, once."""
    _check_part(actor, decision)
    text = _text(rationale, Vote.RATIONALE_LENGTH, required=True)
    if policy.has_voted(actor, decision):
        raise Refused(Refusal.ALREADY_VOTED, decision)
    _claim(decision)
    if not insert_ignoring_duplicates(
        Vote,
        decision_id=decision.id,
        voter_id=actor.id,
        choice=choice.value,
        rationale=text,
        cast_at=utcnow(),
    ):
        raise Refused(Refusal.ALREADY_VOTED, decision)
    vote = db.session.scalars(
        select(Vote).where(Vote.decision_id == decision.id, Vote.voter_id == actor.id)
    ).one()
    record(Action.VOTE_CAST, actor=actor, target=decision, candidate=decision.candidate.email)
    db.session.flush()
    return vote


def stand_aside(actor: User, decision: Decision, reason: str) -> StandAside:
    """``actor`` declares a conflict: no vote, and no sight of the votes, on this decision."""
    _check_part(actor, decision)
    text = _text(reason, StandAside.REASON_LENGTH, required=False)
    if policy.has_voted(actor, decision):
        raise Refused(Refusal.ALREADY_VOTED, decision)
    _claim(decision)
    aside = StandAside(decision_id=decision.id, user_id=actor.id, reason=text)
    db.session.add(aside)
    record(
        Action.STOOD_ASIDE,
        actor=actor,
        target=decision,
        candidate=decision.candidate.email,
        reason=text or None,
    )
    db.session.flush()
    return aside


def current_tally(decision: Decision) -> Tally:
    """The votes so far, among who may vote now (three statements)."""
    if not decision.is_open and decision.tally:
        return Tally.from_stored(decision.tally, decision.outcome)
    aside = select(StandAside.user_id).where(StandAside.decision_id == decision.id)
    members = select(GovernanceMembership.user_id).where(
        GovernanceMembership.organisation_id == decision.organisation_id,
        GovernanceMembership.user_id != decision.candidate_id,
        GovernanceMembership.user_id.not_in(aside),
    )
    votes = db.session.execute(
        select(Vote.voter_id, Vote.choice).where(Vote.decision_id == decision.id)
    ).all()
    current = set(db.session.scalars(members))
    voters = {voter for voter, _choice in votes if voter is not None}
    left_after_voting = len(voters - current) + sum(1 for voter, _c in votes if voter is None)
    return tally(
        (choice for _voter, choice in votes), len(current) + left_after_voting, decision.rule
    )


def record_outcome(actor: User, decision: Decision, rationale: str, version: int) -> Tally:
    """Record the outcome the votes give, with the group's rationale for the candidate.

    ``version`` is the decision's version the page showed: a vote cast since then refuses
    the recording (read the votes again first).
    """
    _check_part(actor, decision)
    text = _text(rationale, Decision.RATIONALE_LENGTH, required=True)
    result = current_tally(decision)
    if not result.quorate:
        raise Refused(Refusal.NO_QUORUM, decision)
    _claim(decision, version)
    db.session.execute(
        update(Decision)
        .where(Decision.id == decision.id)
        .values(
            closed_at=utcnow(),
            closed_by_id=actor.id,
            outcome=result.outcome,
            rationale=text,
            tally=result.as_stored(),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire(decision)
    record(
        Action.DECISION_RECORDED,
        actor=actor,
        target=decision,
        candidate=decision.candidate.email,
        outcome=result.outcome.value if result.outcome else None,
        votes=result.cast,
        members=result.members,
    )
    db.session.flush()
    return result


def record_refusal(actor: User, decision: Decision, attempt: str, reason: Refusal) -> None:
    """Audit a refused attempt to take part (a vote after the outcome, by who stood aside,
    twice, or by the candidate). The caller rolled back the refused work first."""
    record(
        Action.DECISION_REFUSED,
        actor=actor,
        target=decision,
        attempt=attempt,
        reason=reason.value,
    )
    db.session.flush()
