"""A world for the API: two organisations, trainers, trainees with handed-in and draft work
and feedback, governance, an administrator, and a token of every scope for each of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from portfolio.accounts.models import User
from portfolio.api import services
from portfolio.api.models import TokenScope
from portfolio.assessment.models import Round
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.extensions import db
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    make_cohort,
    make_organisation,
    make_user,
)
from tests.feedback.helpers import answer, ask
from tests.handing_in import answer_everything, hand_in, open_round


def make_token(user: User, scope: TokenScope = TokenScope.OWN, name: str = "script") -> str:
    """A usable token of ``user`` with ``scope``; returns the plain token."""
    made = services.create_token(
        user, name=name, scope=scope, expires_on=services.default_expiry(today()), today=today()
    )
    db.session.commit()
    return made.plain


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class ApiWorld:
    people: dict[str, User]
    cohort_a: Cohort
    cohort_b: Cohort
    #: Trainee A handed in here and has feedback: one identified answer, two anonymous.
    handed_in: Round
    #: Only cohort B's trainee works here.
    round_b: Round
    tokens: dict[tuple[str, TokenScope], str] = field(default_factory=dict)

    def token(self, who: str, scope: TokenScope = TokenScope.OWN) -> dict[str, str]:
        return bearer(self.tokens[(who, scope)])


ROLES = ("trainee", "other_trainee", "trainer", "other_trainer", "governance", "admin")


@pytest.fixture
def world(framework_db: Any) -> ApiWorld:
    org_a, org_b = make_organisation("Org A"), make_organisation("Org B")
    cohort_a = make_cohort(org_a, name="Cohort A")
    cohort_b = make_cohort(org_b, name="Cohort B")
    people = {
        "trainee": make_user("tess@example.org", "Tess Trainee"),
        "other_trainee": make_user("otto@example.org", "Otto Other"),
        "trainer": make_user("tom@example.org", "Tom Trainer"),
        "other_trainer": make_user("tina@example.org", "Tina Trainer"),
        "governance": make_user("gwen@example.org", "Gwen Governance"),
        "admin": make_user("ada@example.org", "Ada Admin", admin=True),
    }
    add_trainee(cohort_a, people["trainee"])
    add_trainer(cohort_a, people["trainer"])
    add_trainee(cohort_b, people["other_trainee"])
    add_trainer(cohort_b, people["other_trainer"])
    add_governance(org_a, people["governance"])
    handed_in = open_round(cohort_a, "Baseline")
    hand_in(answer_everything(handed_in, people["trainee"]), people["trainee"])
    request, _token = ask(people["trainee"], handed_in, name="Nina Named")
    answer(request, works="Listens well")
    for name in ("Anna Anonymous", "Bert Anonymous"):
        request, _token = ask(people["trainee"], handed_in, name=name, anonymous=True)
        answer(request, works=f"Secret words of {name}")
    round_b = open_round(cohort_b, "Other baseline")
    answer_everything(round_b, people["other_trainee"])
    found = ApiWorld(people, cohort_a, cohort_b, handed_in, round_b)
    for who, user in people.items():
        for scope in TokenScope:
            found.tokens[(who, scope)] = make_token(user, scope, name=f"{who}-{scope.value}")
    return found
