"""A demo final assessment, made through the real services: the handed-in demo portfolio is
judged by the cohort's two trainers, who agree and confirm, so its verdict is locked.

Both trainers judge every competency (the second a level lower on one), agree the levels
and the verdict in the consensus step, and each confirms. Every text is invented.
"""

from __future__ import annotations

from portfolio.accounts.models import User
from portfolio.framework import Framework
from portfolio.judging import services
from portfolio.judging.models import OVERALL, Verdict
from portfolio.judging.services import EntryInput
from portfolio.portfolios.models import PortfolioSnapshot

MOTIVATION = (
    "De verantwoording gaat indicator voor indicator na wat de trainee deed, met het verslag "
    "van het netwerkberaad als bewijs [E1]. De feedback van collega en observator bevestigt "
    "het beeld; de reflectie benoemt een concrete volgende stap."
)
JOINT = (
    "Het portfolio laat overtuigend zien hoe de trainee de dialogische benadering in het "
    "eigen wijkteam toepast. De beoordelaars zijn het eens over het niveau per competentie."
)


def seed_final_assessment(
    framework: Framework, snapshot: PortfolioSnapshot, assessors: list[User]
) -> None:
    """Judge ``snapshot`` with the first two ``assessors`` and lock the verdict (adds
    nothing when the hand-in has an assessment already)."""
    if services.find_assessment(snapshot.id) is not None or len(assessors) < 2:
        return
    first, second = assessors[0], assessors[1]
    keys = [c.key for c in framework.competencies]
    seats = [services.assign_assessor(first, snapshot, person) for person in (first, second)]
    for seat, person, lower in ((seats[0], first, None), (seats[1], second, keys[-1])):
        entries = {
            key: EntryInput.based_on(
                None, "rubric.sufficient" if key == lower else "rubric.good", MOTIVATION
            )
            for key in keys
        }
        services.judge(person, seat, entries, framework, submit=True)
    agreed = {key: EntryInput.based_on(None, "rubric.good", MOTIVATION) for key in keys}
    agreed[OVERALL] = EntryInput.based_on(None, Verdict.PASSED.value, JOINT)
    assessment = services.find_assessment(snapshot.id)
    assert assessment is not None
    services.decide(first, seats[0], agreed, assessment.version, framework, confirm=True)
    services.confirm_consensus(second, seats[1], assessment.version, framework)
