"""What the dashboard and a trainee's overview show, as plain data (constant queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import aliased

from portfolio.assessment.models import RoundState
from portfolio.assessment.queries import TraineeRound, trainee_rounds_and_total
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.extensions import db
from portfolio.paging import AnySelect


@dataclass(frozen=True)
class CohortLine:
    """A cohort on the dashboard: its name, organisation and number of trainees."""

    id: int
    name: str
    organisation_name: str
    trainees: int


@dataclass(frozen=True)
class OrganisationLine:
    """An organisation whose governance group the person sits in."""

    id: int
    name: str


@dataclass(frozen=True)
class Dashboard:
    """Everything a person works on, by role."""

    open_rounds: tuple[TraineeRound, ...]
    handed_in_rounds: tuple[TraineeRound, ...]
    total: int
    training: tuple[CohortLine, ...]
    learning: tuple[CohortLine, ...]
    governed: tuple[OrganisationLine, ...]


@cache
def _memberships_statement() -> AnySelect:
    """The person's cohorts with their role and trainee counts, built once per process
    (the person is a bound parameter, so building the subquery is not paid per page)."""
    user_id = bindparam("user_id", type_=Integer)
    mine = select(CohortMembership.cohort_id).where(CohortMembership.user_id == user_id)
    counted = aliased(CohortMembership)
    trainees = (
        select(counted.cohort_id.label("cohort_id"), func.count(counted.id).label("n"))
        .where(counted.role == CohortRole.TRAINEE, counted.cohort_id.in_(mine))
        .group_by(counted.cohort_id)
        .subquery()
    )
    return (
        select(
            CohortMembership.role,
            Cohort.id,
            Cohort.name,
            Organisation.name,
            func.coalesce(trainees.c.n, 0),
        )
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(trainees, trainees.c.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user_id)
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    )


def dashboard(user_id: int, today: date) -> Dashboard:
    """The dashboard of ``user_id`` (three queries, whatever the cohorts' sizes)."""
    memberships = db.session.execute(_memberships_statement(), {"user_id": user_id}).all()
    lines = [(role, CohortLine(cid, name, org, int(n))) for role, cid, name, org, n in memberships]
    governed = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(GovernanceMembership, GovernanceMembership.organisation_id == Organisation.id)
        .where(GovernanceMembership.user_id == user_id)
        .order_by(Organisation.name)
    ).all()
    rounds, total = trainee_rounds_and_total(user_id, today)
    open_now = [r for r in rounds if r.state == RoundState.OPEN]
    return Dashboard(
        open_rounds=tuple(r for r in open_now if not r.is_submitted),
        handed_in_rounds=tuple(r for r in open_now if r.is_submitted),
        total=total,
        training=tuple(line for role, line in lines if role == CohortRole.TRAINER),
        learning=tuple(line for role, line in lines if role == CohortRole.TRAINEE),
        governed=tuple(OrganisationLine(oid, name) for oid, name in governed),
    )


@dataclass(frozen=True)
class TraineePage:
    """A trainee's overview: their cohorts and rounds, as the viewer may see them."""

    cohorts: tuple[str, ...]
    rounds: tuple[TraineeRound, ...]
    total: int


def trainee_page(trainee_id: int, today: date, visible: Select[int] | None) -> TraineePage:
    """A trainee's cohorts and rounds (two queries).

    ``visible`` (from :func:`portfolio.policy.visible_cohort_ids`) narrows both to the
    cohorts the viewer may see, with the counts of the last hand-in; None for the trainee.
    """
    query = (
        select(Cohort.name)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Cohort.name)
    )
    if visible is not None:
        query = query.where(Cohort.id.in_(visible))
    rounds, total = trainee_rounds_and_total(trainee_id, today, visible)
    return TraineePage(cohorts=tuple(db.session.scalars(query)), rounds=tuple(rounds), total=total)
