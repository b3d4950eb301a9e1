"""Final-assessment test data through the real services: a handed-in portfolio with
trainers, judgements, a consensus."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.judging import services
from portfolio.judging.models import (
    OVERALL,
    AssessorAssignment,
    ConsensusEntry,
    FinalAssessment,
    Judgement,
)
from portfolio.judging.services import EntryInput, Step
from portfolio.portfolios.models import PortfolioSnapshot
from tests.factories import add_trainer, make_user
from tests.portfolios.helpers import Ready, hand_in, keys, ready_portfolio

GOOD = "rubric.good"
INSUFFICIENT = "rubric.insufficient"


@dataclass
class World:
    """A handed-in portfolio, its cohort's three trainers (``ready.trainer`` is the first)."""

    ready: Ready
    snapshot: PortfolioSnapshot
    first: User
    second: User
    third: User

    @property
    def trainee(self) -> User:
        return self.ready.trainee


def handed_in_world() -> World:
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    second = make_user(name="Ilse Second")
    third = make_user(name="Tomas Third")
    add_trainer(ready.cohort, second)
    add_trainer(ready.cohort, third)
    return World(ready, snapshot, ready.trainer, second, third)


def assign(world: World, *trainers: User) -> list[AssessorAssignment]:
    """Assign ``trainers`` (by the first trainer) and commit."""
    seats = [services.assign_assessor(world.first, world.snapshot, t) for t in trainers]
    db.session.commit()
    return seats


def stored_judgements(seat: AssessorAssignment) -> dict[str, Judgement]:
    return {
        j.competency_key: j
        for j in db.session.scalars(select(Judgement).where(Judgement.assignment_id == seat.id))
    }


def judge_all(
    actor: User,
    seat: AssessorAssignment,
    level: str = GOOD,
    *,
    submit: bool = True,
    text: str = "Convincing evidence in [E1].",
) -> Step:
    """Judge every competency at ``level`` (based on what is stored) and submit."""
    stored = stored_judgements(seat)
    entries = {k: EntryInput.based_on(stored.get(k), level, f"{text} ({k})") for k in keys()}
    step = services.judge(actor, seat, entries, current_framework(), submit=submit)
    db.session.commit()
    return step


def consensus_entries(
    assessment: FinalAssessment, level: str = GOOD, verdict: str = "passed"
) -> dict[str, EntryInput]:
    stored = {
        e.key: e
        for e in db.session.scalars(
            select(ConsensusEntry).where(ConsensusEntry.assessment_id == assessment.id)
        )
    }
    entries = {k: EntryInput.based_on(stored.get(k), level, f"Agreed for {k}.") for k in keys()}
    entries[OVERALL] = EntryInput.based_on(stored.get(OVERALL), verdict, "We agree.")
    return entries


def decide(
    actor: User,
    seat: AssessorAssignment,
    level: str = GOOD,
    verdict: str = "passed",
    *,
    confirm: bool = True,
) -> Step:
    assessment = db.session.get(FinalAssessment, seat.assessment_id)
    assert assessment is not None
    db.session.refresh(assessment)
    step = services.decide(
        actor,
        seat,
        consensus_entries(assessment, level, verdict),
        assessment.version,
        current_framework(),
        confirm=confirm,
    )
    db.session.commit()
    return step


def locked_world() -> tuple[World, FinalAssessment]:
    """A portfolio judged by two assessors who agreed and confirmed."""
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    decide(world.first, one)
    assert decide(world.second, two).locked
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None
    return world, assessment
