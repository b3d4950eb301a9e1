"""The final assessment through the services: seats, independence, consensus, lock, referral."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.judging import queries, services
from portfolio.judging.models import (
    OVERALL,
    AssessorRole,
    ConsensusEntry,
    Judgement,
    Stage,
    Verdict,
)
from portfolio.judging.services import EntryInput, JudgingRefused, Refusal
from portfolio.notifications.models import Notification, NotificationKind
from portfolio.portfolios import services as portfolio_services
from tests.factories import make_user
from tests.judging.helpers import (
    GOOD,
    INSUFFICIENT,
    assign,
    consensus_entries,
    decide,
    handed_in_world,
    judge_all,
    locked_world,
    stored_judgements,
)
from tests.portfolios.helpers import keys

pytestmark = pytest.mark.usefixtures("framework_db")


def _actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_two_trainers_take_the_first_and_second_seat_and_are_told(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    assert (one.role, two.role) == (AssessorRole.FIRST, AssessorRole.SECOND)
    with pytest.raises(JudgingRefused) as refused:
        services.assign_assessor(world.first, world.snapshot, world.third)
    assert refused.value.reason == Refusal.NO_SEAT
    db.session.rollback()
    with pytest.raises(JudgingRefused) as again:
        services.assign_assessor(world.first, world.snapshot, world.first)
    assert again.value.reason == Refusal.ALREADY_ASSIGNED
    db.session.rollback()
    told = db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.kind == NotificationKind.ASSESSOR_ASSIGNED
        )
    ).all()
    assert sorted(told) == sorted([world.first.id, world.second.id])
    assert _actions().count("assessor_assigned") == 2


def test_only_a_trainer_of_the_cohort_without_a_conflict_can_be_assigned(db):
    world = handed_in_world()
    outsider = make_user(name="Not A Trainer")
    with pytest.raises(JudgingRefused) as refused:
        services.assign_assessor(world.first, world.snapshot, outsider)
    assert refused.value.reason == Refusal.NOT_A_TRAINER
    db.session.rollback()
    services.declare_conflict(world.second, world.snapshot, "I am her team leader.")
    db.session.commit()
    with pytest.raises(JudgingRefused) as conflicted:
        services.assign_assessor(world.first, world.snapshot, world.second)
    assert conflicted.value.reason == Refusal.CONFLICT


def test_a_judgement_is_hidden_from_the_other_assessor_until_both_have_submitted(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    snapshot = world.snapshot
    # The second assessor, and another trainer, see the seats but not the first judgement.
    seen_by_second = queries.assessment_state(world.second, snapshot)
    assert [s.judgements for s in seen_by_second.seats] == [None, {}]
    seen_by_third = queries.assessment_state(world.third, snapshot)
    assert all(s.judgements is None for s in seen_by_third.seats)
    assert seen_by_second.stage == Stage.JUDGING
    # The first sees their own.
    own = queries.assessment_state(world.first, snapshot).seat_of(world.first.id)
    assert own is not None and own.judgements and own.judgements[keys()[0]].level == GOOD
    judge_all(world.second, two, INSUFFICIENT)
    both = queries.assessment_state(world.second, snapshot)
    assert both.stage == Stage.CONSENSUS
    assert [len(s.judgements or {}) for s in both.seats] == [len(keys()), len(keys())]
    # Still hidden from a trainer who is not an assessor.
    assert all(s.judgements is None for s in queries.assessment_state(world.third, snapshot).seats)
    told = db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.kind == NotificationKind.CONSENSUS_READY
        )
    ).all()
    assert told == [world.first.id]  # the one who submitted first; the second is on the page


def test_an_incomplete_judgement_is_saved_but_not_submitted(db):
    world = handed_in_world()
    one, _two = assign(world, world.first, world.second)
    first_key = keys()[0]
    entries = {first_key: EntryInput.based_on(None, GOOD, "Only the first one.")}
    step = services.judge(world.first, one, entries, current_framework(), submit=True)
    db.session.commit()
    assert not step.done and step.refusal is not None
    assert step.refusal.reason == Refusal.INCOMPLETE
    assert step.refusal.missing == keys()[1:]
    assert stored_judgements(one)[first_key].motivation == "Only the first one."
    db.session.refresh(one)
    assert one.submitted_at is None


def test_a_submitted_judgement_no_longer_changes(db):
    world = handed_in_world()
    one, _two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    with pytest.raises(JudgingRefused) as refused:
        judge_all(world.first, one, INSUFFICIENT, text="Changed my mind")
    assert refused.value.reason == Refusal.SUBMITTED
    db.session.rollback()
    assert {j.level for j in stored_judgements(one).values()} == {GOOD}


def test_a_level_the_rubric_does_not_have_is_refused(db):
    world = handed_in_world()
    one, _two = assign(world, world.first, world.second)
    entries = {keys()[0]: EntryInput.based_on(None, "rubric.perfect", "Hm")}
    with pytest.raises(JudgingRefused) as refused:
        services.judge(world.first, one, entries, current_framework(), submit=False)
    assert refused.value.reason == Refusal.UNKNOWN_LEVEL


def test_both_confirm_the_same_version_and_the_verdict_is_locked_and_told(db):
    world, assessment = locked_world()
    assert assessment.stage == Stage.LOCKED and assessment.verdict == Verdict.PASSED
    verdict = queries.verdict_of(world.snapshot.id)
    assert verdict is not None
    assert verdict.verdict == Verdict.PASSED and verdict.motivation == "We agree."
    assert set(verdict.levels) == set(keys())
    assert verdict.assessors == [world.first.name, world.second.name]
    told = db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.kind == NotificationKind.VERDICT_LOCKED
        )
    ).all()
    assert told == [world.trainee.id]
    actions = _actions()
    assert actions.count("consensus_confirmed") == 2 and actions[-1] == "verdict_locked"


def test_a_change_after_one_confirmed_needs_both_to_confirm_again(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    assert decide(world.first, one).done
    # The second changes the consensus: the first confirmation no longer counts.
    step = decide(world.second, two, level="rubric.excellent")
    assert step.done and not step.locked
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None and assessment.stage == Stage.CONSENSUS
    assert decide(world.first, one, level="rubric.excellent").locked


def test_a_confirmation_from_a_stale_page_is_not_given(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None
    page_version = assessment.version
    decide(world.second, two, confirm=False)  # saves the consensus: the version moves on
    step = services.decide(
        world.first,
        one,
        consensus_entries(assessment),
        page_version,
        current_framework(),
        confirm=True,
    )
    db.session.commit()
    assert step.refusal is not None and step.refusal.reason == Refusal.STALE
    db.session.refresh(one)
    assert one.confirmed_version is None


def test_passed_with_a_failing_competency_is_not_confirmed(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    step = decide(world.first, one, level=INSUFFICIENT, verdict="passed")
    assert step.refusal is not None and step.refusal.reason == Refusal.PASS_WITH_FAILING
    assert step.refusal.missing == keys()
    # What was typed is saved.
    saved = db.session.scalars(select(ConsensusEntry.level)).all()
    assert INSUFFICIENT in saved and "passed" in saved


def test_a_locked_verdict_cannot_be_changed_or_returned(db):
    world, assessment = locked_world()
    seat = services.assignment_of(assessment, world.first)
    assert seat is not None
    with pytest.raises(JudgingRefused) as refused:
        decide(world.first, seat, level=INSUFFICIENT, verdict="not_passed")
    assert refused.value.reason == Refusal.LOCKED
    db.session.rollback()
    with pytest.raises(portfolio_services.PortfolioRefused) as returned:
        portfolio_services.return_for_revision(world.first, world.snapshot, "Please redo.")
    assert returned.value.reason == portfolio_services.Refusal.JUDGED
    db.session.rollback()
    with pytest.raises(JudgingRefused) as conflict:
        services.declare_conflict(world.first, world.snapshot, "Too late")
    assert conflict.value.reason == Refusal.LOCKED
    db.session.rollback()
    levels = db.session.scalars(select(ConsensusEntry.level).where(ConsensusEntry.key == OVERALL))
    assert list(levels) == ["passed"]


def test_disagreement_goes_to_a_third_assessor_whose_confirmation_locks(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one, GOOD)
    judge_all(world.second, two, INSUFFICIENT)
    services.refer_to_third(world.second, two, "We differ on every competency.")
    db.session.commit()
    told = db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.kind == NotificationKind.ASSESSMENT_REFERRED
        )
    ).all()
    assert told == [world.third.id]
    # The main assessors can no longer write the consensus.
    with pytest.raises(JudgingRefused) as refused:
        decide(world.first, one)
    assert refused.value.reason == Refusal.WRONG_STAGE
    db.session.rollback()
    (third,) = assign(world, world.third)
    assert third.role == AssessorRole.THIRD
    seen = queries.assessment_state(world.third, world.snapshot)
    assert all(s.judgements for s in seen.main_seats)  # the third reads both
    step = decide(world.third, third, level="rubric.sufficient")
    assert step.locked
    verdict = queries.verdict_of(world.snapshot.id)
    assert verdict is not None and verdict.referred


def test_an_assessor_who_declares_a_conflict_stands_down_and_is_replaced(db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    services.declare_conflict(world.second, world.snapshot, "She is my sister-in-law.")
    db.session.commit()
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None and assessment.stage == Stage.JUDGING
    (replacement,) = assign(world, world.third)
    assert replacement.role == AssessorRole.SECOND
    # The replacement judges alone: the first judgement is hidden from them.
    seen = queries.assessment_state(world.third, world.snapshot)
    assert seen.seat_of(world.first.id).judgements is None  # type: ignore[union-attr]
    with pytest.raises(JudgingRefused):
        judge_all(world.second, two)  # the old seat is gone
    db.session.rollback()
    judge_all(world.third, replacement)
    assert services.find_assessment(world.snapshot.id).stage == Stage.CONSENSUS  # type: ignore[union-attr]
    assert "assessor_conflict_declared" in _actions()


def test_a_returned_hand_in_is_no_longer_judged(db):
    world = handed_in_world()
    one, _two = assign(world, world.first, world.second)
    portfolio_services.return_for_revision(world.first, world.snapshot, "Add evidence.")
    db.session.commit()
    with pytest.raises(JudgingRefused) as refused:
        judge_all(world.first, one)
    assert refused.value.reason == Refusal.NOT_OPEN


def test_judgements_and_consensus_use_the_versioned_save(db):
    world = handed_in_world()
    one, _two = assign(world, world.first, world.second)
    key = keys()[0]
    services.judge(
        world.first,
        one,
        {key: EntryInput.based_on(None, GOOD, "Tab one")},
        current_framework(),
        submit=False,
    )
    db.session.commit()
    stale = EntryInput.based_on(None, INSUFFICIENT, "Tab two")
    step = services.judge(world.first, one, {key: stale}, current_framework(), submit=False)
    db.session.commit()
    assert [(c.field, c.theirs, c.yours) for c in step.saved.conflicts] == [
        (key, "Tab one", "Tab two")
    ]
    assert db.session.scalars(select(Judgement.motivation)).all() == ["Tab one"]
