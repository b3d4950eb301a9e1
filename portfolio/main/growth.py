"""What the "My growth" page reads, as plain data, and the chart series built from it.

Statements, whatever the number of rounds, indicators or trainees in the cohort:

1. the trainee's rounds (of the cohorts the viewer may see) with the catalogue's stamp and
   the number of open feedback requests per round;
2. the self-ratings per round and competency, averaged in SQL (the growth lines, and the
   "self" series of the radar);
3. the self-ratings per round and indicator (the heat map, and the self side of the gaps);
4. and 5. the feedback ratings of all those rounds under the anonymity rule
   (:func:`portfolio.feedback.queries.seen_by_round`: others' ratings are read nowhere else);
6. the training modules of the trainee's cohorts (the context on the growth lines).

Another viewer than the trainee sees only handed-in work: the self-ratings of
self-assessments whose status is "submitted" (a reopened or draft assessment shows nothing).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, case, func, select

from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Round,
    RoundState,
    SelfAssessment,
    round_state,
)
from portfolio.clock import utcnow
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.cohorts.queries import ModuleItem, trainee_modules
from portfolio.competencies.catalogue import Catalogue, catalogue, stamp_columns
from portfolio.competencies.models import Indicator
from portfolio.extensions import db
from portfolio.feedback.anonymity import OTHERS, Seen
from portfolio.feedback.models import FeedbackRequest, RequestStatus
from portfolio.feedback.queries import seen_by_round
from portfolio.framework import Framework

#: The radar's rater series, in order, and the feedback groups each one holds.
FELLOW = "rater.fellow-trainee"
TRAINER = "rater.trainer"
SELF = "self"
OTHER_RATERS = "others"


@dataclass(frozen=True)
class GrowthRound:
    """One round of the trainee, oldest first."""

    id: int
    title: str
    opens_on: date
    closes_on: date
    state: RoundState
    status: AssessmentStatus | None
    open_requests: int

    @property
    def handed_in(self) -> bool:
        """Handed in and not reopened."""
        return self.status == AssessmentStatus.SUBMITTED


@dataclass(frozen=True)
class SelfRating:
    """A self-rating as stored: a level, or "cannot judge" (level None)."""

    level: int | None
    cannot_judge: bool


@dataclass(frozen=True)
class GrowthData:
    """Everything the page's charts are made of (numbers; the labels come later)."""

    framework: Catalogue
    rounds: tuple[GrowthRound, ...]
    #: (round id, competency id) → mean self level.
    self_means: Mapping[tuple[int, int], float]
    #: (round id, indicator id) → the self-rating.
    self_ratings: Mapping[tuple[int, int], SelfRating]
    #: Per round id: the feedback the rule shows.
    seen: Mapping[int, Seen]
    #: The training modules of the trainee's cohorts (those the viewer may see), by date.
    modules: tuple[ModuleItem, ...] = ()


def _rounds_statement(trainee_id: int, cohort_ids: Select[Any] | None) -> Select[Any]:
    now = utcnow()
    open_requests = (
        select(func.count(FeedbackRequest.id))
        .where(
            FeedbackRequest.round_id == Round.id,
            FeedbackRequest.trainee_id == trainee_id,
            FeedbackRequest.status.in_([RequestStatus.SENT, RequestStatus.OPENED]),
            FeedbackRequest.expires_at > now,
        )
        .correlate(Round)
        .scalar_subquery()
    )
    stamp_id, stamp_at = stamp_columns()
    query = (
        select(
            Round.id,
            Round.title,
            Round.opens_on,
            Round.closes_on,
            Round.closed_at,
            SelfAssessment.status,
            open_requests,
            stamp_id,
            stamp_at,
        )
        .join(CohortMembership, CohortMembership.cohort_id == Round.cohort_id)
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == Round.id, SelfAssessment.trainee_id == trainee_id),
        )
        .where(CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Round.opens_on, Round.id)
    )
    if cohort_ids is not None:
        query = query.where(Round.cohort_id.in_(cohort_ids))
    return query


def _own_work(trainee_id: int, round_ids: Sequence[int], *, is_self: bool) -> list[Any]:
    where = [SelfAssessment.trainee_id == trainee_id, SelfAssessment.round_id.in_(round_ids)]
    if not is_self:
        where.append(SelfAssessment.status == AssessmentStatus.SUBMITTED)
    return where


def growth_data(
    trainee_id: int,
    today: date,
    framework: Framework,
    cohort_ids: Select[Any] | None,
) -> GrowthData:
    """The trainee's rounds, self-ratings, the feedback shown and the training modules (six
    statements; one without rounds).

    ``cohort_ids`` narrows to the cohorts another viewer trains; None for the trainee.
    """
    is_self = cohort_ids is None
    rows = db.session.execute(_rounds_statement(trainee_id, cohort_ids)).all()
    if rows:
        stamp = (rows[0][7], rows[0][8])
    else:
        stamp = tuple(db.session.execute(select(*stamp_columns())).one())  # type: ignore[assignment]
    copy = catalogue((stamp[0], stamp[1]))
    rounds = tuple(
        GrowthRound(
            rid,
            title,
            opens_on,
            closes_on,
            round_state(opens_on, closes_on, closed_at, today),
            status,
            int(open_requests or 0) if is_self else 0,
        )
        for rid, title, opens_on, closes_on, closed_at, status, open_requests, _s, _a in rows
    )
    round_ids = [r.id for r in rounds]
    if not round_ids:
        return GrowthData(copy, rounds, {}, {}, {})
    where = _own_work(trainee_id, round_ids, is_self=is_self)
    means = {
        (round_id, competency_id): float(mean)
        for round_id, competency_id, mean in db.session.execute(
            select(SelfAssessment.round_id, Indicator.competency_id, func.avg(Rating.level))
            .join(Rating, Rating.self_assessment_id == SelfAssessment.id)
            .join(Indicator, Indicator.id == Rating.indicator_id)
            .where(*where, Rating.level.is_not(None), Indicator.retired_at.is_(None))
            .group_by(SelfAssessment.round_id, Indicator.competency_id)
        )
    }
    ratings = {
        (round_id, indicator_id): SelfRating(level, bool(unsure))
        for round_id, indicator_id, level, unsure in db.session.execute(
            select(
                SelfAssessment.round_id,
                Rating.indicator_id,
                Rating.level,
                case((Rating.level.is_(None), Rating.not_judgeable), else_=False),
            )
            .join(Rating, Rating.self_assessment_id == SelfAssessment.id)
            .where(*where, (Rating.level.is_not(None)) | Rating.not_judgeable)
        )
    }
    seen = seen_by_round(trainee_id, round_ids, framework)
    modules = trainee_modules(trainee_id, cohort_ids)
    return GrowthData(copy, rounds, means, ratings, seen, modules)


# --- Others' ratings, from what the rule shows ------------------------------------------------


def series_of_group(seen: Seen, group: str) -> str:
    """The radar series a feedback group's ratings belong to."""
    if group == FELLOW:
        return FELLOW
    if group == TRAINER:
        return TRAINER
    return OTHER_RATERS


def shown_levels(seen: Seen) -> dict[str, dict[int, tuple[float, int]]]:
    """Per radar series, per indicator: the sum of the levels the rule shows, and how many.

    An identified answer counts once; a summary gives each level with its count. The folded
    summary (several small groups together) belongs to "other raters".
    """
    out: dict[str, dict[int, tuple[float, int]]] = {}

    def add(key: str, indicator_id: int, total: float, n: int) -> None:
        per = out.setdefault(key, {})
        before, count = per.get(indicator_id, (0.0, 0))
        per[indicator_id] = (before + total, count + n)

    for answer in seen.identified:
        key = series_of_group(seen, answer.group_key)
        for indicator_id, level in answer.ratings.items():
            if level is not None:
                add(key, indicator_id, float(level), 1)
    for summary in seen.groups:
        key = OTHER_RATERS if summary.key == OTHERS else series_of_group(seen, summary.key)
        for indicator_id, counts in summary.ratings.items():
            n = sum(counts.counts.values())
            if n:
                add(key, indicator_id, float(sum(lv * c for lv, c in counts.counts.items())), n)
    return out


def weighted_mean(totals: Iterable[tuple[float, int]]) -> float | None:
    """The mean of several (sum, count) pairs taken together, or None when there are none."""
    total = 0.0
    count = 0
    for part, n in totals:
        total += part
        count += n
    return total / count if count else None
