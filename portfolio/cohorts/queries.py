"""Page-sized reads about organisations and cohorts, as plain data.

Each function runs a fixed number of statements whatever the size of the cohort or
organisation (joins and plain rows, no lazy loads), and returns frozen dataclasses and
named tuples that templates, exports and the API read alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, select

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Invitation,
    Organisation,
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
class OrganisationPage:
    """An organisation's page: its cohorts, its governance group, its open invitations."""

    id: int
    name: str
    country: str
    cohorts: tuple[CohortLink, ...]
    governance: tuple[Person, ...]
    pending: tuple[PendingInvitation, ...]


@dataclass(frozen=True)
class CohortPage:
    """A cohort's page: where and when, its people, and its open invitations."""

    id: int
    name: str
    location: str
    starts_on: date | None
    ends_on: date | None
    organisation_id: int
    organisation_name: str
    members: Page[Member]
    pending: tuple[PendingInvitation, ...]


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
    """What an organisation's page shows (three statements, two without invitations)."""
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
    return OrganisationPage(
        id=organisation.id,
        name=organisation.name,
        country=organisation.country,
        cohorts=tuple(CohortLink(*row) for row in cohorts),
        governance=tuple(Person(*row) for row in governance),
        pending=pending,
    )


def cohort_page(cohort: Cohort, *, with_pending: bool, page: int = 1) -> CohortPage:
    """What a cohort's page shows: one page of its people, trainers first, then by name
    (three statements, two without invitations, at any size)."""
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
    )


def candidates(organisation: Organisation, page: int = 1) -> Page[Candidate]:
    """One page of the trainees of ``organisation``'s cohorts, by cohort and name (one
    statement)."""
    found, _rows = read_page(
        select(User.id, User.name, Cohort.name)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(
            Cohort.organisation_id == organisation.id, CohortMembership.role == CohortRole.TRAINEE
        )
        .order_by(Cohort.name, User.name, User.id),
        page,
        lambda row: Candidate(*row),
    )
    return found
