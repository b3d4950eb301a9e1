"""Page-sized reads about accounts, as plain data: the People list and one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import ColumnElement, func, or_, select

from portfolio.accounts.models import User
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.extensions import db
from portfolio.paging import Page, read_page


class AccountRow(NamedTuple):
    """One account in the People list."""

    id: int
    name: str
    email: str
    active: bool
    is_admin: bool
    last_sign_in_at: datetime | None


#: One page of the People list.
PeoplePage = Page[AccountRow]


class CohortPlace(NamedTuple):
    """Someone's role in one cohort."""

    cohort_id: int
    cohort_name: str
    role: CohortRole


class GovernancePlace(NamedTuple):
    """Someone's seat in one organisation's governance group."""

    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class Memberships:
    """Where an account is a member."""

    cohorts: tuple[CohortPlace, ...]
    governance: tuple[GovernancePlace, ...]


def _matching(q: str) -> ColumnElement[bool] | None:
    if not q:
        return None
    return or_(
        User.email.contains(q.lower(), autoescape=True),
        func.lower(User.name).contains(q.lower(), autoescape=True),
    )


def people_page(q: str, page: int, per_page: int) -> PeoplePage:
    """Accounts whose name or e-mail address contains ``q``, by name, one page of them.

    A page past the end shows the last page (one statement; two past the end).
    """
    condition = _matching(q)
    rows = select(
        User.id, User.name, User.email, User.active, User.is_admin, User.last_sign_in_at
    ).order_by(func.lower(User.name), User.id)
    if condition is not None:
        rows = rows.where(condition)
    found, _raw = read_page(rows, page, lambda row: AccountRow(*row), per_page=per_page)
    return found


def memberships(user: User) -> Memberships:
    """The cohorts (with role) and governance groups of ``user``, by name (two statements)."""
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.name, CohortMembership.role)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == user.id)
        .order_by(Cohort.name)
    ).all()
    governance = db.session.execute(
        select(Organisation.id, Organisation.name)
        .join(GovernanceMembership, GovernanceMembership.organisation_id == Organisation.id)
        .where(GovernanceMembership.user_id == user.id)
        .order_by(GovernanceMembership.id)
    ).all()
    return Memberships(
        cohorts=tuple(CohortPlace(*row) for row in cohorts),
        governance=tuple(GovernancePlace(*row) for row in governance),
    )
