"""Demo data for trying the application: ``flask demo`` (idempotent).

One organisation with a governance member, one cohort with two trainers and twelve
trainees, and a site administrator. Running it again adds only what is missing.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.cohorts.models import Cohort, CohortRole, Organisation
from portfolio.cohorts.services import add_governance_member, add_member
from portfolio.competencies import current_framework
from portfolio.competencies.sync import sync_framework
from portfolio.extensions import db

DEMO_PASSWORD = "dialogue-demo-2025"
DOMAIN = "demo.example.org"
ORGANISATION = "Comune di Forlì — Servizi Sociali"
COHORT = "Dialogical Tutor Training 2025 — Forlì"

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
            starts_on=date(2025, 9, 15),
            ends_on=date(2026, 6, 30),
        )
        db.session.add(cohort)
        db.session.flush()
    for login, name in TRAINERS:
        add_member(None, cohort, _user(login, name), CohortRole.TRAINER)
    for login, name, language in TRAINEES:
        add_member(None, cohort, _user(login, name, language=language), CohortRole.TRAINEE)
    db.session.flush()

    lines = [f"Framework {report.version.label} ({report.version.short_hash}) is loaded."]
    lines.append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    width = max(len(role) for role, _e, _n in demo_accounts())
    lines += [f"  {role:<{width}}  {email}" for role, email, _n in demo_accounts()[:4]]
    lines.append(f"  {'trainee':<{width}}  trainee01@{DOMAIN} … trainee12@{DOMAIN}")
    return lines
