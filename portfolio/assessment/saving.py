"""Saving a trainee's ratings and reflections, on top of :mod:`portfolio.versioning`.

The trainee (the actor) saves their own self-assessment in a round; it is created on the
first save. A round that is not open, or work that is handed in, refuses the save
(:class:`NotEditable`). Services flush; the caller commits.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import date
from typing import Protocol

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.inputs import (
    NOT_JUDGEABLE,
    REFLECTION_FIELD,
    FillInInput,
    RatingInput,
    ReflectionInput,
)
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
)
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.versioning import (
    SaveResult,
    Stored,
    fingerprint,
    insert_ignoring_duplicates,
    save_versioned,
)


class Locked(enum.StrEnum):
    """Why a self-assessment cannot be changed now."""

    HANDED_IN = "handed_in"
    ROUND_NOT_OPEN = "round_not_open"


class NotEditable(Exception):
    """The save is refused: ``reason`` says why."""

    def __init__(self, reason: Locked) -> None:
        super().__init__(reason.value)
        self.reason = reason


class Ratable(Protocol):
    """An indicator as a save needs it: whether it is still in the framework."""

    @property
    def is_retired(self) -> bool:
        """Retired items keep their ratings but take no new ones."""
        ...


def locked(round_: Round, assessment: SelfAssessment | None, today: date) -> Locked | None:
    """Why the trainee cannot change their work in ``round_`` today, or None when they can."""
    if assessment is not None and assessment.is_submitted:
        return Locked.HANDED_IN
    if not round_.is_open(today):
        return Locked.ROUND_NOT_OPEN
    return None


def rating_choice(rating: Rating | None) -> str:
    """The radio value for a stored rating: a level, 'nj', or ''."""
    if rating is None:
        return ""
    if rating.not_judgeable:
        return NOT_JUDGEABLE
    return "" if rating.level is None else str(rating.level)


def rating_fingerprint(choice: str, note: str, reason: str) -> str:
    """Digest of a rating's three fields (the page holds the same digest)."""
    return fingerprint(choice, note, reason)


def stored_rating(rating: Rating | None) -> Stored:
    """What a stored rating (or 'nothing yet') amounts to for a save."""
    if rating is None:
        return Stored(0, rating_fingerprint("", "", ""), "")
    choice = rating_choice(rating)
    return Stored(
        rating.version, rating_fingerprint(choice, rating.note, rating.change_reason), choice
    )


def stored_reflection(reflection: Reflection | None) -> Stored:
    """What a stored reflection (or 'nothing yet') amounts to for a save."""
    body = reflection.body if reflection is not None else ""
    return Stored(reflection.version if reflection is not None else 0, fingerprint(body), body)


def find_assessment(round_id: int, trainee_id: int) -> SelfAssessment | None:
    """The self-assessment of a trainee in a round, if it exists."""
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.round_id == round_id, SelfAssessment.trainee_id == trainee_id
        )
    )


def get_or_create_assessment(round_: Round, trainee: User) -> SelfAssessment:
    """The trainee's self-assessment for the round, created on first use."""
    found = find_assessment(round_.id, trainee.id)
    if found is None:
        # Another tab may create it at the same moment: insert-or-ignore, then read.
        insert_ignoring_duplicates(
            SelfAssessment,
            round_id=round_.id,
            trainee_id=trainee.id,
            status=AssessmentStatus.DRAFT,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        found = find_assessment(round_.id, trainee.id)
    assert found is not None
    return found


def _ratings(assessment_id: int) -> dict[int, Rating]:
    return {
        r.indicator_id: r
        for r in db.session.scalars(
            select(Rating).where(Rating.self_assessment_id == assessment_id)
        )
    }


def save_ratings(
    assessment: SelfAssessment,
    inputs: Mapping[int, RatingInput],
    indicators: Mapping[int, Ratable],
    skip: set[int] | frozenset[int] = frozenset(),
) -> SaveResult:
    """Save what the tab changed; a field changed elsewhere since the tab loaded it is a conflict.

    Retired indicators and those in ``skip`` (fields with an error) are left alone.
    """
    result = SaveResult()
    stored = _ratings(assessment.id)
    for indicator_id, data in inputs.items():
        if indicator_id in skip or indicators[indicator_id].is_retired:
            continue
        save_versioned(
            Rating,
            {"self_assessment_id": assessment.id, "indicator_id": indicator_id},
            stored.get(indicator_id),
            data.edit(indicator_id),
            {
                "level": int(data.choice) if data.choice.isdigit() else None,
                "not_judgeable": data.choice == NOT_JUDGEABLE,
                "note": data.note,
                "change_reason": data.reason,
                "updated_at": utcnow(),
            },
            stored_rating,
            result,
        )
    if result.saved:
        assessment.updated_at = utcnow()
    db.session.flush()
    return result


def save_reflection(
    assessment: SelfAssessment, competency_id: int, data: ReflectionInput
) -> SaveResult:
    """Save a competency's reflection with the same version check as ratings."""
    result = SaveResult()
    key = {"self_assessment_id": assessment.id, "competency_id": competency_id}
    current = db.session.scalar(select(Reflection).filter_by(**key))
    values = {"body": data.text, "updated_at": utcnow()}
    if save_versioned(Reflection, key, current, data.edit, values, stored_reflection, result):
        assessment.updated_at = utcnow()
    db.session.flush()
    return result


def save_answers(
    actor: User,
    round_: Round,
    competency_id: int,
    indicators: Mapping[int, Ratable],
    data: FillInInput,
    *,
    today: date,
) -> tuple[SelfAssessment, SaveResult]:
    """The trainee saves one competency's page: ratings and reflection (one service call).

    Fields with an error in ``data.errors`` are not saved and come back in the result's
    errors. Raises :class:`NotEditable` when the round is not open or the work handed in.
    """
    refusal = locked(round_, find_assessment(round_.id, actor.id), today)
    if refusal is not None:
        raise NotEditable(refusal)
    assessment = get_or_create_assessment(round_, actor)
    result = save_ratings(assessment, data.ratings, indicators, data.refused_indicators)
    result.errors.update(data.errors)
    if data.reflection is not None and REFLECTION_FIELD not in data.errors:
        result.merge(save_reflection(assessment, competency_id, data.reflection))
    return assessment, result
