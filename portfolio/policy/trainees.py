"""A person's overview and their own work: who sees a trainee, who writes their work."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.accounts.models import User
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.extensions import db
from portfolio.policy.cohorts import visible_cohort_ids
from portfolio.policy.roles import trains
from portfolio.policy.viewers import Viewer, signed_in, user_id


def visible_trainees(viewer: Viewer) -> Select[Any]:
    """Ids of the people whose overview ``viewer`` may open: themselves, and the trainees of
    the cohorts in :func:`visible_cohort_ids`. Use it to narrow a query (``.in_(...)``)."""
    uid = user_id(viewer)
    return select(User.id).where(
        or_(
            User.id == uid,
            User.id.in_(
                select(CohortMembership.user_id).where(
                    CohortMembership.role == CohortRole.TRAINEE,
                    CohortMembership.cohort_id.in_(visible_cohort_ids(viewer)),
                )
            ),
        )
    )


def can_view_trainee(viewer: Viewer, trainee: User) -> bool:
    """The trainee, their trainers, and their organisation's governance group.

    The same rule as :func:`visible_trainees`. This opens the person's overview only; what it
    lists is narrowed to the cohorts the viewer may see (:func:`visible_cohort_ids`).
    """
    user = signed_in(viewer)
    if user is None:
        return False
    if user.id == trainee.id:
        return True
    narrowed = visible_trainees(viewer).where(User.id == trainee.id)
    return bool(db.session.scalar(select(narrowed.exists())))


def can_edit_own_work(viewer: Viewer, trainee: User) -> bool:
    """Only the trainee writes their own self-assessment, reflections and evidence."""
    user = signed_in(viewer)
    return user is not None and user.id == trainee.id


def trained_cohort_ids(viewer: Viewer) -> Select[Any]:
    """Cohorts ``viewer`` trains (the rounds whose feedback they may read under the rule)."""
    return select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user_id(viewer), CohortMembership.role == CohortRole.TRAINER
    )


def can_view_growth(viewer: Viewer, trainee: User) -> bool:
    """A trainee's growth charts (self-ratings next to feedback under the anonymity rule):
    the trainee, and the trainers of one of their cohorts — the readers of
    :func:`portfolio.policy.can_read_feedback`. Governance sees no individual feedback."""
    user = signed_in(viewer)
    if user is None:
        return False
    return user.id == trainee.id or trains(viewer, trainee)
