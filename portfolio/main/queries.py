"""What the dashboard and a trainee's overview show, as plain data (constant queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
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


#: The role of the governance lines in :func:`_places_statement`.
GOVERNANCE = "governance"


@cache
def _places_statement() -> AnySelect:
    """The person's cohorts with their role and trainee counts, then the organisations whose
    governance group they sit in (role ``governance``), in one statement built once per
    process (the person is a bound parameter, so building it is not paid per page)."""
    user_id = bindparam("user_id", type_=Integer)
    mine = select(CohortMembership.cohort_id).where(CohortMembership.user_id == user_id)
    counted = aliased(CohortMembership)
    trainees = (
        select(counted.cohort_id.label("cohort_id"), func.count(counted.id).label("n"))
        .where(counted.role == CohortRole.TRAINEE, counted.cohort_id.in_(mine))
        .group_by(counted.cohort_id)
        .subquery()
    )
    cohorts = (
        select(
            literal(0).label("kind"),
            cast(CohortMembership.role, String).label("role"),
            Cohort.id.label("id"),
            Cohort.name.label("name"),
            Organisation.name.label("organisation"),
            func.coalesce(trainees.c.n, 0).label("trainees"),
            Cohort.starts_on.label("starts_on"),
        )
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(trainees, trainees.c.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user_id)
    )
    governed = (
        select(
            literal(1),
            literal(GOVERNANCE, String),
            Organisation.id,
            Organisation.name,
            Organisation.name,
            literal(0),
            null().cast(Date),
        )
        .join(GovernanceMembership, GovernanceMembership.organisation_id == Organisation.id)
        .where(GovernanceMembership.user_id == user_id)
    )
    places = union_all(cohorts, governed).subquery()
    return select(
        places.c.role, places.c.id, places.c.name, places.c.organisation, places.c.trainees
    ).order_by(places.c.kind, places.c.starts_on.desc(), places.c.name)


def dashboard(user_id: int, today: date) -> Dashboard:
    """The dashboard of ``user_id`` (two queries, whatever the cohorts' sizes)."""
    places = db.session.execute(_places_statement(), {"user_id": user_id}).all()
    lines = [(role, CohortLine(pid, name, org, int(n))) for role, pid, name, org, n in places]
    rounds, total = trainee_rounds_and_total(user_id, today)
    open_now = [r for r in rounds if r.state == RoundState.OPEN]
    return Dashboard(
        open_rounds=tuple(r for r in open_now if not r.is_submitted),
        handed_in_rounds=tuple(r for r in open_now if r.is_submitted),
        total=total,
        training=tuple(line for role, line in lines if role == CohortRole.TRAINER),
        learning=tuple(line for role, line in lines if role == CohortRole.TRAINEE),
        governed=tuple(
            OrganisationLine(line.id, line.name) for role, line in lines if role == GOVERNANCE
        ),
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
