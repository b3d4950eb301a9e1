"""Handing in without the browser: a round in a cohort, every indicator answered, handed in.

    from tests.handing_in import hand_in_round, answer_everything

``hand_in_round`` goes through :func:`portfolio.assessment.handing_in.submit`, the same
service the hand-in page calls, so the submission and its evidence versions are real.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment import handing_in, rounds, saving
from portfolio.assessment.models import Rating, Round, SelfAssessment, Submission
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db


def open_round(cohort: Any, title: str = "After module 1") -> Round:
    """An open round of ``cohort`` (yesterday until next week)."""
    round_ = Round(
        cohort=cohort,
        title=title,
        opens_on=today() - timedelta(days=1),
        closes_on=today() + timedelta(days=7),
        framework_version=rounds.current_framework_version(current_framework()),
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def answer_everything(round_: Round, trainee: User, level: int = 2) -> SelfAssessment:
    """The trainee's self-assessment in ``round_`` with every current indicator rated."""
    assessment = saving.get_or_create_assessment(round_, trainee)
    rated = set(
        db.session.scalars(
            select(Rating.indicator_id).where(Rating.self_assessment_id == assessment.id)
        )
    )
    for indicator in db.session.scalars(select(Indicator).where(Indicator.retired_at.is_(None))):
        if indicator.id not in rated:
            db.session.add(
                Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=level)
            )
    db.session.commit()
    return assessment


def hand_in(assessment: SelfAssessment, trainee: User) -> Submission:
    """Hand in through the service; returns the stored submission."""
    submission = handing_in.submit(
        trainee,
        assessment.round,
        assessment,
        today=today(),
        store=FileStore(current_app.config["UPLOAD_FOLDER"]),
    )
    db.session.commit()
    return submission


def hand_in_round(trainee: User, cohort: Any, title: str = "After module 1") -> Submission:
    """A new open round of ``cohort`` that ``trainee`` answers completely and hands in."""
    round_ = open_round(cohort, title)
    return hand_in(answer_everything(round_, trainee), trainee)
