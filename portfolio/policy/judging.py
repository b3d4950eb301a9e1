"""The final assessment: who assigns assessors, who judges, who sees which judgement.

- The trainers of the portfolio's cohort run the final assessment of a hand-in: they
  assign assessors (trainers of that cohort) and each may say they have a conflict.
- An assessor judges only through their own, active assignment.
- Independence: an assessor's judgement is seen by the other assessors only once both
  first and second assessor have submitted theirs (the stage has moved past judging); a
  third assessor sees both once the portfolio is referred to them. Nobody else sees a
  judgement while the assessment runs.
- Once the verdict is locked, the trainee reads the agreed verdict with its motivations;
  the trainers of the cohort read it and the judgements behind it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.judging.models import AssessorAssignment, FinalAssessment, Stage
from portfolio.policy.portfolios import can_view_snapshot
from portfolio.policy.roles import is_trainer_of
from portfolio.policy.viewers import Viewer, signed_in, user_id
from portfolio.portfolios.models import PortfolioSnapshot


def can_run_assessment(viewer: Viewer, snapshot: PortfolioSnapshot) -> bool:
    """A trainer of the portfolio's cohort assigns assessors and may declare a conflict."""
    return is_trainer_of(viewer, snapshot.portfolio.cohort)


def can_judge(viewer: Viewer, assignment: AssessorAssignment | None) -> bool:
    """The assessor of an active assignment judges through it."""
    user = signed_in(viewer)
    return (
        user is not None
        and assignment is not None
        and assignment.active
        and assignment.assessor_id == user.id
    )


def visible_judgement_assignments(viewer: Viewer, assessment: FinalAssessment) -> Select[Any]:
    """Ids of the assignments whose judgements ``viewer`` may read in ``assessment``: their
    own always; the other active ones when the stage has moved past judging and the viewer
    holds an active assignment there, or, once locked, when the viewer trains the cohort."""
    own = AssessorAssignment.assessor_id == user_id(viewer)
    mine_active = (
        select(AssessorAssignment.id)
        .where(
            AssessorAssignment.assessment_id == assessment.id,
            AssessorAssignment.assessor_id == user_id(viewer),
            AssessorAssignment.ended_at.is_(None),
        )
        .exists()
    )
    others = AssessorAssignment.ended_at.is_(None)
    if assessment.stage == Stage.JUDGING:
        visible = own
    elif assessment.stage == Stage.LOCKED and is_trainer_of(
        viewer, assessment.snapshot.portfolio.cohort
    ):
        visible = or_(own, others)
    else:
        visible = or_(own, others & mine_active)
    return select(AssessorAssignment.id).where(
        AssessorAssignment.assessment_id == assessment.id, visible
    )


def can_read_verdict(viewer: Viewer, assessment: FinalAssessment | None) -> bool:
    """A locked verdict is read by whoever may read the snapshot it judges."""
    return (
        assessment is not None
        and assessment.is_locked
        and can_view_snapshot(viewer, assessment.snapshot)
    )
