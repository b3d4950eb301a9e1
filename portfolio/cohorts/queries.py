"""Page-sized reads about organisations and cohorts, as plain data.

Each function runs a fixed number of statements whatever the size of the cohort or
organisation (joins and plain rows, no lazy loads), and returns frozen dataclasses and
named tuples that templates, exports and the API read alike.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, func, select

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    NetworkMember,
    Organisation,
    TrainingModule,
)
from portfolio.extensions import db
from portfolio.paging import Page, read_page


class OrganisationRow(NamedTuple):
    """One organisation in the list of all of them."""

    id: int
    name: str
    country: str
    cohort_count: int


class CohortLink(NamedTuple):
    """A cohort named in a list."""

    id: int
    name: str


class Person(NamedTuple):
    """Someone named in a list, with their address."""

    user_id: int
    name: str
    email: str


class Member(NamedTuple):
    """Someone's place in a cohort."""

    membership_id: int
    user_id: int
    name: str
    email: str
    role: CohortRole


class PendingInvitation(NamedTuple):
    """An invitation that was not yet accepted, withdrawn or expired."""

    id: int
    email: str
    role: str
    created_at: datetime
    expires_at: datetime


class Candidate(NamedTuple):
    """A trainee of one of an organisation's cohorts."""

    user_id: int
    name: str
    cohort_name: str


@dataclass(frozen=True)
class ModuleItem:
    """A training module of a cohort."""

    id: int
    cohort_id: int
    title: str
    first_day: date
    last_day: date
    description: str


@dataclass(frozen=True)
class OrganisationPage:
    """An organisation's page: its cohorts, its governance group, its open invitations."""

    id: int
    name: str
    country: str
    cohorts: tuple[CohortLink, ...]
    governance: tuple[Person, ...]
    pending: tuple[PendingInvitation, ...]
    #: The organisations this one's governance group covers as a network.
    network_members: tuple[OrganisationLink, ...] = ()
    #: The networks this organisation is a member of.
    networks: tuple[OrganisationLink, ...] = ()
    governance_rule: str = "majority"


@dataclass(frozen=True)
class OrganisationLink:
    """An organisation by name."""

    id: int
    name: str


@dataclass(frozen=True)
class CohortPage:
    """A cohort's page: where and when, its people, its open invitations and its training
    modules."""

    id: int
    name: str
    location: str
    starts_on: date | None
    ends_on: date | None
    organisation_id: int
    organisation_name: str
    members: Page[Member]
    pending: tuple[PendingInvitation, ...]
    modules: tuple[ModuleItem, ...] = ()


def organisations() -> list[OrganisationRow]:
    """Every organisation with its number of cohorts, by name (one statement)."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Organisation.country, func.count(Cohort.id))
        .outerjoin(Cohort, Cohort.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.name, Organisation.country)
        .order_by(Organisation.name)
    ).all()
    return [OrganisationRow(*row) for row in rows]


def pending_invitations(condition: ColumnElement[bool]) -> tuple[PendingInvitation, ...]:
    """Invitations matching ``condition`` that are still pending, newest first."""
    rows = db.session.execute(
        select(
            Invitation.id,
            Invitation.email,
            Invitation.role,
            Invitation.created_at,
            Invitation.expires_at,
        )
        .where(condition, Invitation.pending_at(utcnow()))
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())
    ).all()
    return tuple(PendingInvitation(*row) for row in rows)


def organisation_page(organisation: Organisation, *, with_pending: bool) -> OrganisationPage:
    """What an organisation's page shows (four statements, three without invitations)."""
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name)
        .where(Cohort.organisation_id == organisation.id)
        .order_by(Cohort.starts_on.desc(), Cohort.id)
    ).all()
    governance = db.session.execute(
        select(User.id, User.name, User.email)
        .join(GovernanceMembership, GovernanceMembership.user_id == User.id)
        .where(GovernanceMembership.organisation_id == organisation.id)
        .order_by(GovernanceMembership.id)
    ).all()
    pending = (
        pending_invitations(Invitation.organisation_id == organisation.id) if with_pending else ()
    )
    links = db.session.execute(
        select(
            NetworkMember.network_id, NetworkMember.member_id, Organisation.id, Organisation.name
        )
        .join(
            Organisation,
            (
                (NetworkMember.network_id == organisation.id)
                & (Organisation.id == NetworkMember.member_id)
            )
            | (
                (NetworkMember.member_id == organisation.id)
                & (Organisation.id == NetworkMember.network_id)
            ),
        )
        .order_by(Organisation.name)
    ).all()
    return OrganisationPage(
        id=organisation.id,
        name=organisation.name,
        country=organisation.country,
        cohorts=tuple(CohortLink(*row) for row in cohorts),
        governance=tuple(Person(*row) for row in governance),
        pending=pending,
        network_members=tuple(
            OrganisationLink(oid, name)
            for network, _m, oid, name in links
            if network == organisation.id
        ),
        networks=tuple(
            OrganisationLink(oid, name)
            for network, _m, oid, name in links
            if network != organisation.id
        ),
        governance_rule=organisation.governance_rule,
    )


def other_organisations(organisation: Organisation) -> list[OrganisationLink]:
    """Every other organisation, by name: the choices for a network's members."""
    rows = db.session.execute(
        select(Organisation.id, Organisation.name)
        .where(Organisation.id != organisation.id)
        .order_by(Organisation.name)
    ).all()
    return [OrganisationLink(*row) for row in rows]


def _modules(condition: ColumnElement[bool]) -> tuple[ModuleItem, ...]:
    rows = db.session.execute(
        select(
            TrainingModule.id,
            TrainingModule.cohort_id,
            TrainingModule.title,
            TrainingModule.first_day,
            TrainingModule.last_day,
            TrainingModule.description,
        )
        .where(condition)
        .order_by(TrainingModule.first_day, TrainingModule.last_day, TrainingModule.id)
    ).all()
    return tuple(ModuleItem(*row) for row in rows)


def training_modules(cohort_id: int) -> tuple[ModuleItem, ...]:
    """A cohort's training modules by date (one statement)."""
    return _modules(TrainingModule.cohort_id == cohort_id)


def trainee_modules(trainee_id: int, cohort_ids: Select[Any] | None) -> tuple[ModuleItem, ...]:
    """The training modules of the cohorts ``trainee_id`` is a trainee in, by date (one
    statement); ``cohort_ids`` narrows to the cohorts another viewer may see."""
    trained_in = select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE
    )
    condition: ColumnElement[bool] = TrainingModule.cohort_id.in_(trained_in)
    if cohort_ids is not None:
        condition = condition & TrainingModule.cohort_id.in_(cohort_ids)
    return _modules(condition)


def cohort_page(cohort: Cohort, *, with_pending: bool, page: int = 1) -> CohortPage:
    """What a cohort's page shows: one page of its people, trainers first, then by name, and
    its training modules (four statements, three without invitations, at any size)."""
    organisation_name = db.session.scalar(
        select(Organisation.name).where(Organisation.id == cohort.organisation_id)
    )
    members, _rows = read_page(
        select(
            CohortMembership.id,
            User.id,
            User.name,
            User.email,
            CohortMembership.role,
        )
        .join(User, User.id == CohortMembership.user_id)
        .where(CohortMembership.cohort_id == cohort.id)
        .order_by(CohortMembership.role.desc(), User.name, CohortMembership.id),
        page,
        lambda row: Member(*row),
    )
    pending = pending_invitations(Invitation.cohort_id == cohort.id) if with_pending else ()
    return CohortPage(
        id=cohort.id,
        name=cohort.name,
        location=cohort.location,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        organisation_id=cohort.organisation_id,
        organisation_name=organisation_name or "",
        members=members,
        pending=pending,
        modules=training_modules(cohort.id),
    )


def candidates(organisation: Organisation, page: int = 1) -> Page[Candidate]:
    """One page of the trainees of ``organisation``'s cohorts, by cohort and name (one
    statement)."""
    found, _rows = read_page(
        select(User.id, User.name, Cohort.name)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(
            Cohort.organisation_id.in_(NetworkMember.covered_by(organisation.id)),
            CohortMembership.role == CohortRole.TRAINEE,
        )
        .order_by(Cohort.name, User.name, User.id),
        page,
        lambda row: Candidate(*row),
    )
    return found


def active_trainers(cohort_id: int, excluding: Collection[int] = ()) -> list[User]:
    """The cohort's trainers with an open account (but ``excluding``), by id: whom a
    feature tells of what happens in the cohort."""
    return list(
        db.session.scalars(
            select(User)
            .join(CohortMembership, CohortMembership.user_id == User.id)
            .where(
                CohortMembership.cohort_id == cohort_id,
                CohortMembership.role == CohortRole.TRAINER,
                User.active.is_(True),
                User.id.not_in(list(excluding)),
            )
            .order_by(User.id)
        )
    )


def trains_cohort(user_id: int, cohort_id: int) -> bool:
    """The person is a trainer of the cohort (today; not a policy check of a viewer)."""
    return (
        db.session.scalar(
            select(CohortMembership.id).where(
                CohortMembership.cohort_id == cohort_id,
                CohortMembership.user_id == user_id,
                CohortMembership.role == CohortRole.TRAINER,
            )
        )
        is not None
    )
