"""A synthetic organisation: one cohort of N trainees with rounds full of ratings."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from portfolio.accounts.models import User
from portfolio.assessment.models import AssessmentStatus, Rating, Round, SelfAssessment
from portfolio.assessment.rounds import current_framework_version
from portfolio.assessment.submissions import record_submission
from portfolio.clock import today, utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.competencies import current_framework
from portfolio.competencies.models import Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.extensions import db

PASSWORD = "benchmark passphrase 2026"


@dataclass
class Synthetic:
    """Ids of what was generated."""

    cohort_id: int
    organisation_id: int
    trainer: User
    governance: User
    trainee: User
    round_ids: list[int]


def build(trainees: int, rounds: int = 3, seed: int = 1) -> Synthetic:
    """Generate one cohort with ``trainees`` trainees, each with ``rounds`` rated rounds."""
    rng = random.Random(seed)
    sync_framework(current_framework())
    version = current_framework_version(current_framework())
    password_hash = generate_password_hash(PASSWORD)
    organisation = Organisation(name=f"Synthetic {trainees}-{seed}", kind="region", country="FI")
    cohort = Cohort(organisation=organisation, name=f"Cohort of {trainees}")
    trainer = User(
        email=f"trainer-{trainees}-{seed}@bench.example.org",
        name="Trainer",
        password_hash=password_hash,
    )
    governance = User(
        email=f"gov-{trainees}-{seed}@bench.example.org",
        name="Governance",
        password_hash=password_hash,
    )
    db.session.add_all([organisation, cohort, trainer, governance])
    db.session.flush()
    db.session.add(CohortMembership(cohort=cohort, user=trainer, role=CohortRole.TRAINER))
    db.session.add(GovernanceMembership(organisation=organisation, user=governance))
    people = [
        User(
            email=f"t{n}-{trainees}-{seed}@bench.example.org",
            name=f"Trainee {n:04d}",
            password_hash=password_hash,
        )
        for n in range(trainees)
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.execute(
        insert(CohortMembership),
        [{"cohort_id": cohort.id, "user_id": p.id, "role": CohortRole.TRAINEE} for p in people],
    )
    indicator_ids = list(
        db.session.scalars(select(Indicator.id).where(Indicator.retired_at.is_(None)))
    )
    round_ids = []
    for number in range(rounds):
        round_ = Round(
            cohort=cohort,
            title=f"Round {number + 1}",
            opens_on=today() - timedelta(days=60 - 20 * number),
            closes_on=today() + timedelta(days=5 + number),
            framework_version=version,
        )
        db.session.add(round_)
        db.session.flush()
        round_ids.append(round_.id)
        db.session.execute(
            insert(SelfAssessment),
            [
                {
                    "round_id": round_.id,
                    "trainee_id": p.id,
                    "status": AssessmentStatus.SUBMITTED,
                    "submitted_at": utcnow(),
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for p in people
            ],
        )
        assessment_ids = db.session.scalars(
            select(SelfAssessment.id).where(SelfAssessment.round_id == round_.id)
        ).all()
        db.session.execute(
            insert(Rating),
            [
                {
                    "self_assessment_id": sa,
                    "indicator_id": ind,
                    "level": rng.randint(1, 4),
                    "not_judgeable": False,
                    "note": "",
                    "change_reason": "",
                    "version": 1,
                    "updated_at": utcnow(),
                }
                for sa in assessment_ids
                for ind in indicator_ids
            ],
        )
    for assessment in db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.round_id.in_(round_ids))
    ):
        record_submission(assessment, assessment.trainee)
    db.session.commit()
    return Synthetic(cohort.id, organisation.id, trainer, governance, people[0], round_ids)
