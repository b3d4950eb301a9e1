"""The hand-in rules live in the service: every caller (page, CLI, demo) gets the same refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio.assessment import handing_in
from portfolio.assessment.handing_in import CannotReopen, HandInRefused, NotReady, ReopenRefused
from portfolio.assessment.models import AssessmentStatus, Rating, Submission
from portfolio.assessment.saving import get_or_create_assessment
from portfolio.clock import today
from tests.handing_in import answer_everything


def _submit(world, assessment):
    return handing_in.submit(world.trainee, world.round, assessment, today=today())


def _submissions(db) -> int:
    return db.session.scalar(select(func.count(Submission.id)))


def test_work_not_started_is_refused_with_every_indicator_missing(world, db):
    with pytest.raises(HandInRefused) as refused:
        _submit(world, None)
    assert refused.value.reason == NotReady.INCOMPLETE and refused.value.missing == 64
    assert _submissions(db) == 0


def test_incomplete_work_is_refused_and_says_how_many_answers_are_missing(world, db):
    assessment = get_or_create_assessment(world.round, world.trainee)
    indicator = world.indicators("innovation")[0]
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=2))
    db.session.commit()
    with pytest.raises(HandInRefused) as refused:
        _submit(world, assessment)
    assert refused.value.reason == NotReady.INCOMPLETE and refused.value.missing == 63
    assert assessment.status == AssessmentStatus.DRAFT and _submissions(db) == 0


def test_a_round_that_is_not_open_is_refused(world, db):
    assessment = answer_everything(world.round, world.trainee)
    later = world.add_round("Later", 20, 30)
    with pytest.raises(HandInRefused) as refused:
        handing_in.submit(world.trainee, later, assessment, today=today())
    assert refused.value.reason == NotReady.ROUND_NOT_OPEN
    assert _submissions(db) == 0


def test_complete_work_is_handed_in_once(world, db):
    assessment = answer_everything(world.round, world.trainee)
    submission = _submit(world, assessment)
    db.session.commit()
    assert submission.number == 1 and assessment.status == AssessmentStatus.SUBMITTED
    with pytest.raises(HandInRefused) as refused:
        _submit(world, assessment)
    assert refused.value.reason == NotReady.ALREADY_HANDED_IN
    assert _submissions(db) == 1


def test_reopening_needs_handed_in_work_and_a_reason(world, db):
    assessment = answer_everything(world.round, world.trainee)
    with pytest.raises(ReopenRefused) as refused:
        handing_in.reopen(world.trainer, assessment, "Please add an example")
    assert refused.value.reason == CannotReopen.NOT_HANDED_IN
    _submit(world, assessment)
    with pytest.raises(ReopenRefused) as refused:
        handing_in.reopen(world.trainer, assessment, "   ")
    assert refused.value.reason == CannotReopen.NO_REASON
    assert assessment.status == AssessmentStatus.SUBMITTED
    handing_in.reopen(world.trainer, assessment, "Please add an example")
    assert assessment.status == AssessmentStatus.REOPENED
