"""What the trainers' cohort dashboard reads, as plain data.

Statements, whatever the number of trainees, rounds or indicators:

1. the cohort's rounds with how many of its trainees have handed in each, the number of
   trainees and the catalogue's stamp (a second, small statement when the cohort has no
   rounds yet);
2. the spread of the handed-in self-ratings: per round and competency, how many trainees
   have each mean self-rating (rounded to one decimal), read from the histogram kept per
   round (``round_spreads``, counted again from the scores stored at hand-in whenever a
   hand-in, a reopen or a change of membership changes what counts). The rows and the work
   grow with the rounds and the competencies, never with the cohort (at most one row per
   tenth of the scale); the quartiles are computed from that histogram
   (:meth:`portfolio.charts.series.BoxStats.from_histogram`), the exact cohort mean from the
   sums of the unrounded trainee means;
3. one page of the cohort's trainees for the chosen round (status and the feedback they
   asked, counted: never a rating or a text), with the totals from window functions; a page
   past the end costs one more statement (:func:`portfolio.paging.read_page`).

Only handed-in work counts: self-assessments whose status is "submitted" (a reopened one
is being reworked; a draft is not handed in). Each trainee weighs the same in the cohort's
mean, however many indicators they rated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import (
    AssessmentStatus,
    Round,
    RoundSpread,
    RoundState,
    SelfAssessment,
    round_state,
)
from portfolio.clock import utcnow
from portfolio.cohorts.models import CohortMembership, CohortRole
from portfolio.competencies.catalogue import Catalogue, catalogue, stamp_columns
from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest, RequestStatus
from portfolio.paging import PER_PAGE, Page, read_page


@dataclass(frozen=True)
class CohortRound:
    """One round of the cohort, in date order, with how many trainees handed it in."""

    id: int
    title: str
    opens_on: date
    closes_on: date
    state: RoundState
    handed_in: int

    @property
    def has_opened(self) -> bool:
        """Open now or closed: trainees could work on it."""
        return self.state != RoundState.UPCOMING


@dataclass(frozen=True)
class TraineeLine:
    """One trainee in the chosen round: where the self-assessment stands, and the feedback
    asked (not withdrawn), answered, and still waiting for an answer."""

    trainee_id: int
    name: str
    #: None: not started.
    status: AssessmentStatus | None
    asked: int
    answered: int
    outstanding: int

    @property
    def needs_attention(self) -> bool:
        """Not handed in (or reopened), or feedback still outstanding."""
        return self.status != AssessmentStatus.SUBMITTED or self.outstanding > 0


@dataclass(frozen=True)
class CohortDashboard:
    """Everything the cohort dashboard shows (numbers; labels come in cohort_charts)."""

    framework: Catalogue
    trainees: int
    #: Every round of the cohort, oldest first.
    rounds: tuple[CohortRound, ...]
    #: The round the completion and the table are about (None: no round has opened).
    round: CohortRound | None
    #: (round id, competency id) → {a trainee's mean, rounded to one decimal: trainees}.
    histograms: Mapping[tuple[int, int], Mapping[float, int]]
    #: (round id, competency id) → the exact mean of the trainees' means.
    means: Mapping[tuple[int, int], float]
    #: One page of the chosen round's trainees (empty without a round).
    lines: Page[TraineeLine]
    #: The trainees who need attention in the chosen round (whatever the filter).
    attention: int
    only_attention: bool

    @property
    def opened(self) -> tuple[CohortRound, ...]:
        """The rounds that have opened, oldest first (what the chooser offers)."""
        return tuple(r for r in self.rounds if r.has_opened)


def _is_trainee_of_cohort(cohort_id: int, user_id: Any) -> list[ColumnElement[bool]]:
    return [CohortMembership.trainee_of(cohort_id, user_id)]


def _rounds(cohort_id: int, today: date) -> tuple[Catalogue, int, tuple[CohortRound, ...]]:
    trainees = (
        select(func.count(CohortMembership.id))
        .where(CohortMembership.cohort_id == cohort_id, CohortMembership.role == CohortRole.TRAINEE)
        .scalar_subquery()
    )
    handed_in = (
        select(func.count(SelfAssessment.id))
        .join(CohortMembership, CohortMembership.user_id == SelfAssessment.trainee_id)
        .where(
            SelfAssessment.round_id == Round.id,
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            *_is_trainee_of_cohort(cohort_id, SelfAssessment.trainee_id),
        )
        .correlate(Round)
        .scalar_subquery()
    )
    stamp_id, stamp_at = stamp_columns()
    rows = db.session.execute(
        select(
            Round.id,
            Round.title,
            Round.opens_on,
            Round.closes_on,
            Round.closed_at,
            handed_in,
            trainees,
            stamp_id,
            stamp_at,
        )
        .where(Round.cohort_id == cohort_id)
        .order_by(Round.opens_on, Round.id)
    ).all()
    first = (
        tuple(rows[0])
        if rows
        else tuple(db.session.execute(select(trainees, stamp_id, stamp_at)).one())
    )
    count, stamp = first[-3], (first[-2], first[-1])
    rounds = tuple(
        CohortRound(
            rid,
            title,
            opens_on,
            closes_on,
            round_state(opens_on, closes_on, closed_at, today),
            int(done or 0),
        )
        for rid, title, opens_on, closes_on, closed_at, done, _n, _s, _a in rows
    )
    return catalogue((stamp[0], stamp[1])), int(count or 0), rounds


def spread(
    cohort_id: int,
) -> tuple[dict[tuple[int, int], dict[float, int]], dict[tuple[int, int], float]]:
    """Per (round, competency): how many trainees have each rounded mean self-rating, and
    the exact mean of their means (one statement).

    It reads the histogram kept per round (:class:`RoundSpread`, counted again at every
    hand-in and reopen; :mod:`portfolio.assessment.spreads`): at most one row per tenth of
    the scale, competency and round, however many trainees the cohort has."""
    rows = db.session.execute(
        select(
            RoundSpread.round_id,
            RoundSpread.competency_id,
            RoundSpread.value,
            RoundSpread.trainees,
            RoundSpread.mean_sum,
        )
        .join(Round, Round.id == RoundSpread.round_id)
        .where(Round.cohort_id == cohort_id)
    ).all()
    histograms: dict[tuple[int, int], dict[float, int]] = {}
    sums: dict[tuple[int, int], tuple[float, int]] = {}
    for round_id, competency_id, value, count, total in rows:
        key = (round_id, competency_id)
        histograms.setdefault(key, {})[round(float(value), 1)] = int(count)
        before = sums.get(key, (0.0, 0))
        sums[key] = (before[0] + float(total), before[1] + int(count))
    means = {key: total / n for key, (total, n) in sums.items() if n}
    return histograms, means


def trainee_lines(
    cohort_id: int, round_id: int, *, only_attention: bool, page: int
) -> tuple[Page[TraineeLine], int]:
    """One page of the cohort's trainees in the round (those who need attention first, then
    by name), and how many need attention (one statement, with the pager's total)."""
    now = utcnow()
    asked = func.count(FeedbackRequest.id).filter(FeedbackRequest.status != RequestStatus.WITHDRAWN)
    answered = func.count(FeedbackRequest.id).filter(
        FeedbackRequest.status == RequestStatus.ANSWERED
    )
    outstanding = func.count(FeedbackRequest.id).filter(
        FeedbackRequest.status.in_([RequestStatus.SENT, RequestStatus.OPENED]),
        FeedbackRequest.expires_at > now,
    )
    needs = or_(
        SelfAssessment.status.is_(None),
        SelfAssessment.status != AssessmentStatus.SUBMITTED,
        outstanding > 0,
    )
    query = (
        select(User.id, User.name, SelfAssessment.status, asked, answered, outstanding)
        .select_from(CohortMembership)
        .join(User, User.id == CohortMembership.user_id)
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == round_id, SelfAssessment.trainee_id == User.id),
        )
        .outerjoin(
            FeedbackRequest,
            and_(FeedbackRequest.round_id == round_id, FeedbackRequest.trainee_id == User.id),
        )
        .where(CohortMembership.cohort_id == cohort_id, CohortMembership.role == CohortRole.TRAINEE)
        .group_by(User.id, User.name, SelfAssessment.status)
        .order_by(case((needs, 0), else_=1), User.name, User.id)
    )
    if only_attention:
        query = query.having(needs)
    query = query.add_columns(func.sum(case((needs, 1), else_=0)).over())
    found, rows = read_page(
        query,
        page,
        lambda row: TraineeLine(row[0], row[1], row[2], int(row[3]), int(row[4]), int(row[5])),
        extra=1,
    )
    attention = int(tuple(rows[0])[-2] or 0) if rows else 0
    return found, attention


def choose_round(rounds: tuple[CohortRound, ...], wanted: int | None) -> CohortRound | None:
    """The round asked for if it has opened, else the latest round that has opened."""
    opened = [r for r in rounds if r.has_opened]
    by_id = {r.id: r for r in opened}
    if wanted in by_id:
        return by_id[wanted]
    return opened[-1] if opened else None


def cohort_dashboard(
    cohort_id: int,
    today: date,
    wanted_round: int | None = None,
    *,
    only_attention: bool = False,
    page: int = 1,
) -> CohortDashboard:
    """The cohort's rounds, the spread of the handed-in self-ratings and one page of its
    trainees in the chosen round (three statements; see the module's docstring)."""
    framework, trainees, rounds = _rounds(cohort_id, today)
    chosen = choose_round(rounds, wanted_round)
    if chosen is None:
        empty: Page[TraineeLine] = Page(items=(), page=1, per_page=PER_PAGE, total=0)
        return CohortDashboard(framework, trainees, rounds, None, {}, {}, empty, 0, only_attention)
    histograms, means = spread(cohort_id) if any(r.handed_in for r in rounds) else ({}, {})
    lines, attention = trainee_lines(cohort_id, chosen.id, only_attention=only_attention, page=page)
    return CohortDashboard(
        framework,
        trainees,
        rounds,
        chosen,
        histograms,
        means,
        lines,
        attention,
        only_attention,
    )
