"""Portfolio test data through the real services: texts, evidence, a portfolio ready to hand in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app

from portfolio.accounts.models import User
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.portfolios import queries, services
from portfolio.portfolios.content import INTRODUCTION
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from tests.factories import add_trainee, add_trainer, make_cohort, make_user
from tests.feedback.helpers import answer, ask
from tests.handing_in import hand_in_round


def keys() -> list[str]:
    """The framework's competency keys, in order."""
    return [c.key for c in current_framework().competencies]


def write(
    trainee: User, cohort: Cohort, key: str, body: str, items: list[int] | None = None
) -> Any:
    """Save a text based on what is stored now (and, for a competency, its evidence)."""
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    stored = queries.texts_of(portfolio.id if portfolio else None).get(key)
    data = services.TextInput.based_on(stored, body)
    _portfolio, result = services.save_section(
        trainee, cohort, key, data, items if key != INTRODUCTION else None, current_framework()
    )
    db.session.commit()
    return result


def evidence(owner: User, title: str = "Minutes of a dialogue", **fields: Any) -> EvidenceItem:
    """A text evidence item of ``owner``."""
    item = EvidenceItem(owner=owner, title=title, kind=EvidenceKind.TEXT, **fields)
    db.session.add(item)
    db.session.commit()
    return item


@dataclass
class Ready:
    """A cohort with a trainer and a trainee whose portfolio passes the readiness check."""

    cohort: Cohort
    trainee: User
    trainer: User
    item: EvidenceItem
    portfolio: Portfolio


def ready_portfolio(cohort: Cohort | None = None) -> Ready:
    """Everything the readiness check asks for, made through the services."""
    cohort = cohort or make_cohort(name="Cohort Delta")
    trainee = make_user(name="Noor Trainee")
    trainer = make_user(name="Bram Trainer")
    add_trainee(cohort, trainee)
    add_trainer(cohort, trainer)
    submission = hand_in_round(trainee, cohort, "After module 1")
    round_ = submission.assessment.round
    for group in ("rater.colleague", "rater.observer"):
        request, _token = ask(trainee, round_, group=group)
        answer(request)
    item = evidence(trainee)
    write(trainee, cohort, INTRODUCTION, "I work in youth care and want to **learn** dialogue.")
    for key in keys():
        write(trainee, cohort, key, f"The dialogue [E1] shows {key}.", [item.id])
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    assert portfolio is not None
    return Ready(cohort, trainee, trainer, item, portfolio)


def hand_in(ready: Ready) -> PortfolioSnapshot:
    """Hand the portfolio in through the service."""
    snapshot = services.hand_in(
        ready.trainee,
        ready.portfolio,
        current_framework(),
        today=today(),
        feedback_groups=2,
        store=FileStore(current_app.config["UPLOAD_FOLDER"]),
    )
    db.session.commit()
    return snapshot
