"""A hand-in stores its self-rating per competency; a new hand-in after a reopen replaces it."""

from __future__ import annotations

from sqlalchemy import select, update

from portfolio.assessment import handing_in
from portfolio.assessment.models import HandInScore, Rating
from portfolio.clock import today
from portfolio.competencies.models import Indicator
from tests.handing_in import answer_everything


def _scores(db, assessment_id: int) -> dict[int, tuple[int, int]]:
    return {
        s.competency_id: (s.total, s.rated)
        for s in db.session.scalars(
            select(HandInScore).where(HandInScore.self_assessment_id == assessment_id)
        )
    }


def _expected(db, assessment_id: int) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for rating, indicator in db.session.execute(
        select(Rating, Indicator)
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .where(Rating.self_assessment_id == assessment_id, Indicator.retired_at.is_(None))
    ):
        if rating.level is None:
            continue
        total, rated = out.get(indicator.competency_id, (0, 0))
        out[indicator.competency_id] = (total + rating.level, rated + 1)
    return out


def test_a_hand_in_stores_the_sum_and_count_of_levels_per_competency(world, db):
    assessment = answer_everything(world.round, world.trainee, level=3)
    first = db.session.scalars(
        select(Rating).where(Rating.self_assessment_id == assessment.id).order_by(Rating.id)
    ).first()
    first.level, first.not_judgeable = None, True  # "cannot judge (yet)" has no level
    db.session.commit()
    handing_in.submit(world.trainee, world.round, assessment, today=today())
    db.session.commit()
    stored = _scores(db, assessment.id)
    assert stored == _expected(db, assessment.id)
    assert len(stored) == 5
    assert (
        sum(rated for _total, rated in stored.values())
        == len(db.session.scalars(select(Indicator).where(Indicator.retired_at.is_(None))).all())
        - 1
    )


def test_a_new_hand_in_after_a_reopen_replaces_the_scores(world, db):
    assessment = answer_everything(world.round, world.trainee, level=2)
    handing_in.submit(world.trainee, world.round, assessment, today=today())
    db.session.commit()
    before = _scores(db, assessment.id)
    handing_in.reopen(world.trainer, assessment, "Please look at your evidence again.")
    db.session.commit()
    db.session.execute(
        update(Rating).where(Rating.self_assessment_id == assessment.id).values(level=4)
    )
    db.session.commit()
    assert _scores(db, assessment.id) == before  # a reopen changes nothing that counts
    handing_in.submit(world.trainee, world.round, assessment, today=today())
    db.session.commit()
    after = _scores(db, assessment.id)
    assert after == _expected(db, assessment.id)
    assert all(total == 4 * rated for total, rated in after.values())
