"""Page-sized reads about accounts, as plain data: the People list and one account."""

from __future__ import annotations

import math
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


class AccountRow(NamedTuple):
    """One account in the People list."""

    id: int
    name: str
    email: str
    active: bool
    is_admin: bool
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class PeoplePage:
    """One page of the People list, with what the page links need."""

    items: tuple[AccountRow, ...]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages there are (0 when there is nothing to show)."""
        return math.ceil(self.total / self.per_page) if self.total else 0

    @property
    def has_prev(self) -> bool:
        """There is a page before this one."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """There is a page after this one."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        """The number of the page before, if any."""
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        """The number of the page after, if any."""
        return self.page + 1 if self.has_next else None


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

    A page past the end shows the last page (two statements: the count and the page).
    """
    condition = _matching(q)
    count = select(func.count(User.id))
    rows = select(
        User.id, User.name, User.email, User.active, User.is_admin, User.last_sign_in_at
    ).order_by(func.lower(User.name), User.id)
    if condition is not None:
        count = count.where(condition)
        rows = rows.where(condition)
    total = db.session.scalar(count) or 0
    pages = math.ceil(total / per_page) if total else 0
    if page > 1 and page > (pages or 1):
        page = max(pages, 1)
    items = db.session.execute(rows.limit(per_page).offset((page - 1) * per_page)).all()
    return PeoplePage(
        items=tuple(AccountRow(*row) for row in items), page=page, per_page=per_page, total=total
    )


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
