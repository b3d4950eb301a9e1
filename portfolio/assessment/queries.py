"""Page-sized reads of self-assessment work, returning plain data.

Each function answers one page's question with a fixed number of SQL statements, whatever
the size of the cohort: counts are aggregated in SQL (``GROUP BY``), lists are plain rows,
not ORM objects. Pages, exports and (later) the API read through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
)
from sqlalchemy.orm import aliased, joinedload

from portfolio.accounts.models import User
from portfolio.assessment.inputs import NOT_JUDGEABLE
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    RoundState,
    SelfAssessment,
    Submission,
    round_state,
)
from portfolio.assessment.rounds import started_round_ids
from portfolio.assessment.saving import Locked, locked, rating_choice, rating_fingerprint
from portfolio.assessment.submissions import HandedInWork, latest_submission, read_submission
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.competencies.texts import localized
from portfolio.evidence.queries import EvidenceLink, evidence_by_indicator
from portfolio.extensions import db
from portfolio.paging import AnySelect, Page, read_page
from portfolio.versioning import fingerprint


def reflection_template(language: str) -> str:
    """The framework's reflection template (STARR) in ``language``, Markdown."""
    return localized(current_framework().reflection_template.text, language) + "\n"


# --- progress ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompetencyRef:
    """A competency as pages name it."""

    id: int
    key: str
    number: int
    name: dict[str, str]


@dataclass(frozen=True)
class CompetencyProgress:
    """How far a self-assessment is on one competency."""

    competency: CompetencyRef
    total: int
    answered: int
    has_reflection: bool

    @property
    def missing(self) -> int:
        """Indicators still to rate."""
        return self.total - self.answered

    @property
    def percent(self) -> int:
        """Share answered, 0–100."""
        return round(100 * self.answered / self.total) if self.total else 100


@dataclass(frozen=True)
class Progress:
    """How far a self-assessment is, per competency and overall."""

    competencies: tuple[CompetencyProgress, ...]

    @property
    def total(self) -> int:
        """Indicators to rate in the round."""
        return sum(c.total for c in self.competencies)

    @property
    def answered(self) -> int:
        """Indicators rated so far."""
        return sum(c.answered for c in self.competencies)

    @property
    def percent(self) -> int:
        """Share answered, 0–100."""
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        """Every current indicator has an answer."""
        return self.answered >= self.total

    def find(self, key: str) -> CompetencyRef | None:
        """The current competency with this key, if there is one."""
        return next((c.competency for c in self.competencies if c.competency.key == key), None)


def _is_answered() -> ColumnElement[bool]:
    return or_(Rating.level.is_not(None), Rating.not_judgeable.is_(True))


def progress(assessment_id: int | None) -> Progress:
    """Completion per current competency, counted in SQL (current indicators only; one query)."""
    counts = (
        select(
            Indicator.competency_id.label("competency_id"),
            func.count(Indicator.id).label("total"),
            func.count(Rating.id).label("answered"),
        )
        .outerjoin(
            Rating,
            and_(
                Rating.indicator_id == Indicator.id,
                Rating.self_assessment_id == assessment_id,
                _is_answered(),
            ),
        )
        .where(Indicator.retired_at.is_(None))
        .group_by(Indicator.competency_id)
        .subquery()
    )
    reflected = (
        exists()
        .where(
            Reflection.self_assessment_id == assessment_id,
            Reflection.competency_id == Competency.id,
            func.length(Reflection.body) > 0,
        )
        .correlate(Competency)
    )
    rows = db.session.execute(
        select(
            Competency.id,
            Competency.key,
            Competency.number,
            Competency.name,
            func.coalesce(counts.c.total, 0),
            func.coalesce(counts.c.answered, 0),
            reflected,
        )
        .outerjoin(counts, counts.c.competency_id == Competency.id)
        .where(Competency.retired_at.is_(None))
        .order_by(Competency.number)
    ).all()
    return Progress(
        tuple(
            CompetencyProgress(
                CompetencyRef(cid, key, number, name), int(total), int(done), bool(has)
            )
            for cid, key, number, name, total, done, has in rows
        )
    )


def total_items() -> int:
    """Current ratable items."""
    return (
        db.session.scalar(select(func.count(Indicator.id)).where(Indicator.retired_at.is_(None)))
        or 0
    )


def _live_answers(*where: ColumnElement[bool]) -> Subquery:
    """Answers on current indicators per self-assessment (aggregated, not correlated)."""
    return (
        select(
            Rating.self_assessment_id.label("self_assessment_id"),
            func.count(Rating.id).label("answered"),
        )
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .join(SelfAssessment, SelfAssessment.id == Rating.self_assessment_id)
        .where(Indicator.retired_at.is_(None), _is_answered(), *where)
        .group_by(Rating.self_assessment_id)
        .subquery()
    )


def _last_hand_ins(*where: ColumnElement[bool]) -> Subquery:
    """Per self-assessment the answers in its last submission (none: no row)."""
    latest = (
        select(
            Submission.self_assessment_id.label("self_assessment_id"),
            func.max(Submission.number).label("number"),
        )
        .join(SelfAssessment, SelfAssessment.id == Submission.self_assessment_id)
        .where(*where)
        .group_by(Submission.self_assessment_id)
        .subquery()
    )
    return (
        select(
            Submission.self_assessment_id.label("self_assessment_id"),
            Submission.answered.label("answered"),
        )
        .join(
            latest,
            and_(
                latest.c.self_assessment_id == Submission.self_assessment_id,
                latest.c.number == Submission.number,
            ),
        )
        .subquery()
    )


# --- the rounds of a cohort (trainers) -------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    """One round in a cohort's list of rounds."""

    id: int
    title: str
    opens_on: date
    closes_on: date
    state: RoundState
    #: Trainees have saved something: it can only be closed, not deleted.
    started: bool


def cohort_rounds(cohort_id: int, today: date) -> list[RoundRow]:
    """A cohort's rounds in date order, with their state today (two queries)."""
    rows = db.session.execute(
        select(Round.id, Round.title, Round.opens_on, Round.closes_on, Round.closed_at)
        .where(Round.cohort_id == cohort_id)
        .order_by(Round.opens_on, Round.id)
    ).all()
    started = started_round_ids([r.id for r in rows])
    return [
        RoundRow(
            r.id,
            r.title,
            r.opens_on,
            r.closes_on,
            round_state(r.opens_on, r.closes_on, r.closed_at, today),
            r.id in started,
        )
        for r in rows
    ]


@dataclass(frozen=True)
class TraineeProgress:
    """One line of a round's progress table for trainers."""

    trainee_id: int
    name: str
    #: None: the trainee has not opened the round.
    status: AssessmentStatus | None
    answered: int
    #: A submission exists: the trainer may open what was handed in.
    handed_in: bool


@dataclass(frozen=True)
class RoundProgress:
    """Where the trainees of the round's cohort stand: one page of them, and the totals."""

    rows: Page[TraineeProgress]
    total: int
    #: Trainees in the cohort, and how many of them have their work handed in now.
    trainees: int
    handed_in: int


def round_progress(round_: Round, page: int = 1) -> RoundProgress:
    """One page of the trainees of the round's cohort with status and answers, by name, and
    how many have handed in (two statements at any size: the page with the totals, then the
    answers of the page's trainees only).

    Reopened work counts what was last handed in: trainers do not follow the rework live.
    """
    submitted = case((SelfAssessment.status == AssessmentStatus.SUBMITTED, 1), else_=0)
    found, rows = read_page(
        select(User.id, User.name, SelfAssessment.status, SelfAssessment.id)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == round_.id, SelfAssessment.trainee_id == User.id),
        )
        .where(
            CohortMembership.cohort_id == round_.cohort_id,
            CohortMembership.role == CohortRole.TRAINEE,
        )
        .order_by(User.name, User.id)
        .add_columns(func.sum(submitted).over()),
        page,
        tuple,
        extra=1,
    )
    handed_in = int(tuple(rows[0])[-2] or 0) if rows else 0
    ids = [row[3] for row in found.items if row[3] is not None]
    answers = _answers_of(ids)
    items = tuple(
        TraineeProgress(
            uid,
            name,
            status,
            *answers.get(assessment_id, (0, False)) if assessment_id else (0, False),
        )
        for uid, name, status, assessment_id in found.items
    )
    return RoundProgress(
        Page(items=items, page=found.page, per_page=found.per_page, total=found.total),
        total_items(),
        found.total,
        handed_in,
    )


def _answers_of(assessment_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """Per self-assessment: answers to count and whether it was ever handed in (one
    statement). Reopened work counts what was last handed in."""
    if not assessment_ids:
        return {}
    chosen = SelfAssessment.id.in_(assessment_ids)
    live = _live_answers(chosen)
    handed = _last_hand_ins(chosen)
    answered = case(
        (SelfAssessment.status == AssessmentStatus.REOPENED, handed.c.answered),
        else_=live.c.answered,
    )
    rows = db.session.execute(
        select(
            SelfAssessment.id,
            func.coalesce(answered, 0),
            handed.c.self_assessment_id.is_not(None),
        )
        .outerjoin(live, live.c.self_assessment_id == SelfAssessment.id)
        .outerjoin(handed, handed.c.self_assessment_id == SelfAssessment.id)
        .where(chosen)
    ).all()
    return {aid: (int(count), bool(done)) for aid, count, done in rows}


# --- a trainee's rounds (overview, dashboard) -------------------------------------------------


@dataclass(frozen=True)
class Reopening:
    """Who gave handed-in work back, when, and why (the trainee's banner)."""

    by_name: str | None
    on: datetime | None
    reason: str


@dataclass(frozen=True)
class TraineeRound:
    """One round on a trainee's overview or dashboard."""

    round_id: int
    title: str
    cohort_name: str
    opens_on: date
    closes_on: date
    state: RoundState
    status: AssessmentStatus | None
    submitted_at: datetime | None
    #: Answers so far (the trainee's own view) or in the last hand-in (everyone else's).
    answered: int
    #: A submission exists: others may open what was handed in.
    handed_in: bool
    reopening: Reopening | None

    @property
    def is_submitted(self) -> bool:
        """Handed in (and not reopened)."""
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def is_reopened(self) -> bool:
        """Given back by a trainer for changes."""
        return self.status == AssessmentStatus.REOPENED


@cache
def _trainee_rounds_statement(*, for_others: bool) -> AnySelect:
    """The statement behind :func:`trainee_rounds`, built once per process.

    The trainee is a bound parameter, so every dashboard reuses one statement object:
    building its subqueries and aliases anew took about half the time of the dashboard.
    """
    trainee_id = bindparam("trainee_id", type_=Integer)
    mine = SelfAssessment.trainee_id == trainee_id
    handed = _last_hand_ins(mine)
    counted = handed if for_others else _live_answers(mine)
    reopener = aliased(User)
    query = (
        select(
            Round.id,
            Round.title,
            Cohort.name,
            Round.opens_on,
            Round.closes_on,
            Round.closed_at,
            SelfAssessment.status,
            SelfAssessment.submitted_at,
            func.coalesce(counted.c.answered, 0),
            handed.c.self_assessment_id.is_not(None),
            reopener.name,
            SelfAssessment.reopened_at,
            SelfAssessment.reopen_reason,
        )
        .join(Cohort, Cohort.id == Round.cohort_id)
        .join(CohortMembership, CohortMembership.cohort_id == Round.cohort_id)
        .outerjoin(SelfAssessment, and_(SelfAssessment.round_id == Round.id, mine))
        .outerjoin(handed, handed.c.self_assessment_id == SelfAssessment.id)
        .outerjoin(reopener, reopener.id == SelfAssessment.reopened_by_id)
        .where(CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    if counted is not handed:
        query = query.outerjoin(counted, counted.c.self_assessment_id == SelfAssessment.id)
    return query


def trainee_rounds(
    trainee_id: int, today: date, cohort_ids: Select[int] | None = None
) -> list[TraineeRound]:
    """Every round of the trainee's cohorts with their self-assessment and answer count.

    With ``cohort_ids`` (a select from :func:`portfolio.policy.visible_cohort_ids`) only the
    rounds of those cohorts are listed, and the counts are those of the last hand-in, so
    another viewer never sees the live draft. One query.
    """
    query = _trainee_rounds_statement(for_others=cohort_ids is not None)
    if cohort_ids is not None:
        query = query.where(Round.cohort_id.in_(cohort_ids))
    rows = db.session.execute(query, {"trainee_id": trainee_id}).all()
    return [
        TraineeRound(
            round_id=rid,
            title=title,
            cohort_name=cohort_name,
            opens_on=opens_on,
            closes_on=closes_on,
            state=round_state(opens_on, closes_on, closed_at, today),
            status=status,
            submitted_at=submitted_at,
            answered=int(answered),
            handed_in=bool(done),
            reopening=(
                Reopening(by_name, reopened_at, reason or "")
                if status == AssessmentStatus.REOPENED
                else None
            ),
        )
        for (
            rid,
            title,
            cohort_name,
            opens_on,
            closes_on,
            closed_at,
            status,
            submitted_at,
            answered,
            done,
            by_name,
            reopened_at,
            reason,
        ) in rows
    ]


def reopening(assessment: SelfAssessment | None) -> Reopening | None:
    """The banner data of reopened work (loads who reopened it)."""
    if assessment is None or not assessment.is_reopened:
        return None
    by = assessment.reopened_by
    return Reopening(by.name if by else None, assessment.reopened_at, assessment.reopen_reason)


# --- the trainee's own pages ------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewPage:
    """A trainee's round: progress per competency, the last hand-in, what was handed in."""

    assessment: SelfAssessment | None
    progress: Progress
    editable: bool
    reopening: Reopening | None
    last_submitted_at: datetime | None
    #: What was handed in, shown while the work is handed in (read-only).
    work: HandedInWork | None


def overview_page(round_: Round, trainee_id: int, today: date) -> OverviewPage:
    """Everything the trainee's overview of a round shows."""
    assessment = _find_assessment(round_.id, trainee_id)
    last = latest_submission(assessment.id) if assessment is not None else None
    return OverviewPage(
        assessment=assessment,
        progress=progress(assessment.id if assessment else None),
        editable=locked(round_, assessment, today) is None,
        reopening=reopening(assessment),
        last_submitted_at=last.submitted_at if last is not None else None,
        work=(
            read_submission(last)
            if last is not None and assessment is not None and assessment.is_submitted
            else None
        ),
    )


def _find_assessment(round_id: int, trainee_id: int) -> SelfAssessment | None:
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.round_id == round_id, SelfAssessment.trainee_id == trainee_id
        )
    )


@dataclass(frozen=True)
class StoredRating:
    """A rating as stored, as the form shows it."""

    choice: str
    note: str
    reason: str
    version: int
    fingerprint: str


NO_RATING = StoredRating("", "", "", 0, rating_fingerprint("", "", ""))


@dataclass(frozen=True)
class PreviousRating:
    """The trainee's rating of an indicator in their previous round."""

    level: int | None
    not_judgeable: bool

    @property
    def choice(self) -> str:
        """As a radio value: a level, 'nj', or ''."""
        if self.not_judgeable:
            return NOT_JUDGEABLE
        return "" if self.level is None else str(self.level)


@dataclass(frozen=True)
class StoredReflection:
    """A reflection as stored."""

    body: str
    version: int
    fingerprint: str


@dataclass(frozen=True)
class FillInPage:
    """Everything the fill-in page of one competency shows (stored values)."""

    assessment: SelfAssessment | None
    competency: CompetencyRef
    #: The competency's current indicators, plus retired ones this work rated; with elements.
    indicators: tuple[Indicator, ...]
    stored: dict[int, StoredRating]
    reflection: StoredReflection
    #: The title of the trainee's previous round of the cohort, and its ratings.
    previous_round: str | None
    previous: dict[int, PreviousRating]
    progress: Progress
    evidence: dict[int, list[EvidenceLink]]
    locked: Locked | None
    reopening: Reopening | None

    @property
    def editable(self) -> bool:
        """The trainee can change the work now."""
        return self.locked is None


def fill_in_page(
    round_: Round, trainee_id: int, competency_key: str, today: date
) -> FillInPage | None:
    """The fill-in page of a competency in a round, or None when there is no such competency.

    A constant number of queries: the work, progress, indicators, ratings, the reflection,
    the previous round's ratings and the evidence, each once.
    """
    assessment = _find_assessment(round_.id, trainee_id)
    assessment_id = assessment.id if assessment is not None else None
    report = progress(assessment_id)
    competency = report.find(competency_key)
    if competency is None:
        return None
    rated = select(Rating.indicator_id).where(Rating.self_assessment_id == assessment_id)
    indicators = tuple(
        db.session.scalars(
            select(Indicator)
            .where(
                Indicator.competency_id == competency.id,
                or_(Indicator.retired_at.is_(None), Indicator.id.in_(rated)),
            )
            .options(joinedload(Indicator.element))
            .order_by(Indicator.position)
        )
    )
    stored: dict[int, StoredRating] = {}
    reflection = StoredReflection("", 0, fingerprint(""))
    if assessment_id is not None:
        for rating in db.session.scalars(
            select(Rating).where(Rating.self_assessment_id == assessment_id)
        ):
            choice = rating_choice(rating)
            stored[rating.indicator_id] = StoredRating(
                choice,
                rating.note,
                rating.change_reason,
                rating.version,
                rating_fingerprint(choice, rating.note, rating.change_reason),
            )
        found = db.session.execute(
            select(Reflection.body, Reflection.version).where(
                Reflection.self_assessment_id == assessment_id,
                Reflection.competency_id == competency.id,
            )
        ).first()
        if found is not None:
            reflection = StoredReflection(found.body, found.version, fingerprint(found.body))
    previous_round, previous = previous_ratings(round_, trainee_id)
    return FillInPage(
        assessment=assessment,
        competency=competency,
        indicators=indicators,
        stored=stored,
        reflection=reflection,
        previous_round=previous_round,
        previous=previous,
        progress=report,
        evidence=evidence_by_indicator(trainee_id, [i.id for i in indicators]),
        locked=locked(round_, assessment, today),
        reopening=reopening(assessment),
    )


def previous_ratings(
    current: Round, trainee_id: int
) -> tuple[str | None, dict[int, PreviousRating]]:
    """The title of the trainee's latest earlier round of the same cohort they worked on, and
    their ratings in it (one query)."""
    earlier = (
        select(SelfAssessment.id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            SelfAssessment.trainee_id == trainee_id,
            Round.cohort_id == current.cohort_id,
            or_(
                Round.opens_on < current.opens_on,
                and_(Round.opens_on == current.opens_on, Round.id < current.id),
            ),
        )
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Round.title, Rating.indicator_id, Rating.level, Rating.not_judgeable)
        .join(SelfAssessment, SelfAssessment.id == Rating.self_assessment_id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(Rating.self_assessment_id == earlier)
    ).all()
    if not rows:
        return None, {}
    return rows[0].title, {r.indicator_id: PreviousRating(r.level, r.not_judgeable) for r in rows}


# --- handed-in work ------------------------------------------------------------------------------


def handed_in_work(assessment: SelfAssessment) -> HandedInWork | None:
    """What was last handed in (plain data), or None when nothing was handed in yet."""
    last = latest_submission(assessment.id)
    return read_submission(last) if last is not None else None
