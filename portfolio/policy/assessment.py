"""Rounds and self-assessments: who fills in, who sees handed-in work, who reopens it.

Visibility follows the work, not the person: others see a self-assessment only through the
cohort its round belongs to, and only once a submission exists; they then see the last
submission, never the live draft.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.assessment.models import Round, SelfAssessment, Submission
from portfolio.extensions import db
from portfolio.policy.cohorts import visible_cohort_ids
from portfolio.policy.roles import is_trainee_in, is_trainer_of
from portfolio.policy.viewers import Viewer, signed_in, user_id


def can_fill_in(viewer: Viewer, round_: Round) -> bool:
    """Trainees of the round's cohort fill in their own self-assessment."""
    return is_trainee_in(viewer, round_.cohort)


def can_reopen(viewer: Viewer, assessment: SelfAssessment) -> bool:
    """A trainer of the round's cohort reopens a submitted self-assessment."""
    return is_trainer_of(viewer, assessment.round.cohort)


def visible_submissions(viewer: Viewer) -> Select[Any]:
    """Ids of the submissions ``viewer`` may see: their own, and those of rounds of the
    cohorts in :func:`visible_cohort_ids`. Use it to narrow a query (``.in_(...)``)."""
    return (
        select(Submission.id)
        .join(SelfAssessment, SelfAssessment.id == Submission.self_assessment_id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            or_(
                SelfAssessment.trainee_id == user_id(viewer),
                Round.cohort_id.in_(visible_cohort_ids(viewer)),
            )
        )
    )


def visible_self_assessments(viewer: Viewer) -> Select[Any]:
    """Ids of the self-assessments ``viewer`` may open: their own (drafts too), and those
    with a submission in :func:`visible_submissions`. Use it to narrow a query."""
    return select(SelfAssessment.id).where(
        or_(
            SelfAssessment.trainee_id == user_id(viewer),
            SelfAssessment.id.in_(
                select(Submission.self_assessment_id).where(
                    Submission.id.in_(visible_submissions(viewer))
                )
            ),
        )
    )


def can_view_self_assessment(viewer: Viewer, assessment: SelfAssessment) -> bool:
    """The trainee always; others through the round's cohort, once it has been handed in.

    The same rule as :func:`visible_self_assessments`.
    """
    user = signed_in(viewer)
    if user is None:
        return False
    if user.id == assessment.trainee_id:
        return True
    narrowed = visible_self_assessments(viewer).where(SelfAssessment.id == assessment.id)
    return bool(db.session.scalar(select(narrowed.exists())))
