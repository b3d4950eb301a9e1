"""Organisations, cohorts, memberships and invitations: who sees and manages the structure."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from portfolio.accounts.models import User
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    Invitation,
    Organisation,
)
from portfolio.extensions import db
from portfolio.policy.roles import (
    governed_organisations,
    governs_organisation,
    is_admin,
    is_trainer_of,
)
from portfolio.policy.viewers import Viewer, signed_in, user_id


def can_view_organisation(viewer: Viewer, organisation: Organisation) -> bool:
    """Administrators and the governance groups that cover the organisation (its own, and a
    network's it is a member of)."""
    return is_admin(viewer) or governs_organisation(viewer, organisation)


def can_manage_organisation(viewer: Viewer, organisation: Organisation | None = None) -> bool:
    """Creating and changing organisations and their governance groups: administrators."""
    return is_admin(viewer)


def can_view_candidates(viewer: Viewer, organisation: Organisation) -> bool:
    """A governance group compares the candidates of the organisations it covers."""
    return governs_organisation(viewer, organisation)


def governed_organisation_ids(viewer: Viewer) -> Select[Any]:
    """Organisations a governance group of ``viewer`` covers (narrows the overview)."""
    return governed_organisations(user_id(viewer))


def can_view_governance_overview(viewer: Viewer) -> bool:
    """A governance member compares the candidates of every organisation they govern.

    As on the candidates page, being an administrator opens nothing here.
    """
    if signed_in(viewer) is None:
        return False
    return bool(db.session.scalar(select(governed_organisation_ids(viewer).exists())))


def can_view_cohort(viewer: Viewer, cohort: Cohort) -> bool:
    """Administrators, the cohort's trainers and its organisation's governance group."""
    return (
        is_admin(viewer)
        or is_trainer_of(viewer, cohort)
        or governs_organisation(viewer, cohort.organisation_id)
    )


def can_view_cohort_dashboard(viewer: Viewer, cohort: Cohort) -> bool:
    """The cohort dashboard (the spread of the handed-in self-ratings, each trainee's status
    and feedback counts, links to their growth): the cohort's trainers.

    Not administrators, who manage the structure but open no portfolio (in a small cohort a
    spread shows single trainees' ratings), and not the governance group, who see nothing
    of the feedback asked (:mod:`portfolio.policy.feedback`) nor a trainee's growth.
    """
    return is_trainer_of(viewer, cohort)


def can_manage_cohort(viewer: Viewer, cohort: Cohort) -> bool:
    """Administrators and the cohort's trainers manage members and invitations."""
    return is_admin(viewer) or is_trainer_of(viewer, cohort)


def can_manage_rounds(viewer: Viewer, cohort: Cohort) -> bool:
    """Trainers (and administrators) plan a cohort's assessment rounds."""
    return can_manage_cohort(viewer, cohort)


def can_manage_modules(viewer: Viewer, cohort: Cohort) -> bool:
    """Trainers (and administrators) add, change and remove a cohort's training modules."""
    return can_manage_cohort(viewer, cohort)


def can_invite(viewer: Viewer, cohort: Cohort, role: str) -> bool:
    """Trainers invite trainees and fellow trainers; administrators invite anyone."""
    if is_admin(viewer):
        return True
    return is_trainer_of(viewer, cohort) and role in (CohortRole.TRAINEE, CohortRole.TRAINER)


def can_change_roles(viewer: Viewer, cohort: Cohort) -> bool:
    """Changing someone's role in a cohort: administrators only."""
    return is_admin(viewer)


def can_change_role_of(viewer: Viewer, membership: CohortMembership) -> bool:
    """Administrators change roles, but never their own (that would open portfolios)."""
    return can_change_roles(viewer, membership.cohort) and membership.user_id != user_id(viewer)


def visible_cohort_ids(viewer: Viewer) -> Select[Any]:
    """Cohorts whose handed-in work ``viewer`` may see as someone other than the trainee:
    the cohorts they train and the cohorts of organisations whose governance group they sit in.
    """
    uid = user_id(viewer)
    trained = select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == uid, CohortMembership.role == CohortRole.TRAINER
    )
    governed = select(Cohort.id).where(Cohort.organisation_id.in_(governed_organisations(uid)))
    return trained.union(governed)  # type: ignore[return-value]


# --- memberships need two people -----------------------------------------------------------


def invites_self(actor: User | None, email: str) -> bool:
    """An invitation from ``actor`` to ``email`` would be a membership given to oneself.

    ``actor`` is None on the command line, where nobody signed in.
    """
    return actor is not None and actor.email == email.strip().lower()


def can_accept_invitation(user: User, invitation: Invitation) -> bool:
    """The one who accepts is never the one who invited; administrators (who open no
    portfolio) do not accept an invitation that no person signed (made on the command line).
    """
    if invitation.invited_by_id is not None:
        return invitation.invited_by_id != user.id
    return not user.is_admin
