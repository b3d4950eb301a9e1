"""Page-sized reads of self-assessment work, returning plain data.

Each function answers one page's question with a fixed number of SQL statements, whatever
the size of the cohort: counts are aggregated in SQL (``GROUP BY``), lists are plain rows,
not ORM objects. Pages, exports and (later) the API read through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import aliased

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
from portfolio.assessment.saving import Locked, locked, rating_fingerprint
from portfolio.assessment.submissions import HandedInWork, latest_submission, read_submission
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole
from portfolio.competencies import current_framework
from portfolio.competencies.catalogue import IndicatorText, catalogue, stamp_columns
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


def _total_items_statement() -> Select[int]:
    return select(func.count(Indicator.id)).where(Indicator.retired_at.is_(None))


def total_items() -> int:
    """Current ratable items."""
    return db.session.scalar(_total_items_statement()) or 0


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
    The counts are correlated subqueries of the (few) self-assessments found: joined as
    grouped subqueries they made PostgreSQL spend longer planning than running it.
    """
    trainee_id = bindparam("trainee_id", type_=Integer)
    of_this_work = Submission.self_assessment_id == SelfAssessment.id
    handed = (
        select(Submission.answered)
        .where(of_this_work)
        .order_by(Submission.number.desc())
        .limit(1)
        .correlate(SelfAssessment)
        .scalar_subquery()
    )
    live = (
        select(func.count(Rating.id))
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .where(
            Rating.self_assessment_id == SelfAssessment.id,
            Indicator.retired_at.is_(None),
            _is_answered(),
        )
        .correlate(SelfAssessment)
        .scalar_subquery()
    )
    reopener = aliased(User)
    return (
        select(
            Round.id,
            Round.title,
            Cohort.name,
            Round.opens_on,
            Round.closes_on,
            Round.closed_at,
            SelfAssessment.status,
            SelfAssessment.submitted_at,
            func.coalesce(handed if for_others else live, 0),
            exists().where(of_this_work).correlate(SelfAssessment),
            reopener.name,
            SelfAssessment.reopened_at,
            SelfAssessment.reopen_reason,
            _total_items_statement().scalar_subquery(),
        )
        .join(Cohort, Cohort.id == Round.cohort_id)
        .join(CohortMembership, CohortMembership.cohort_id == Round.cohort_id)
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == Round.id, SelfAssessment.trainee_id == trainee_id),
        )
        .outerjoin(reopener, reopener.id == SelfAssessment.reopened_by_id)
        .where(CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )


def trainee_rounds(
    trainee_id: int, today: date, cohort_ids: Select[int] | None = None
) -> list[TraineeRound]:
    """Every round of the trainee's cohorts with their self-assessment and answer count.

    With ``cohort_ids`` (a select from :func:`portfolio.policy.visible_cohort_ids`) only the
    rounds of those cohorts are listed, and the counts are those of the last hand-in, so
    another viewer never sees the live draft. One query.
    """
    return trainee_rounds_and_total(trainee_id, today, cohort_ids)[0]


def trainee_rounds_and_total(
    trainee_id: int, today: date, cohort_ids: Select[int] | None = None
) -> tuple[list[TraineeRound], int]:
    """:func:`trainee_rounds`, and the current ratable items (:func:`total_items`) that their
    counts are out of, in the same statement (0 when there are no rounds: nothing to count)."""
    query = _trainee_rounds_statement(for_others=cohort_ids is not None)
    if cohort_ids is not None:
        query = query.where(Round.cohort_id.in_(cohort_ids))
    rows = db.session.execute(query, {"trainee_id": trainee_id}).all()
    rounds = [
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
            _total,
        ) in rows
    ]
    return rounds, int(rows[0][-1] or 0) if rows else 0


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
    """Everything the fill-in page of one competency shows (stored values), as plain data."""

    assessment: SelfAssessment | None
    competency: CompetencyRef
    #: The competency's current indicators, plus retired ones this work rated, in words.
    indicators: tuple[IndicatorText, ...]
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


@cache
def _fill_in_work_statement() -> AnySelect:
    """The trainee's work in the round (or None) with the stamp of the framework's copy, in
    one row whatever is stored; built once per process."""
    one = select(literal_column("1").label("one")).subquery()
    stamp_id, stamp_at = stamp_columns()
    return (
        select(SelfAssessment, stamp_id, stamp_at)
        .select_from(one)
        .outerjoin(
            SelfAssessment,
            and_(
                SelfAssessment.round_id == bindparam("round_id", type_=Integer),
                SelfAssessment.trainee_id == bindparam("trainee_id", type_=Integer),
            ),
        )
    )


@cache
def _fill_in_ratings_statement() -> CompoundSelect[*tuple[Any, ...]]:
    """The ratings of the work, then those of the trainee's latest earlier round of the same
    cohort (the one they worked on) with that round's title; built once per process.

    Two index lookups glued together (``UNION ALL``): an ``OR`` of both would make
    PostgreSQL read every self-assessment to find the rounds' titles.
    """
    opens_on = bindparam("opens_on", type_=Date)
    earlier = (
        select(SelfAssessment.id.label("id"), Round.title.label("title"))
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            SelfAssessment.trainee_id == bindparam("trainee_id", type_=Integer),
            Round.cohort_id == bindparam("cohort_id", type_=Integer),
            or_(
                Round.opens_on < opens_on,
                and_(Round.opens_on == opens_on, Round.id < bindparam("round_id", type_=Integer)),
            ),
        )
        .order_by(Round.opens_on.desc(), Round.id.desc())
        .limit(1)
        .subquery()
    )
    columns = (
        Rating.indicator_id,
        Rating.level,
        Rating.not_judgeable,
        Rating.note,
        Rating.change_reason,
        Rating.version,
    )
    own = select(*columns, null().cast(String).label("title")).where(
        Rating.self_assessment_id == bindparam("assessment_id", type_=Integer)
    )
    before = select(*columns, earlier.c.title).join(
        earlier, earlier.c.id == Rating.self_assessment_id
    )
    return union_all(own, before)


@cache
def _fill_in_reflections_statement() -> AnySelect:
    """Per competency whether the work has a reflection, with the text of the page's one."""
    competency_id = bindparam("competency_id", type_=Integer)
    return select(
        Reflection.competency_id,
        func.length(Reflection.body) > 0,
        case((Reflection.competency_id == competency_id, Reflection.body), else_=None),
        Reflection.version,
    ).where(Reflection.self_assessment_id == bindparam("assessment_id", type_=Integer))


def fill_in_page(
    round_: Round, trainee_id: int, competency_key: str, today: date, language: str
) -> FillInPage | None:
    """The fill-in page of a competency in a round, or None when there is no such competency.

    The framework comes from the per-process catalogue (``competencies.catalogue``); the
    trainee's data takes four statements: the work (with the catalogue's stamp), the ratings
    of this round and the previous one, the reflections, and the evidence.
    """
    assessment, *stamp = db.session.execute(
        _fill_in_work_statement(), {"round_id": round_.id, "trainee_id": trainee_id}
    ).one()
    framework = catalogue((stamp[0], stamp[1]))
    entry = next((c for c in framework.competencies if c.key == competency_key), None)
    if entry is None:
        return None
    assessment_id = assessment.id if assessment is not None else None
    stored: dict[int, StoredRating] = {}
    previous: dict[int, PreviousRating] = {}
    previous_round: str | None = None
    answered: dict[int, int] = {}
    for iid, level, nj, note, reason, version, title in db.session.execute(
        _fill_in_ratings_statement(),
        {
            "assessment_id": assessment_id,
            "trainee_id": trainee_id,
            "cohort_id": round_.cohort_id,
            "opens_on": round_.opens_on,
            "round_id": round_.id,
        },
    ):
        if title is not None:  # the previous round's
            previous_round = title
            previous[iid] = PreviousRating(level, bool(nj))
            continue
        choice = NOT_JUDGEABLE if nj else ("" if level is None else str(level))
        stored[iid] = StoredRating(
            choice, note, reason, version, rating_fingerprint(choice, note, reason)
        )
        if choice and iid in framework.current:
            cid = framework.competency_of[iid]
            answered[cid] = answered.get(cid, 0) + 1
    reflection = StoredReflection("", 0, fingerprint(""))
    reflected: set[int] = set()
    if assessment_id is not None:
        for cid, has_text, body, version in db.session.execute(
            _fill_in_reflections_statement(),
            {"assessment_id": assessment_id, "competency_id": entry.id},
        ):
            if has_text:
                reflected.add(cid)
            if cid == entry.id:
                reflection = StoredReflection(body, version, fingerprint(body))
    refs = {c.id: CompetencyRef(c.id, c.key, c.number, c.name) for c in framework.competencies}
    indicators = tuple(
        i for i in framework.texts(entry.id, language) if not i.is_retired or i.id in stored
    )
    return FillInPage(
        assessment=assessment,
        competency=refs[entry.id],
        indicators=indicators,
        stored=stored,
        reflection=reflection,
        previous_round=previous_round,
        previous=previous,
        progress=Progress(
            tuple(
                CompetencyProgress(refs[c.id], c.total, answered.get(c.id, 0), c.id in reflected)
                for c in framework.competencies
            )
        ),
        evidence=evidence_by_indicator(trainee_id, [i.id for i in indicators]),
        locked=locked(round_, assessment, today),
        reopening=reopening(assessment),
    )


# --- handed-in work ------------------------------------------------------------------------------


def handed_in_work(assessment: SelfAssessment) -> HandedInWork | None:
    """What was last handed in (plain data), or None when nothing was handed in yet."""
    last = latest_submission(assessment.id)
    return read_submission(last) if last is not None else None
