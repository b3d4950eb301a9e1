"""Demo data for trying the application: ``flask demo`` (idempotent).

One organisation with a governance member, one cohort with two trainers and twelve
trainees, and a site administrator. Running it again adds only what is missing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment import services as assessment_services
from portfolio.assessment.models import (
    AssessmentStatus,
    EvidenceItem,
    EvidenceKind,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
)
from portfolio.assessment.services import current_framework_version
from portfolio.assessment.submissions import record_submission
from portfolio.clock import today
from portfolio.cohorts.models import Cohort, CohortRole, Organisation
from portfolio.cohorts.services import add_governance_member, add_member
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.competencies.sync import sync_framework
from portfolio.extensions import db

DEMO_PASSWORD = "dialogue-demo-2025"
DOMAIN = "demo.example.org"
ORGANISATION = "Comune di Forlì — Servizi Sociali"
COHORT = "Dialogical Tutor Training — Forlì"

ADMIN = ("admin", "Ada Admin")
GOVERNANCE = ("governance", "Giulia Rossi")
TRAINERS = [("trainer1", "Tom Weerheijm"), ("trainer2", "Anna Lucia Carretta")]
TRAINEES: list[tuple[str, str, str | None]] = [
    ("trainee01", "Sofia Bianchi", None),
    ("trainee02", "Joris de Vries", "nl"),
    ("trainee03", "Aino Korhonen", "en"),
    ("trainee04", "Marta Nowak", "en"),
    ("trainee05", "Pedro Ferreira", "en"),
    ("trainee06", "Ioana Popescu", "en"),
    ("trainee07", "Lukas Jankauskas", "en"),
    ("trainee08", "Eva Jansen", "nl"),
    ("trainee09", "Marco Conti", "en"),
    ("trainee10", "Sanne Bakker", "nl"),
    ("trainee11", "Teresa Neto", "en"),
    ("trainee12", "Mikko Virtanen", "en"),
]


def demo_accounts() -> list[tuple[str, str, str]]:
    """(role, e-mail, name) of every demo account, for the README and the CLI."""
    rows = [("administrator", f"{ADMIN[0]}@{DOMAIN}", ADMIN[1])]
    rows.append(("governance", f"{GOVERNANCE[0]}@{DOMAIN}", GOVERNANCE[1]))
    rows += [("trainer", f"{login}@{DOMAIN}", name) for login, name in TRAINERS]
    rows += [("trainee", f"{login}@{DOMAIN}", name) for login, name, _lang in TRAINEES]
    return rows


def _user(login: str, name: str, *, admin: bool = False, language: str | None = None) -> User:
    email = f"{login}@{DOMAIN}"
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, is_admin=admin, language=language)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
        db.session.flush()
    return user


def seed_demo() -> list[str]:
    """Create what is missing of the demo data; return lines to print."""
    report = sync_framework(current_framework())
    _user(*ADMIN, admin=True)
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == ORGANISATION))
    if organisation is None:
        organisation = Organisation(name=ORGANISATION, kind="municipality", country="IT")
        db.session.add(organisation)
        db.session.flush()
    add_governance_member(None, organisation, _user(*GOVERNANCE))
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    if cohort is None:
        cohort = Cohort(
            organisation=organisation,
            name=COHORT,
            location="Forlì",
            starts_on=today() - timedelta(days=90),
            ends_on=today() + timedelta(days=200),
        )
        db.session.add(cohort)
        db.session.flush()
    for login, name in TRAINERS:
        add_member(None, cohort, _user(login, name), CohortRole.TRAINER)
    for login, name, language in TRAINEES:
        add_member(None, cohort, _user(login, name, language=language), CohortRole.TRAINEE)
    db.session.flush()
    trainees = [_user(login, name) for login, name, _lang in TRAINEES]
    _seed_rounds(cohort, trainees, _user(*TRAINERS[0]))

    lines = [f"Framework {report.version.label} ({report.version.short_hash}) is loaded."]
    lines.append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    width = max(len(role) for role, _e, _n in demo_accounts())
    lines += [f"  {role:<{width}}  {email}" for role, email, _n in demo_accounts()[:4]]
    lines.append(f"  {'trainee':<{width}}  trainee01@{DOMAIN} … trainee12@{DOMAIN}")
    return lines


# (title, opens (days from today), closes, how many trainees handed in, how many started)
ROUNDS = [
    ("Baseline", -80, -66, 10, 10),
    ("After module 1", -40, -26, 10, 10),
    ("After module 2", -5, 16, 1, 4),
]

#: The first trainee's open round was handed in and reopened by the first trainer.
REOPEN_REASON = (
    "Thank you. Before we talk: add to your reflection on competency 1 what you did "
    "when the family disagreed, and link the notes from that meeting."
)

REFLECTIONS = {
    "en": (
        "**Situation** — In a team meeting about a family we all worried about, I tried {tool}.\n\n"
        "**Action** — I asked everyone to say what worried them, without jumping to solutions.\n\n"
        "**Result** — Colleagues listened more than usual; the social worker brought in a "
        "perspective we had missed.\n\n"
        "**Reflection** — I notice I still steer towards my own solution. Next time I will "
        "leave more silence."
    ),
    "nl": (
        "**Situatie** — In een teamoverleg over een gezin waar we ons allemaal zorgen over "
        "maakten, probeerde ik {tool}.\n\n"
        "**Actie** — Ik vroeg iedereen zijn zorg te benoemen, zonder meteen naar oplossingen "
        "te springen.\n\n"
        "**Resultaat** — Collega's luisterden meer dan anders; de maatschappelijk werker bracht "
        "een perspectief in dat we misten.\n\n"
        "**Reflectie** — Ik merk dat ik nog naar mijn eigen oplossing stuur. Volgende keer laat "
        "ik meer stilte."
    ),
}


def _seed_rounds(cohort: Cohort, trainees: list[User], trainer: User | None = None) -> None:
    """Rounds with ratings, reflections and evidence, so the demo looks lived in."""
    version = current_framework_version(current_framework())
    if version is None:
        return
    existing = {
        r.title for r in db.session.scalars(select(Round).where(Round.cohort_id == cohort.id))
    }
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.retired_at.is_(None)).order_by(Indicator.position)
    ).all()
    competencies = db.session.scalars(select(Competency).order_by(Competency.number)).all()
    _seed_evidence(trainees[:10], indicators)  # before the rounds, so hand-ins include it
    for number, (title, opens, closes, handed_in, started) in enumerate(ROUNDS):
        if title in existing:
            continue
        round_ = Round(
            cohort=cohort,
            title=title,
            opens_on=today() + timedelta(days=opens),
            closes_on=today() + timedelta(days=closes),
            framework_version=version,
        )
        db.session.add(round_)
        db.session.flush()
        for position, trainee in enumerate(trainees[:started]):
            assessment = _seed_assessment(
                round_, trainee, number, position < handed_in, indicators, competencies
            )
            if position < handed_in and round_.is_open(today()) and trainer is not None:
                assessment_services.reopen(assessment, trainer, REOPEN_REASON)


def _seed_assessment(
    round_: Round,
    trainee: User,
    number: int,
    handed_in: bool,
    indicators: list[Indicator],
    competencies: list[Competency],
) -> SelfAssessment:
    rng = random.Random(f"{trainee.email}/{number}")
    assessment = SelfAssessment(
        round=round_,
        trainee=trainee,
        status=AssessmentStatus.SUBMITTED if handed_in else AssessmentStatus.DRAFT,
        submitted_at=_handed_in_at(round_, rng) if handed_in else None,
    )
    db.session.add(assessment)
    db.session.flush()
    base = random.Random(trainee.email).choice([1, 1, 2])
    share = 1.0 if handed_in else rng.uniform(0.3, 0.7)
    for indicator in indicators[: int(len(indicators) * share)]:
        if rng.random() < 0.06:
            db.session.add(
                Rating(
                    self_assessment_id=assessment.id, indicator_id=indicator.id, not_judgeable=True
                )
            )
            continue
        growth = round(number * rng.uniform(0.3, 0.8))
        level = max(1, min(4, base + growth + rng.choice([-1, 0, 0, 1])))
        db.session.add(
            Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=level)
        )
    lang = trainee.language if trainee.language in REFLECTIONS else "en"
    tools = {
        "en": ["taking up my worries", "a warm-up dialogue"],
        "nl": ["zorgen opnemen", "een opwarmdialoog"],
    }
    for competency in competencies[: 5 if handed_in else 2]:
        body = REFLECTIONS[lang].format(tool=rng.choice(tools[lang]))
        db.session.add(
            Reflection(self_assessment_id=assessment.id, competency_id=competency.id, body=body)
        )
    if handed_in:
        db.session.flush()
        record_submission(assessment, trainee, at=assessment.submitted_at)
    return assessment


def _handed_in_at(round_: Round, rng: random.Random) -> datetime:
    """A plausible moment in the round's last days (never in the future)."""
    day = min(round_.closes_on - timedelta(days=rng.randint(0, 4)), today() - timedelta(days=1))
    return datetime.combine(day, time(rng.randint(8, 20), rng.randint(0, 59)), tzinfo=UTC)


def _seed_evidence(trainees: list[User], indicators: list[Indicator]) -> None:
    for trainee in trainees:
        if db.session.scalar(
            select(EvidenceItem.id).where(EvidenceItem.owner_id == trainee.id).limit(1)
        ):
            continue
        rng = random.Random(f"{trainee.email}/evidence")
        db.session.add_all(
            [
                EvidenceItem(
                    owner=trainee,
                    title="Notes from a dialogue meeting with a family and four services",
                    occurred_on=today() - timedelta(days=50),
                    description="We used **taking up worries**. What I did:\n\n"
                    "- prepared the room (chairs in a circle)\n"
                    "- asked each person for their worry\n"
                    "- summarised without judging",
                    kind=EvidenceKind.TEXT,
                    tool_key="tool.worries",
                    indicators=rng.sample(indicators, 3),
                ),
                EvidenceItem(
                    owner=trainee,
                    title="Feedback from my team leader after the warm-up dialogue",
                    occurred_on=today() - timedelta(days=20),
                    description="My team leader wrote down what she noticed about the dialogue.",
                    kind=EvidenceKind.LINK,
                    url="https://example.org/shared/feedback-note",
                    tool_key="tool.warm-up",
                    indicators=rng.sample(indicators, 2),
                ),
            ]
        )
