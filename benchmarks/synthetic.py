"""A synthetic organisation: one cohort of N trainees with a realistic history.

Six rounds, as a cohort has them over its training (baseline, four modules, final): five
in the past, handed in by every trainee through the real hand-in service (so every
Submission, its frozen content and its evidence versions exist, with the audit events),
and one open round with a draft half filled in. Ratings carry notes now and then, a reason
where a level changed since the previous round, each competency a reflection, and every
trainee keeps three pieces of evidence (one of them a stored file) linked to indicators.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select
from werkzeug.security import generate_password_hash

from portfolio.accounts.models import User
from portfolio.assessment import handing_in
from portfolio.assessment.models import Rating, Reflection, Round, SelfAssessment
from portfolio.assessment.rounds import current_framework_version
from portfolio.clock import today, utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.models import evidence_indicators as evidence_indicators_table
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.feedback.models import (
    FeedbackNarrative,
    FeedbackRating,
    FeedbackRequest,
    FeedbackResponse,
    RequestStatus,
)

PASSWORD = "benchmark passphrase 2026"
ROUNDS = 6
#: A small text file for the evidence that has one.
NOTES_FILE = b"Notes of a dialogue session.\n" * 40

NOTES = [
    "Asked open questions throughout; the group kept talking to each other, not to me.",
    "Summarised twice, the second time with the participants' own words.",
    "Still jump in too soon when a silence falls; practised waiting three breaths.",
    "",
    "",
    "",
]
REASONS = [
    "Feedback from my trainer after the second module.",
    "I saw myself on video and judged it differently.",
    "Practised this in three sessions since the last round.",
]
REFLECTION = (
    "In the last weeks I led four dialogues. What went well: I kept the question open "
    "and let the participants answer each other. What I want to work on: slowing down "
    "when the conversation heats up, and naming what I see without judging it.\n\n"
    "Next step: ask my peer to watch for it in the next session."
)


@dataclass(frozen=True)
class Person:
    """Who signs in: plain data, usable after the database session has ended."""

    id: int
    email: str


@dataclass
class Synthetic:
    """What was generated, as plain data."""

    cohort_id: int
    organisation_id: int
    trainer: Person
    governance: Person
    #: The first trainee of the cohort.
    trainee: Person
    round_ids: list[int]
    #: The open round (the last one) and a competency key for its fill-in page.
    open_round_id: int
    competency_key: str


def build(
    trainees: int, rounds: int = ROUNDS, seed: int = 1, upload_folder: str | None = None
) -> Synthetic:
    """One cohort with ``trainees`` trainees and ``rounds`` rounds: all but the last in the
    past and handed in, the last one open with a draft."""
    rng = random.Random(seed)
    framework = current_framework()
    sync_framework(framework)
    version = current_framework_version(framework)
    assert version is not None
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
        db.session.scalars(
            select(Indicator.id).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
        )
    )
    competency_ids = list(db.session.scalars(select(Competency.id).order_by(Competency.number)))
    _evidence(people, indicator_ids, rng, upload_folder)

    # Rounds of 20 days, a month apart, in the past; the last one is open now.
    count = rounds
    rounds_: list[Round] = []
    for number in range(count):
        if number < count - 1:
            opens_on = today() - timedelta(days=30 * (count - number) + 10)
            closes_on = opens_on + timedelta(days=20)
        else:
            opens_on, closes_on = today() - timedelta(days=3), today() + timedelta(days=14)
        rounds_.append(
            Round(
                cohort=cohort,
                title=f"Round {number + 1}",
                opens_on=opens_on,
                closes_on=closes_on,
                framework_version=version,
            )
        )
    db.session.add_all(rounds_)
    db.session.flush()

    store = FileStore(upload_folder) if upload_folder else None
    levels = {(p.id, i): rng.randint(1, 3) for p in people for i in indicator_ids}
    for number, round_ in enumerate(rounds_):
        handed_in = number < count - 1
        # A draft of the open round: about half of the indicators rated so far.
        rated = indicator_ids if handed_in else indicator_ids[: len(indicator_ids) // 2]
        db.session.execute(
            insert(SelfAssessment),
            [
                {
                    "round_id": round_.id,
                    "trainee_id": p.id,
                    "created_at": utcnow(),
                    "updated_at": utcnow(),
                }
                for p in people
            ],
        )
        assessments = {
            trainee_id: assessment_id
            for assessment_id, trainee_id in db.session.execute(
                select(SelfAssessment.id, SelfAssessment.trainee_id).where(
                    SelfAssessment.round_id == round_.id
                )
            )
        }
        rows = []
        for p in people:
            for indicator_id in rated:
                before = levels[p.id, indicator_id]
                level = min(4, before + (rng.random() < 0.3)) if number else before
                levels[p.id, indicator_id] = level
                rows.append(
                    {
                        "self_assessment_id": assessments[p.id],
                        "indicator_id": indicator_id,
                        "level": level,
                        "not_judgeable": False,
                        "note": rng.choice(NOTES),
                        "change_reason": rng.choice(REASONS) if level != before else "",
                        "version": 1,
                        "updated_at": utcnow(),
                    }
                )
        db.session.execute(insert(Rating), rows)
        reflected = competency_ids if handed_in else competency_ids[:1]
        db.session.execute(
            insert(Reflection),
            [
                {
                    "self_assessment_id": assessments[p.id],
                    "competency_id": competency_id,
                    "body": REFLECTION,
                    "version": 1,
                    "updated_at": utcnow(),
                }
                for p in people
                for competency_id in reflected
            ],
        )
        _feedback(people, round_, indicator_ids, competency_ids, rng)
        if handed_in:
            for assessment in db.session.scalars(
                select(SelfAssessment).where(SelfAssessment.round_id == round_.id)
            ):
                # Handed in on the round's last day, while it was open.
                handing_in.submit(
                    assessment.trainee, round_, assessment, today=round_.closes_on, store=store
                )
        db.session.commit()
    return Synthetic(
        cohort.id,
        organisation.id,
        Person(trainer.id, trainer.email),
        Person(governance.id, governance.email),
        Person(people[0].id, people[0].email),
        [r.id for r in rounds_],
        rounds_[-1].id,
        framework.competencies[0].key,
    )


#: Per trainee and round: one identified colleague and three anonymous observers (a group
#: at the default threshold, so its summary is shown), every indicator rated.
FEEDBACK = [("rater.colleague", False), *[("rater.observer", True)] * 3]


def _feedback(
    people: list[User],
    round_: Round,
    indicator_ids: list[int],
    competency_ids: list[int],
    rng: random.Random,
) -> None:
    """Answered feedback requests for every trainee in ``round_``, in bulk."""
    now = utcnow()
    keys = [c.key for c in current_framework().competencies]
    requests = [
        {
            "round_id": round_.id,
            "trainee_id": p.id,
            "rater_name": f"Rater {n}",
            "rater_email": f"rater{n}-{p.id}-{round_.id}@bench.example.org",
            "rater_group": group,
            "competency_keys": keys,
            "situation": "",
            "message": "",
            "anonymous": anonymous,
            "share_self_ratings": False,
            "language": "en",
            "status": RequestStatus.ANSWERED,
            "created_at": now,
            "expires_at": now + timedelta(days=28),
            "answered_at": now,
            "reminders": 0,
            "decline_reason": "",
        }
        for p in people
        for n, (group, anonymous) in enumerate(FEEDBACK)
    ]
    db.session.execute(insert(FeedbackRequest), requests)
    request_ids = list(
        db.session.scalars(select(FeedbackRequest.id).where(FeedbackRequest.round_id == round_.id))
    )
    db.session.execute(
        insert(FeedbackResponse),
        [
            {"request_id": rid, "created_at": now, "submitted_at": now, "sector_other": ""}
            for rid in request_ids
        ],
    )
    responses = list(
        db.session.scalars(
            select(FeedbackResponse.id)
            .join(FeedbackRequest, FeedbackRequest.id == FeedbackResponse.request_id)
            .where(FeedbackRequest.round_id == round_.id)
        )
    )
    db.session.execute(
        insert(FeedbackRating),
        [
            {
                "response_id": rid,
                "indicator_id": iid,
                "level": rng.randint(1, 4),
                "not_observed": False,
                "version": 1,
            }
            for rid in responses
            for iid in indicator_ids
        ],
    )
    db.session.execute(
        insert(FeedbackNarrative),
        [
            {
                "response_id": rid,
                "competency_id": competency_ids[0],
                "works": rng.choice(NOTES),
                "grow": rng.choice(REASONS),
                "question": "",
                "version": 1,
            }
            for rid in responses
        ],
    )


def _evidence(
    people: list[User], indicator_ids: list[int], rng: random.Random, upload_folder: str | None
) -> None:
    """Three pieces of evidence per trainee, each linked to two or three indicators."""
    store = FileStore(upload_folder) if upload_folder else None
    digest = hashlib.sha256(NOTES_FILE).hexdigest()
    items = []
    for p in people:
        for n in range(3):
            has_file = n == 0 and store is not None
            items.append(
                EvidenceItem(
                    owner=p,
                    title=f"Dialogue session {n + 1}",
                    occurred_on=today() - timedelta(days=200 - 40 * n),
                    description="A session with a neighbourhood group about the new park.",
                    kind=EvidenceKind.DOCUMENT if has_file else EvidenceKind.TEXT,
                    file_name="session-notes.txt" if has_file else None,
                    stored_name=store.save(NOTES_FILE) if has_file and store else None,
                    content_type="text/plain; charset=utf-8" if has_file else None,
                    file_size=len(NOTES_FILE) if has_file else None,
                    file_sha256=digest if has_file else None,
                )
            )
    db.session.add_all(items)
    db.session.flush()
    db.session.execute(
        insert(evidence_indicators_table),
        [
            {"evidence_id": item.id, "indicator_id": indicator_id}
            for item in items
            for indicator_id in rng.sample(indicator_ids, rng.choice((2, 3)))
        ],
    )
