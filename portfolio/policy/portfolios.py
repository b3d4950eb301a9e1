"""The final portfolio: who writes it, who reads its hand-ins, who gives one back.

Only the trainee writes their portfolio, and only in a cohort they are a trainee of. A
hand-in (snapshot) is read by the trainee and by the trainers of the portfolio's cohort;
it holds feedback under the anonymity rule, which governance and administrators do not
read. A trainer of that cohort gives the latest hand-in back for revision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.cohorts.models import Cohort
from portfolio.extensions import db
from portfolio.policy.cohorts import can_view_cohort_dashboard
from portfolio.policy.roles import is_trainee_in, is_trainer_of
from portfolio.policy.trainees import trained_cohort_ids
from portfolio.policy.viewers import Viewer, signed_in, user_id
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot


def can_write_portfolio(viewer: Viewer, cohort: Cohort) -> bool:
    """Trainees of the cohort write their own portfolio in it."""
    return is_trainee_in(viewer, cohort)


def visible_snapshots(viewer: Viewer) -> Select[Any]:
    """Ids of the portfolio hand-ins ``viewer`` may read: their own, and those of the
    cohorts they train. Use it to narrow a query (``.in_(...)``)."""
    return (
        select(PortfolioSnapshot.id)
        .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
        .where(
            or_(
                Portfolio.trainee_id == user_id(viewer),
                Portfolio.cohort_id.in_(trained_cohort_ids(viewer)),
            )
        )
    )


def can_view_snapshot(viewer: Viewer, snapshot: PortfolioSnapshot) -> bool:
    """The trainee and the trainers of the portfolio's cohort (as :func:`visible_snapshots`)."""
    if signed_in(viewer) is None:
        return False
    narrowed = visible_snapshots(viewer).where(PortfolioSnapshot.id == snapshot.id)
    return bool(db.session.scalar(select(narrowed.exists())))


def can_return_portfolio(viewer: Viewer, snapshot: PortfolioSnapshot) -> bool:
    """A trainer of the portfolio's cohort gives a hand-in back for revision."""
    return is_trainer_of(viewer, snapshot.portfolio.cohort)


def can_view_cohort_portfolios(viewer: Viewer, cohort: Cohort) -> bool:
    """The trainers of the cohort see where each trainee's portfolio stands: the readers of
    the cohort dashboard (the cohort page links both on that one check)."""
    return can_view_cohort_dashboard(viewer, cohort)
