"""Who may do what. The only place that decides; every view asks it before acting.

Rules in plain words:
- trainees see and change only their own work;
- trainers see the trainees of the cohorts they train, and manage those cohorts;
- governance members see the candidates (trainees) of their own organisation's cohorts;
- visibility follows the work, not the person: a self-assessment is seen by others only
  through the cohort its round belongs to (that cohort's trainers, the governance group of
  that cohort's organisation), and only once handed in; they then see the last submission,
  never the live draft. Evidence is seen by others only as the versions attached to
  submissions they may see; the live library is its owner's alone;
- administrators manage the structure (organisations, cohorts, memberships, invitations)
  and read the audit log. Being an administrator does not open anyone's portfolio, and an
  administrator cannot give themselves a membership that would: no inviting oneself, no
  accepting one's own invitation, no changing one's own role (another person has to).

Functions answer True/False and never touch the request. Views turn a False into 404 when
the object itself may not be seen (so its existence is not revealed) and 403 when it may be
seen but the action is not allowed; :func:`require_view` and :func:`require` do that.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort
from sqlalchemy import Select, exists, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import (
    Round,
    SelfAssessment,
    Submission,
    submission_evidence,
)
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.extensions import db


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_admin(user: Any) -> bool:
    """A site administrator."""
    return _signed_in(user) and bool(user.is_admin)


def _role_in(user: Any, cohort_id: int, role: CohortRole) -> bool:
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


def is_trainer_of(user: Any, cohort: Cohort) -> bool:
    """``user`` trains ``cohort``."""
    return _signed_in(user) and _role_in(user, cohort.id, CohortRole.TRAINER)


def is_trainee_in(user: Any, cohort: Cohort) -> bool:
    """``user`` is a trainee in ``cohort``."""
    return _signed_in(user) and _role_in(user, cohort.id, CohortRole.TRAINEE)


def is_governance_member(user: Any, organisation: Organisation | int) -> bool:
    """``user`` sits in the governance group of ``organisation``."""
    if not _signed_in(user):
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


def trains(user: Any, trainee: User) -> bool:
    """``user`` is a trainer in a cohort where ``trainee`` is a trainee."""
    if not _signed_in(user):
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


def governs(user: Any, trainee: User) -> bool:
    """``user`` is in the governance group of an organisation where ``trainee`` trains."""
    if not _signed_in(user):
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    GovernanceMembership.user_id == user.id,
                    Cohort.organisation_id == GovernanceMembership.organisation_id,
                    CohortMembership.cohort_id == Cohort.id,
                    CohortMembership.user_id == trainee.id,
                    CohortMembership.role == CohortRole.TRAINEE,
                )
            )
        )
    )


# --- people and their work -------------------------------------------------------------


def can_view_trainee(viewer: Any, trainee: User) -> bool:
    """The trainee, their trainers, and their organisation's governance group.

    This opens the person's overview only; what it lists is narrowed to the cohorts the
    viewer may see (:func:`visible_cohort_ids`).
    """
    if not _signed_in(viewer):
        return False
    return viewer.id == trainee.id or trains(viewer, trainee) or governs(viewer, trainee)


def can_edit_own_work(viewer: Any, trainee: User) -> bool:
    """Only the trainee writes their own self-assessment, reflections and evidence."""
    return _signed_in(viewer) and viewer.id == trainee.id


def can_review_trainee(viewer: Any, trainee: User) -> bool:
    """Trainers of the trainee's cohorts review and reopen their work."""
    return trains(viewer, trainee)


def can_fill_in(viewer: Any, round_: Any) -> bool:
    """Trainees of the round's cohort fill in their own self-assessment."""
    return is_trainee_in(viewer, round_.cohort)


def visible_cohort_ids(viewer: Any) -> Select[Any]:
    """Cohorts whose handed-in work ``viewer`` may see as someone other than the trainee:
    the cohorts they train and the cohorts of organisations whose governance group they sit in.
    """
    user_id = viewer.id if _signed_in(viewer) else -1
    trained = select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user_id, CohortMembership.role == CohortRole.TRAINER
    )
    governed = (
        select(Cohort.id)
        .join(GovernanceMembership, GovernanceMembership.organisation_id == Cohort.organisation_id)
        .where(GovernanceMembership.user_id == user_id)
    )
    return trained.union(governed)  # type: ignore[return-value]


def visible_submissions(viewer: Any) -> Select[Any]:
    """Ids of the submissions ``viewer`` may see: their own, and those of rounds of the
    cohorts in :func:`visible_cohort_ids`. Use it to narrow a query (``.in_(...)``)."""
    user_id = viewer.id if _signed_in(viewer) else -1
    return (
        select(Submission.id)
        .join(SelfAssessment, SelfAssessment.id == Submission.self_assessment_id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            or_(
                SelfAssessment.trainee_id == user_id,
                Round.cohort_id.in_(visible_cohort_ids(viewer)),
            )
        )
    )


def visible_evidence_versions(viewer: Any) -> Select[Any]:
    """Ids of the evidence versions attached to submissions ``viewer`` may see."""
    return select(submission_evidence.c.evidence_version_id).where(
        submission_evidence.c.submission_id.in_(visible_submissions(viewer))
    )


def can_view_self_assessment(viewer: Any, assessment: Any) -> bool:
    """The trainee always; others through the round's cohort, once it has been handed in."""
    if not _signed_in(viewer):
        return False
    if viewer.id == assessment.trainee_id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Submission.self_assessment_id == assessment.id,
                    Submission.id.in_(visible_submissions(viewer)),
                )
            )
        )
    )


def can_reopen(viewer: Any, assessment: Any) -> bool:
    """A trainer of the round's cohort reopens a submitted self-assessment."""
    return is_trainer_of(viewer, assessment.round.cohort)


def can_manage_rounds(viewer: Any, cohort: Cohort) -> bool:
    """Trainers (and administrators) plan a cohort's assessment rounds."""
    return can_manage_cohort(viewer, cohort)


def can_view_evidence(viewer: Any, item: Any) -> bool:
    """A live evidence item is its owner's alone; others see versions that were handed in."""
    return _signed_in(viewer) and viewer.id == item.owner_id


def can_view_evidence_version(viewer: Any, version: Any) -> bool:
    """The owner; others when the version is attached to a submission they may see."""
    if not _signed_in(viewer):
        return False
    if viewer.id == version.owner_id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    submission_evidence.c.evidence_version_id == version.id,
                    submission_evidence.c.submission_id.in_(visible_submissions(viewer)),
                )
            )
        )
    )


def can_edit_evidence(viewer: Any, item: Any) -> bool:
    """Only the owner changes or deletes an evidence item."""
    return can_edit_own_work(viewer, item.owner)


# --- structure ---------------------------------------------------------------------------


def can_view_organisation(viewer: Any, organisation: Organisation) -> bool:
    """Administrators and the organisation's governance group."""
    return is_admin(viewer) or is_governance_member(viewer, organisation)


def can_manage_organisation(viewer: Any, organisation: Organisation | None = None) -> bool:
    """Creating and changing organisations and their governance groups: administrators."""
    return is_admin(viewer)


def can_view_cohort(viewer: Any, cohort: Cohort) -> bool:
    """Administrators, the cohort's trainers and its organisation's governance group."""
    return (
        is_admin(viewer)
        or is_trainer_of(viewer, cohort)
        or is_governance_member(viewer, cohort.organisation_id)
    )


def can_manage_cohort(viewer: Any, cohort: Cohort) -> bool:
    """Administrators and the cohort's trainers manage members and invitations."""
    return is_admin(viewer) or is_trainer_of(viewer, cohort)


def can_invite(viewer: Any, cohort: Cohort, role: str) -> bool:
    """Trainers invite trainees and fellow trainers; administrators invite anyone."""
    if is_admin(viewer):
        return True
    return is_trainer_of(viewer, cohort) and role in (CohortRole.TRAINEE, CohortRole.TRAINER)


def can_change_roles(viewer: Any, cohort: Cohort) -> bool:
    """Changing someone's role in a cohort: administrators only."""
    return is_admin(viewer)


def can_change_role_of(viewer: Any, membership: CohortMembership) -> bool:
    """Administrators change roles, but never their own (that would open portfolios)."""
    return can_change_roles(viewer, membership.cohort) and membership.user_id != viewer.id


# --- memberships need two people -----------------------------------------------------------


def invites_self(actor: Any, email: str) -> bool:
    """An invitation from ``actor`` to ``email`` would be a membership given to oneself."""
    return actor is not None and actor.email == email.strip().lower()


def can_accept_invitation(user: Any, invitation: Any) -> bool:
    """The one who accepts is never the one who invited; administrators (who open no
    portfolio) do not accept an invitation that no person signed (made on the command line).
    """
    if invitation.invited_by_id is not None:
        return bool(invitation.invited_by_id != user.id)
    return not bool(user.is_admin)


# --- accounts ---------------------------------------------------------------------------


def can_manage_accounts(viewer: Any) -> bool:
    """Listing accounts, closing and reopening them, reset links: administrators."""
    return is_admin(viewer)


def can_deactivate(viewer: Any, user: User) -> bool:
    """Administrators close other accounts, never their own (nobody would be left to undo it)."""
    return is_admin(viewer) and viewer.id != user.id


def can_issue_reset_link(viewer: Any, user: User) -> bool:
    """Administrators make reset links for other open accounts (their own: change password)."""
    return is_admin(viewer) and viewer.id != user.id and bool(user.active)


def can_read_audit_log(viewer: Any) -> bool:
    """The audit log is for administrators."""
    return is_admin(viewer)


def can_view_candidates(viewer: Any, organisation: Organisation) -> bool:
    """The governance group compares its organisation's candidates."""
    return is_governance_member(viewer, organisation)


# --- helpers for views --------------------------------------------------------------------


def not_found() -> NoReturn:
    """Answer as if the object did not exist."""
    abort(404)


def require_view(allowed: bool) -> None:
    """404 unless allowed: objects a user may not see do not reveal that they exist."""
    if not allowed:
        not_found()


def require(allowed: bool) -> None:
    """403 unless allowed, for actions on objects the user may see."""
    if not allowed:
        abort(403)
