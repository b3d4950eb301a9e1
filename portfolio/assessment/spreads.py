"""The spread of a cohort's handed-in self-ratings per round, kept as a histogram.

The trainers' cohort dashboard draws, per round and competency, a box plot of the
trainees' mean self-ratings and the cohort's mean. Read from the hand-ins themselves that
is five rows per trainee and round (30,000 at a thousand trainees and six rounds) on every
request. :class:`~portfolio.assessment.models.RoundSpread` holds the same numbers as a
histogram (at most one row per tenth of the scale per competency and round), counted again
for a round, from :class:`~portfolio.assessment.models.HandInScore`, whenever what counts
changes:

- a hand-in (:func:`portfolio.assessment.handing_in.record_scores`) and a reopen;
- someone joins a cohort, leaves it or changes role there (only the cohort's current
  trainees count; :func:`recount_member`);
- a round deleted takes its rows with it (the foreign key cascades).

Counting again, rather than adding and subtracting, keeps the histogram equal to what the
hand-ins say by construction. Two hand-ins of one round at the same time take turns: the
round's row is locked first (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite has one writer
at a time anyway), and the count that follows sees what the other committed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Float, Numeric, Select, cast, delete, func, insert, select

from portfolio.assessment.models import (
    AssessmentStatus,
    HandInScore,
    Round,
    RoundSpread,
    SelfAssessment,
)
from portfolio.cohorts.models import CohortMembership
from portfolio.extensions import db


def trainee_means(round_ids: Any) -> Select[Any]:
    """Per handed-in self-assessment of a current trainee in ``round_ids`` (a list or a
    subquery) and per competency: the round, the exact mean and the mean rounded to one
    decimal (columns ``round_id``, ``competency_id``, ``mean``, ``value``)."""
    mean = cast(HandInScore.total, Float) / HandInScore.rated
    return (
        select(
            SelfAssessment.round_id.label("round_id"),
            HandInScore.competency_id.label("competency_id"),
            mean.label("mean"),
            # round() takes a numeric on PostgreSQL (and a float on SQLite).
            func.round(cast(mean, Numeric), 1).label("value"),
        )
        .join(HandInScore, HandInScore.self_assessment_id == SelfAssessment.id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .join(
            CohortMembership,
            CohortMembership.trainee_of(Round.cohort_id, SelfAssessment.trainee_id),
        )
        .where(
            SelfAssessment.round_id.in_(round_ids),
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            HandInScore.rated > 0,
        )
    )


def recount(round_ids: Iterable[int]) -> None:
    """Count the histogram of ``round_ids`` again from their hand-ins (three statements,
    in the caller's transaction)."""
    ids = sorted(set(round_ids))
    if not ids:
        return
    db.session.flush()
    # One recount of a round at a time (PostgreSQL); the ids in order, so two recounts of
    # overlapping rounds cannot wait for each other.
    db.session.execute(
        select(Round.id).where(Round.id.in_(ids)).order_by(Round.id).with_for_update()
    )
    db.session.execute(delete(RoundSpread).where(RoundSpread.round_id.in_(ids)))
    per_trainee = trainee_means(ids).subquery()
    db.session.execute(
        insert(RoundSpread).from_select(
            ["round_id", "competency_id", "value", "trainees", "mean_sum"],
            select(
                per_trainee.c.round_id,
                per_trainee.c.competency_id,
                cast(per_trainee.c.value, Float),
                func.count(),
                func.sum(per_trainee.c.mean),
            ).group_by(per_trainee.c.round_id, per_trainee.c.competency_id, per_trainee.c.value),
        )
    )


def recount_member(cohort_id: int, user_id: int) -> None:
    """Count again the rounds of ``cohort_id`` that ``user_id`` handed in: after they
    joined, left or changed role in the cohort."""
    rounds = db.session.scalars(
        select(SelfAssessment.round_id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            Round.cohort_id == cohort_id,
            SelfAssessment.trainee_id == user_id,
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
        )
    ).all()
    recount(rounds)
