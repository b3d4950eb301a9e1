"""The benchmark's synthetic cohort (benchmarks/synthetic.py) is valid, realistic data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from benchmarks.synthetic import ROUNDS, build
from portfolio.assessment import rounds as planning
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
    Submission,
)
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.evidence.models import EvidenceItem, EvidenceVersion


def test_six_valid_rounds_five_handed_in_and_one_open_draft(db: Any, tmp_path: Path) -> None:
    world = build(3, upload_folder=str(tmp_path / "uploads"))
    cohort = db.session.get(Cohort, world.cohort_id)
    rounds = db.session.scalars(select(Round).order_by(Round.opens_on)).all()
    assert len(rounds) == ROUNDS == 6
    for round_ in rounds:
        problems = planning.round_problems(
            cohort, round_.opens_on, round_.closes_on, today=today(), existing=round_
        )
        assert problems == [], (round_.title, problems)
    assert [r.state(today()) for r in rounds] == ["closed"] * 5 + ["open"]
    assert world.open_round_id == rounds[-1].id

    statuses = db.session.execute(
        select(SelfAssessment.round_id, SelfAssessment.status, func.count())
        .group_by(SelfAssessment.round_id, SelfAssessment.status)
        .order_by(SelfAssessment.round_id)
    ).all()
    assert [(status, n) for _r, status, n in statuses] == [(AssessmentStatus.SUBMITTED, 3)] * 5 + [
        (AssessmentStatus.DRAFT, 3)
    ]
    # Handed in through the service: one frozen submission per hand-in, with evidence.
    assert db.session.scalar(select(func.count()).select_from(Submission)) == 15
    assert db.session.scalar(select(func.count()).select_from(EvidenceVersion)) >= 3
    assert db.session.scalar(select(func.count()).select_from(EvidenceItem)) == 9
    notes = db.session.scalar(select(func.count()).where(Rating.note != ""))
    reasons = db.session.scalar(select(func.count()).where(Rating.change_reason != ""))
    reflections = db.session.scalar(select(func.count()).select_from(Reflection))
    assert notes and reasons and reflections
    stored = [p for p in (tmp_path / "uploads").rglob("*") if p.is_file()]
    assert len(stored) == 3  # one file per trainee
