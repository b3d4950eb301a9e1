"""A cohort with a trainer, two trainees and an open round, on the real framework."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from portfolio.assessment.models import Round
from portfolio.assessment.rounds import current_framework_version
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from tests.factories import (
    add_governance,
    add_trainee,
    add_trainer,
    make_cohort,
    make_organisation,
    make_user,
)


@dataclass
class World:
    """Everything an assessment test needs."""

    cohort: Any
    trainer: Any
    trainee: Any
    other_trainee: Any
    governance: Any
    round: Any
    db: Any

    def indicators(self, competency_key: str) -> list[Indicator]:
        """The current indicators of a competency, in order."""
        competency = self.db.session.scalar(
            self.db.select(Competency).where(Competency.key == competency_key)
        )
        return list(
            self.db.session.scalars(
                self.db.select(Indicator)
                .where(Indicator.competency_id == competency.id, Indicator.retired_at.is_(None))
                .order_by(Indicator.position)
            )
        )

    def add_round(self, title: str, opens: int, closes: int) -> Round:
        """Another round of the cohort, opening/closing ``opens``/``closes`` days from today."""
        round_ = Round(
            cohort=self.cohort,
            title=title,
            opens_on=today() + timedelta(days=opens),
            closes_on=today() + timedelta(days=closes),
            framework_version=current_framework_version(current_framework()),
        )
        self.db.session.add(round_)
        self.db.session.commit()
        return round_


@pytest.fixture
def world(framework_db: Any, db: Any) -> World:
    organisation = make_organisation()
    cohort = make_cohort(organisation)
    other_cohort = make_cohort()
    trainer = make_user(name="Tina Trainer")
    trainee = make_user(name="Tom Trainee")
    other = make_user(name="Olga Other")
    governance = make_user(name="Gert Governance")
    add_trainer(cohort, trainer)
    add_trainee(cohort, trainee)
    add_trainee(other_cohort, other)
    add_governance(organisation, governance)
    world = World(cohort, trainer, trainee, other, governance, None, db)
    world.round = world.add_round("After module 1", -1, 7)
    return world


def form_for(page_html: str) -> dict[str, str]:
    """The hidden version fields of a fill-in page, as a dict to post back."""
    import re

    return dict(re.findall(r'name="(r-\d+-[vh]|reflection-[vh])" value="([^"]*)"', page_html))
