"""The list narrowing agrees with the single-object checks, for every role and every object.

A list or an API answer built on ``visible_…(viewer)`` can then never show what opening the
object itself would refuse, nor hide what it would show.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from portfolio import policy
from portfolio.assessment.models import SelfAssessment, Submission
from portfolio.evidence.models import EvidenceVersion
from portfolio.extensions import db
from tests.policy.conftest import ROLES, World, notification_for


def ids(query: Select[Any]) -> set[int]:
    return set(db.session.scalars(query))


def test_visible_trainees_are_the_people_can_view_trainee_lets_open(
    world: World, viewers: dict[str, Any]
) -> None:
    for role in ROLES:
        viewer = viewers[role]
        visible = ids(policy.visible_trainees(viewer))
        for person in world.people:
            assert (person.id in visible) == policy.can_view_trainee(viewer, person), (
                role,
                person.name,
            )


def test_visible_self_assessments_agree_with_can_view_self_assessment(
    world: World, viewers: dict[str, Any]
) -> None:
    assessments = list(db.session.scalars(select(SelfAssessment)))
    assert len(assessments) == 3
    for role in ROLES:
        viewer = viewers[role]
        visible = ids(policy.visible_self_assessments(viewer))
        for assessment in assessments:
            assert (assessment.id in visible) == policy.can_view_self_assessment(
                viewer, assessment
            ), (role, assessment.round.title)


def test_visible_submissions_are_those_of_the_self_assessments_one_may_see(
    world: World, viewers: dict[str, Any]
) -> None:
    submissions = list(db.session.scalars(select(Submission)))
    assert len(submissions) == 2
    for role in ROLES:
        viewer = viewers[role]
        visible = ids(policy.visible_submissions(viewer))
        for submission in submissions:
            assert (submission.id in visible) == policy.can_view_self_assessment(
                viewer, submission.assessment
            ), role


def test_visible_evidence_versions_agree_with_can_view_evidence_version(
    world: World, viewers: dict[str, Any]
) -> None:
    versions = list(db.session.scalars(select(EvidenceVersion)))
    assert versions
    for role in ROLES:
        viewer = viewers[role]
        visible = ids(policy.visible_evidence_versions(viewer))
        for version in versions:
            assert (version.id in visible) == policy.can_view_evidence_version(viewer, version)


def test_visible_cohorts_are_the_trained_and_the_governed_ones(
    world: World, viewers: dict[str, Any]
) -> None:
    expected = {
        "trainer_a": {world.cohort_a.id},
        "governance_a": {world.cohort_a.id},
        "governance_other": {world.cohort_b.id},
    }
    for role in ROLES:
        assert ids(policy.visible_cohort_ids(viewers[role])) == expected.get(role, set()), role


def test_nobody_without_an_account_is_in_any_list(world: World, viewers: dict[str, Any]) -> None:
    for role in ("anonymous", "link_holder"):
        viewer = viewers[role]
        for narrowing in (
            policy.visible_trainees,
            policy.visible_self_assessments,
            policy.visible_submissions,
            policy.visible_evidence_versions,
            policy.visible_cohort_ids,
        ):
            assert ids(narrowing(viewer)) == set(), (role, narrowing.__name__)


def test_visible_notifications_are_the_ones_can_view_notification_lets_open(
    world: World, viewers: dict[str, Any]
) -> None:
    notifications = [notification_for(person) for person in world.people]
    for role in ROLES:
        viewer = viewers[role]
        visible = ids(policy.visible_notifications(viewer))
        for notification in notifications:
            assert (notification.id in visible) == policy.can_view_notification(
                viewer, notification
            ), role
        assert len(visible) == (1 if role not in ("anonymous", "link_holder") else 0), role
