"""The feedback rules, for every role: who asks, who answers, who reads what came back."""

from __future__ import annotations

from typing import Any

import pytest

from portfolio import policy
from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest
from portfolio.policy import LinkHolder, LinkPurpose
from tests.feedback.helpers import ask
from tests.policy.conftest import ROLES, World


@pytest.fixture
def request_a(world: World) -> FeedbackRequest:
    """Trainee A asks someone outside the cohort, in the open round of cohort A."""
    requests = [ask(world.trainee_a, world.open_round, name=f"Rater {n}")[0] for n in range(4)]
    chosen = requests[-1]
    assert chosen.id != world.handed_in.id  # the shared link holder is not for this one
    return chosen


RULES = [
    ("can_ask_feedback", lambda v, w, r: policy.can_ask_feedback(v, w.open_round), {"trainee_a"}),
    (
        "can_manage_feedback_request",
        lambda v, w, r: policy.can_manage_feedback_request(v, r),
        {"trainee_a"},
    ),
    (
        "can_read_feedback of trainee A",
        lambda v, w, r: policy.can_read_feedback(v, w.open_round, w.trainee_a),
        {"trainee_a", "trainer_a"},
    ),
    (
        "can_view_cohort_feedback",
        lambda v, w, r: policy.can_view_cohort_feedback(v, w.open_round),
        {"trainer_a"},
    ),
    ("can_answer_feedback", lambda v, w, r: policy.can_answer_feedback(v, r), set()),
    ("can_download_rater_data", lambda v, w, r: policy.can_download_rater_data(v, r), set()),
]


@pytest.mark.parametrize(("name", "check", "allowed"), RULES, ids=[r[0] for r in RULES])
def test_feedback_rule_for_every_role(name, check, allowed, viewers, world, request_a) -> None:
    for role in ROLES:
        assert check(viewers[role], world, request_a) == (role in allowed), f"{name} as {role}"


def test_only_the_link_made_for_a_request_answers_it(world: World, request_a: Any) -> None:
    own = LinkHolder(request_a.id, LinkPurpose.FEEDBACK_RESPONSE, request_a.id)
    other = LinkHolder(request_a.id, LinkPurpose.FEEDBACK_RESPONSE, request_a.id + 1)
    assert policy.can_answer_feedback(own, request_a)
    assert not policy.can_answer_feedback(other, request_a)
    assert policy.can_download_rater_data(own, request_a)
    assert not policy.can_download_rater_data(other, request_a)
    # A link opens nothing else: not the trainee, their work, the round or the cohort.
    assert not policy.can_view_trainee(own, world.trainee_a)
    assert not policy.can_read_feedback(own, world.open_round, world.trainee_a)
    assert not policy.can_view_self_assessment(own, world.handed_in)
    assert not policy.can_view_cohort(own, world.cohort_a)


def test_a_cohort_member_asked_answers_signed_in(world: World) -> None:
    request, _token = ask(
        world.trainee_a, world.open_round, rater=world.trainer_a, group="rater.trainer"
    )
    assert policy.can_answer_feedback(world.trainer_a, request)
    assert not policy.can_answer_feedback(world.trainee_a, request)


def test_visible_feedback_requests_narrows_a_list_like_the_single_checks(
    world: World, request_a: Any, viewers: dict[str, Any]
) -> None:
    from sqlalchemy import select

    for role in ROLES:
        ids = set(
            db.session.scalars(
                select(FeedbackRequest.id).where(
                    FeedbackRequest.id.in_(policy.visible_feedback_requests(viewers[role]))
                )
            )
        )
        expected = role in {"trainee_a", "trainer_a"}
        assert (request_a.id in ids) == expected, role
