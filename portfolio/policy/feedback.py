"""Peer feedback: who asks, who answers, who reads what came back.

- A trainee asks for feedback on their own work in a round of a cohort they are a trainee
  in, and manages (withdraws, reminds, replies to) only their own requests.
- A rater answers one request: a cohort member signed in as the person asked, or whoever
  holds the request's link (a :class:`LinkHolder` made for that request). Nothing else of
  the trainee's work opens to them.
- The trainee and the trainers of the round's cohort read the feedback, always under the
  anonymity rule (:mod:`portfolio.feedback.anonymity`). Governance members see nothing of
  feedback until the portfolio is handed in; administrators see nothing of it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.feedback.models import FeedbackRequest
from portfolio.policy.roles import is_trainee_in, is_trainer_of
from portfolio.policy.viewers import LinkHolder, LinkPurpose, Viewer, signed_in, user_id


def can_ask_feedback(viewer: Viewer, round_: Round) -> bool:
    """Trainees of the round's cohort ask for feedback on their own work in it."""
    return is_trainee_in(viewer, round_.cohort)


def can_manage_feedback_request(viewer: Viewer, request: FeedbackRequest) -> bool:
    """Only the trainee who asked withdraws, reminds and replies."""
    user = signed_in(viewer)
    return user is not None and user.id == request.trainee_id


def can_answer_feedback(viewer: Viewer, request: FeedbackRequest) -> bool:
    """The person asked: signed in as that cohort member, or holding this request's link."""
    if isinstance(viewer, LinkHolder):
        return viewer.grants(LinkPurpose.FEEDBACK_RESPONSE, request.id)
    user = signed_in(viewer)
    return user is not None and request.rater_user_id == user.id


def can_download_rater_data(viewer: Viewer, request: FeedbackRequest) -> bool:
    """What the application holds about an external rater (GDPR access): whoever holds the
    request's link, which only the rater was sent. Raters with an account download theirs
    from their account."""
    return isinstance(viewer, LinkHolder) and viewer.grants(
        LinkPurpose.FEEDBACK_RESPONSE, request.id
    )


def can_read_feedback(viewer: Viewer, round_: Round, trainee: User) -> bool:
    """The trainee, and the trainers of the round's cohort (under the anonymity rule)."""
    user = signed_in(viewer)
    if user is None:
        return False
    return user.id == trainee.id or is_trainer_of(viewer, round_.cohort)


def can_view_cohort_feedback(viewer: Viewer, round_: Round) -> bool:
    """Trainers of the round's cohort see who asked and who answered, per trainee."""
    return is_trainer_of(viewer, round_.cohort)


def visible_feedback_requests(viewer: Viewer) -> Select[Any]:
    """Ids of the feedback requests whose answers ``viewer`` may read (under the rule).

    Narrows a query of :class:`FeedbackRequest`: the viewer's own requests and those of the
    rounds of cohorts the viewer trains.
    """
    trained = select(CohortMembership.cohort_id).where(
        CohortMembership.user_id == user_id(viewer),
        CohortMembership.role == CohortRole.TRAINER,
    )
    return (
        select(FeedbackRequest.id)
        .join(Round, Round.id == FeedbackRequest.round_id)
        .where(
            or_(
                FeedbackRequest.trainee_id == user_id(viewer),
                Round.cohort_id.in_(trained),
            )
        )
    )
