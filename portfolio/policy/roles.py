"""What someone is: administrator, trainer or trainee of a cohort, governance member.

The building blocks of the rules in the other modules; each is one ``EXISTS`` at most.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select

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
from portfolio.policy.viewers import Viewer, signed_in


def is_admin(viewer: Viewer | None) -> bool:
    """A site administrator."""
    user = signed_in(viewer)
    return user is not None and bool(user.is_admin)


def _role_in(user: User, cohort_id: int, role: CohortRole) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    CohortMembership.cohort_id == cohort_id,
                    CohortMembership.user_id == user.id,
                    CohortMembership.role == role,
                )
            )
        )
    )


def is_trainer_of(viewer: Viewer | None, cohort: Cohort) -> bool:
    """``viewer`` trains ``cohort``."""
    user = signed_in(viewer)
    return user is not None and _role_in(user, cohort.id, CohortRole.TRAINER)


def is_trainee_in(viewer: Viewer | None, cohort: Cohort) -> bool:
    """``viewer`` is a trainee in ``cohort``."""
    user = signed_in(viewer)
    return user is not None and _role_in(user, cohort.id, CohortRole.TRAINEE)


def is_governance_member(viewer: Viewer | None, organisation: Organisation | int) -> bool:
    """``viewer`` sits in the governance group of ``organisation`` (an object or its id)."""
    user = signed_in(viewer)
    if user is None:
        return False
    org_id = organisation if isinstance(organisation, int) else organisation.id
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    GovernanceMembership.organisation_id == org_id,
                    GovernanceMembership.user_id == user.id,
                )
            )
        )
    )


def governed_organisations(uid: int | None) -> Select[Any]:
    """The ids of the organisations the governance groups of ``uid`` cover: each group's own
    organisation and, when that is a network, its member organisations."""
    own = select(GovernanceMembership.organisation_id).where(GovernanceMembership.user_id == uid)
    covered = (
        select(NetworkMember.member_id)
        .join(
            GovernanceMembership, GovernanceMembership.organisation_id == NetworkMember.network_id
        )
        .where(GovernanceMembership.user_id == uid)
    )
    return own.union(covered)  # type: ignore[return-value]


def governs_organisation(viewer: Viewer | None, organisation: Organisation | int) -> bool:
    """A governance group ``viewer`` sits in covers ``organisation`` (its own, or a network's
    member organisation)."""
    user = signed_in(viewer)
    if user is None:
        return False
    org_id = organisation if isinstance(organisation, int) else organisation.id
    ids = governed_organisations(user.id).subquery()
    return bool(db.session.scalar(select(exists().where(ids.c.organisation_id == org_id))))


def trains(viewer: Viewer | None, trainee: User) -> bool:
    """``viewer`` is a trainer in a cohort where ``trainee`` is a trainee."""
    user = signed_in(viewer)
    if user is None:
        return False
    mine = CohortMembership.__table__.alias("mine")
    theirs = CohortMembership.__table__.alias("theirs")
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    mine.c.user_id == user.id,
                    mine.c.role == CohortRole.TRAINER.value,
                    theirs.c.cohort_id == mine.c.cohort_id,
                    theirs.c.user_id == trainee.id,
                    theirs.c.role == CohortRole.TRAINEE.value,
                )
            )
        )
    )


def governs(viewer: Viewer | None, trainee: User) -> bool:
    """``viewer`` is in a governance group that covers an organisation where ``trainee``
    trains."""
    user = signed_in(viewer)
    if user is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Cohort.organisation_id.in_(governed_organisations(user.id)),
                    CohortMembership.cohort_id == Cohort.id,
                    CohortMembership.user_id == trainee.id,
                    CohortMembership.role == CohortRole.TRAINEE,
                )
            )
        )
    )
