"""The spread kept per round (``round_spreads``) always equals what the hand-ins say.

The trainers' cohort dashboard reads the histogram instead of every hand-in; these tests
change what counts in every way the app can (hand-in, reopen, hand in again, leave the
cohort, come back, become a trainer, a round deleted) and compare the kept histogram with
one counted from the hand-ins themselves each time, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text

from portfolio.assessment import handing_in, spreads
from portfolio.assessment.models import Round, RoundSpread
from portfolio.cohorts import services as cohort_services
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.extensions import db
from portfolio.main.cohort_progress import spread
from tests.factories import add_trainee, add_trainer, make_cohort, make_user
from tests.handing_in import answer_everything, hand_in, open_round

pytestmark = pytest.mark.usefixtures("framework_db")

MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "versions"
    / "b5e2c91d7a40_round_spreads.py"
)


def counted_from_hand_ins(cohort_id: int) -> dict[tuple[int, int], dict[float, int]]:
    """The histogram as the hand-ins give it, counted in Python."""
    rounds = select(Round.id).where(Round.cohort_id == cohort_id)
    counted: dict[tuple[int, int], dict[float, int]] = {}
    for round_id, competency_id, _mean, value in db.session.execute(
        select(spreads.trainee_means(rounds).subquery())
    ):
        cell = counted.setdefault((round_id, competency_id), {})
        cell[round(float(value), 1)] = cell.get(round(float(value), 1), 0) + 1
    return counted


def trainees_in(histograms: dict[tuple[int, int], dict[float, int]], round_id: int) -> int:
    """How many trainees the round's first competency counts."""
    cells = [h for (r, _c), h in sorted(histograms.items()) if r == round_id]
    return sum(cells[0].values()) if cells else 0


@pytest.fixture
def world(db):
    cohort = make_cohort(name="Cohort Kept")
    trainer = make_user("trainer@example.org", "Tess Trainer")
    add_trainer(cohort, trainer)
    people = [make_user(f"s{n}@example.org", f"Trainee {n}") for n in range(3)]
    for person in people:
        add_trainee(cohort, person)
    round_ = open_round(cohort, "After module 1")
    work = [answer_everything(round_, person, level=1 + n) for n, person in enumerate(people)]
    return cohort, trainer, people, round_, work


def test_every_change_of_what_counts_keeps_the_histogram_equal_to_the_hand_ins(world):
    cohort, trainer, people, round_, work = world

    def check(expected_trainees: int) -> None:
        db.session.commit()
        kept, means = spread(cohort.id)
        assert kept == counted_from_hand_ins(cohort.id)
        assert trainees_in(kept, round_.id) == expected_trainees
        if expected_trainees:
            key = min(k for k in kept if k[0] == round_.id)
            exact = [
                v
                for _r, c, v, _ in db.session.execute(
                    select(spreads.trainee_means([round_.id]).subquery())
                )
                if c == key[1]
            ]
            assert means[key] == pytest.approx(sum(exact) / len(exact))

    check(0)
    for assessment, person in zip(work, people, strict=True):
        hand_in(assessment, person)
    check(3)
    # Levels 1, 2 and 3 for every indicator: three trainees, three different means.
    assert sorted(spread(cohort.id)[0][min(spread(cohort.id)[0])]) == [1.0, 2.0, 3.0]

    handing_in.reopen(trainer, work[0], "Please add the situation you mean.")
    check(2)
    hand_in(work[0], people[0])
    check(3)

    membership = db.session.scalar(
        select(CohortMembership).where(CohortMembership.user_id == people[1].id)
    )
    assert membership is not None
    cohort_services.remove_member(trainer, membership)
    check(2)
    cohort_services.add_member(trainer, cohort, people[1], CohortRole.TRAINEE)
    check(3)
    cohort_services.add_member(trainer, cohort, people[2], CohortRole.TRAINER)
    check(2)
    cohort_services.add_member(trainer, cohort, people[2], CohortRole.TRAINEE)
    check(3)

    db.session.delete(db.session.get(Round, round_.id))
    db.session.commit()
    assert db.session.scalars(select(RoundSpread)).all() == []
    assert spread(cohort.id) == ({}, {})


def kept_rows() -> list[tuple]:  # type: ignore[type-arg]
    """The kept histogram in order, the sums of floats to nine places (the same on both
    databases)."""
    rows = db.session.execute(
        select(
            RoundSpread.round_id,
            RoundSpread.competency_id,
            RoundSpread.value,
            RoundSpread.trainees,
            RoundSpread.mean_sum,
        ).order_by(RoundSpread.round_id, RoundSpread.competency_id, RoundSpread.value)
    ).all()
    return [(r, c, v, n, round(total, 9)) for r, c, v, n, total in rows]


def test_the_migration_counts_earlier_hand_ins_as_the_hand_in_does(world):
    cohort, _trainer, people, _round, work = world
    for assessment, person in zip(work, people, strict=True):
        hand_in(assessment, person)
    kept = kept_rows()
    assert kept
    spec = importlib.util.spec_from_file_location("round_spreads_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(delete(RoundSpread))
    db.session.execute(text(migration.BACKFILL))
    assert kept_rows() == kept
    assert counted_from_hand_ins(cohort.id) == spread(cohort.id)[0]
