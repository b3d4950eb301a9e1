"""Governance decisions: who opens them, votes, sees the votes, and reads the outcome.

- The members of an organisation's governance group (or a network's) open decisions about
  the candidates of the organisations the group covers, vote, and record the outcome.
- A member votes alone: the others' votes are visible only after casting one's own vote, or
  once the outcome is recorded.
- The candidate takes no part in a decision about themself, even when they sit in the group:
  they read its status and, once recorded, its outcome and the group's rationale, never a
  vote. A member who stood aside is in the same place, without the outcome's view as
  candidate.
- Administrators see nothing of it: the decision is the group's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, or_, select

from portfolio.accounts.models import User
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    NetworkMember,
    Organisation,
)
from portfolio.extensions import db
from portfolio.governance.models import Decision, StandAside, Vote
from portfolio.policy.roles import is_governance_member
from portfolio.policy.viewers import Viewer, signed_in, user_id


def covers_candidate(organisation: Organisation | int, candidate: User) -> bool:
    """``candidate`` is a trainee in a cohort of ``organisation`` or of its network's members."""
    org_id = organisation if isinstance(organisation, int) else organisation.id
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CohortMembership.user_id == candidate.id,
                    CohortMembership.role == CohortRole.TRAINEE,
                    CohortMembership.cohort_id == Cohort.id,
                    Cohort.organisation_id.in_(NetworkMember.covered_by(org_id)),
                )
            )
        )
    )


def can_open_decision(viewer: Viewer, organisation: Organisation, candidate: User) -> bool:
    """A member of the group, about a candidate the group covers, never about themself."""
    user = signed_in(viewer)
    return (
        user is not None
        and user.id != candidate.id
        and is_governance_member(user, organisation)
        and covers_candidate(organisation, candidate)
    )


def is_candidate_of(viewer: Viewer, decision: Decision) -> bool:
    """``viewer`` is the person the decision is about."""
    user = signed_in(viewer)
    return user is not None and user.id == decision.candidate_id


def stood_aside(viewer: Viewer, decision: Decision) -> bool:
    """``viewer`` declared a conflict with this decision."""
    uid = user_id(viewer)
    return uid is not None and bool(
        db.session.scalar(
            select(exists().where(StandAside.decision_id == decision.id, StandAside.user_id == uid))
        )
    )


def has_voted(viewer: Viewer, decision: Decision) -> bool:
    """``viewer`` cast a vote on this decision."""
    uid = user_id(viewer)
    return uid is not None and bool(
        db.session.scalar(
            select(exists().where(Vote.decision_id == decision.id, Vote.voter_id == uid))
        )
    )


def can_view_decision(viewer: Viewer, decision: Decision) -> bool:
    """The group's members, and the candidate (who reads the status and the outcome)."""
    return is_candidate_of(viewer, decision) or is_governance_member(
        viewer, decision.organisation_id
    )


def takes_part(viewer: Viewer, decision: Decision) -> bool:
    """A member of the group who is not the candidate and did not stand aside."""
    return (
        not is_candidate_of(viewer, decision)
        and is_governance_member(viewer, decision.organisation_id)
        and not stood_aside(viewer, decision)
    )


def can_see_votes(viewer: Viewer, decision: Decision) -> bool:
    """A member who takes part, once they voted or the outcome is recorded."""
    return takes_part(viewer, decision) and (not decision.is_open or has_voted(viewer, decision))


def visible_decisions(viewer: Viewer) -> Select[Any]:
    """Decisions ``viewer`` may open: those of the groups they sit in, and those about them."""
    uid = user_id(viewer)
    groups = select(GovernanceMembership.organisation_id).where(GovernanceMembership.user_id == uid)
    return select(Decision.id).where(
        or_(Decision.organisation_id.in_(groups), Decision.candidate_id == uid)
    )
