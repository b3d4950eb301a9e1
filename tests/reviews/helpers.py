"""Formative review test data through the real services: a shared draft, a reflected round."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Reflection, SelfAssessment
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency
from portfolio.evidence.models import EvidenceItem
from portfolio.extensions import db
from portfolio.portfolios.content import INTRODUCTION
from portfolio.portfolios.models import Portfolio
from portfolio.reviews import queries, services
from portfolio.reviews.models import ReviewThread
from tests.factories import add_trainee, add_trainer, make_cohort, make_user
from tests.handing_in import answer_everything, hand_in, open_round
from tests.portfolios.helpers import evidence, keys, write


@dataclass
class Shared:
    """A cohort whose trainee (Dutch) shares a draft: an introduction and one justification
    citing an evidence item; two trainers."""

    cohort: Cohort
    trainee: User
    trainer: User
    co_trainer: User
    item: EvidenceItem
    portfolio: Portfolio


def shared_draft(*, share: bool = True) -> Shared:
    cohort = make_cohort(name="Cohort Review")
    trainee = make_user(name="Lotte Trainee", language="nl")
    trainer = make_user(name="Ruben Trainer", language="en")
    co_trainer = make_user(name="Ilse Trainer", language="en")
    add_trainee(cohort, trainee)
    add_trainer(cohort, trainer)
    add_trainer(cohort, co_trainer)
    item = evidence(trainee, "Minutes of the network meeting")
    write(trainee, cohort, INTRODUCTION, "I work in a neighbourhood team.")
    write(trainee, cohort, keys()[0], "The meeting [E1] shows how I listened.", [item.id])
    portfolio = services.share_draft(trainee, cohort, True) if share else None
    db.session.commit()
    if portfolio is None:
        from portfolio.portfolios.queries import find_portfolio

        portfolio = find_portfolio(cohort.id, trainee.id)
    assert portfolio is not None
    return Shared(cohort, trainee, trainer, co_trainer, item, portfolio)


def comment(world: Shared, key: str = INTRODUCTION, body: str = "Say more.") -> ReviewThread:
    """The trainer comments on a text of the draft."""
    target = queries.text_target(world.portfolio, key, current_framework())
    assert target is not None
    thread = services.open_thread(world.trainer, target, body)
    db.session.commit()
    return thread


def reflected_round(
    trainee: User, cohort: Cohort, body: str = "I let the silence be."
) -> SelfAssessment:
    """A round the trainee handed in with a reflection on the first competency."""
    round_ = open_round(cohort, "After module 1")
    assessment = answer_everything(round_, trainee)
    competency = db.session.scalar(select(Competency).order_by(Competency.number).limit(1))
    assert competency is not None
    db.session.add(
        Reflection(self_assessment_id=assessment.id, competency_id=competency.id, body=body)
    )
    db.session.commit()
    hand_in(assessment, trainee)
    return assessment
