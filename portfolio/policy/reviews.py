"""Formative review: who reads a shared draft, who comments, who answers, who sees a thread.

A portfolio draft is the trainee's alone until they share it; then the trainers of its
cohort read it and comment on its texts and chosen evidence. Reflections and evidence of a
handed-in round are commented on by the trainers who may read that hand-in. A thread is seen,
answered and marked handled by its trainee and by the trainers of its cohort, the people
who could read the work it is about; governance and administrators see none of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.assessment.models import SelfAssessment
from portfolio.extensions import db
from portfolio.policy.assessment import can_view_self_assessment
from portfolio.policy.roles import is_trainer_of
from portfolio.policy.trainees import trained_cohort_ids
from portfolio.policy.viewers import Viewer, signed_in, user_id
from portfolio.portfolios.models import Portfolio
from portfolio.reviews.models import ReviewThread


def can_read_shared_draft(viewer: Viewer, portfolio: Portfolio) -> bool:
    """A trainer of the portfolio's cohort, once the trainee has shared the draft."""
    return portfolio.shared_at is not None and is_trainer_of(viewer, portfolio.cohort)


def can_comment_on_draft(viewer: Viewer, portfolio: Portfolio) -> bool:
    """Whoever reads the shared draft comments on its texts and chosen evidence."""
    return can_read_shared_draft(viewer, portfolio)


def can_comment_on_hand_in(viewer: Viewer, assessment: SelfAssessment) -> bool:
    """A trainer of the round's cohort comments on the reflections and evidence of a round
    they may read (it has been handed in)."""
    return is_trainer_of(viewer, assessment.round.cohort) and can_view_self_assessment(
        viewer, assessment
    )


def visible_review_threads(viewer: Viewer) -> Select[Any]:
    """Ids of the threads ``viewer`` may read: on their own work, and in the cohorts they
    train. Use it to narrow a query (``.in_(...)``)."""
    return select(ReviewThread.id).where(
        or_(
            ReviewThread.trainee_id == user_id(viewer),
            ReviewThread.cohort_id.in_(trained_cohort_ids(viewer)),
        )
    )


def can_view_review_thread(viewer: Viewer, thread: ReviewThread) -> bool:
    """The trainee and the trainers of the thread's cohort (as :func:`visible_review_threads`)."""
    if signed_in(viewer) is None:
        return False
    narrowed = visible_review_threads(viewer).where(ReviewThread.id == thread.id)
    return bool(db.session.scalar(select(narrowed.exists())))


def can_answer_review_thread(viewer: Viewer, thread: ReviewThread) -> bool:
    """Everyone who may read a thread answers it and marks it handled or open again."""
    return can_view_review_thread(viewer, thread)
