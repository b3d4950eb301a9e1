"""The governance overview: the candidates of every organisation a member governs, as data.

One row per trainee of a cohort of those organisations: the rounds opened so far and handed
in, the latest handed-in round, the mean self-rating per competency of that self-assessment
(status "submitted": a reopened or draft one does not count) and how many feedback answers,
from how many rater groups, came in over the cohort's rounds so far. Only those two counts
are read of the feedback, from the requests' states: never a level, a text or who answered.

Statements, whatever the number of organisations, cohorts or trainees:

1. the organisations and cohorts to filter by, with the catalogue's stamp
   (:func:`overview_options`);
2. one page of rows, filtered and sorted in SQL, with the total from a window function
   (:func:`overview_rows`; a page past the end costs a second statement);
3. per cohort, the mean per competency of its latest handed-in round (:func:`cohort_summary`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Float, Select, and_, case, cast, distinct, func, or_, select
from sqlalchemy.sql.elements import Label

from portfolio.accounts.models import User
from portfolio.assessment.models import AssessmentStatus, HandInScore, Round, SelfAssessment
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole, Organisation
from portfolio.competencies.catalogue import Catalogue, catalogue, stamp_columns
from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest, RequestStatus
from portfolio.paging import PER_PAGE, Page, read_page

#: The sort keys besides the competencies (whose keys are their framework keys).
SORT_KEYS = ("name", "organisation", "cohort", "handed_in", "feedback")
#: The status filter: handed in the latest round opened so far, or not (yet).
UP_TO_DATE = "handed_in"
BEHIND = "behind"
STATUSES = (UP_TO_DATE, BEHIND)
#: A name search longer than this is cut (no name is anywhere near as long).
MAX_SEARCH = 100


# --- what the page asks for ------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the overview shows: filters, order and page, all from the query string."""

    organisation_id: int | None = None
    cohort_id: int | None = None
    status: str | None = None
    q: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1

    @property
    def active(self) -> bool:
        """Some filter narrows the list."""
        return bool(self.organisation_id or self.cohort_id or self.status or self.q)

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query arguments of this view with ``changes`` (defaults left out)."""
        values: dict[str, Any] = {
            "organisation": self.organisation_id,
            "cohort": self.cohort_id,
            "status": self.status,
            "q": self.q or None,
            "sort": None if self.sort == "name" else self.sort,
            "dir": "desc" if self.descending else None,
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value is not None}


def _positive(value: str | None) -> int | None:
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or int(text) < 1:
        return None
    return int(text)


def read_filters(
    args: Mapping[str, str], options: Options, competency_keys: Sequence[str], page: int
) -> Filters:
    """The filters in ``args``; anything unknown (a made-up sort key, a cohort of another
    organisation, a number that is not one) falls back to showing everything by name."""
    organisation_id = _positive(args.get("organisation"))
    if organisation_id not in {o.id for o in options.organisations}:
        organisation_id = None
    cohort_id = _positive(args.get("cohort"))
    cohort = next((c for c in options.cohorts if c.id == cohort_id), None)
    if cohort is None or (organisation_id and cohort.organisation_id != organisation_id):
        cohort_id = None
    status = args.get("status")
    sort = args.get("sort") or "name"
    return Filters(
        organisation_id=organisation_id,
        cohort_id=cohort_id,
        status=status if status in STATUSES else None,
        q=(args.get("q") or "").strip()[:MAX_SEARCH],
        sort=sort if sort in SORT_KEYS or sort in competency_keys else "name",
        descending=args.get("dir") == "desc",
        page=page,
    )


# --- the choices to filter by ------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationChoice:
    """An organisation the member governs."""

    id: int
    name: str


@dataclass(frozen=True)
class CohortChoice:
    """A cohort of one of those organisations."""

    id: int
    name: str
    organisation_id: int
    organisation_name: str


@dataclass(frozen=True)
class Options:
    """What the filters offer, and the framework copy the columns come from."""

    organisations: tuple[OrganisationChoice, ...]
    cohorts: tuple[CohortChoice, ...]
    framework: Catalogue


def overview_options(organisation_ids: Select[Any]) -> Options:
    """The organisations in ``organisation_ids`` and their cohorts, by name (one statement;
    two when there is no organisation, for the catalogue's stamp)."""
    stamp_id, stamp_at = stamp_columns()
    rows = db.session.execute(
        select(Organisation.id, Organisation.name, Cohort.id, Cohort.name, stamp_id, stamp_at)
        .outerjoin(Cohort, Cohort.organisation_id == Organisation.id)
        .where(Organisation.id.in_(organisation_ids))
        .order_by(
            func.lower(Organisation.name), Organisation.id, func.lower(Cohort.name), Cohort.id
        )
    ).all()
    if rows:
        stamp = (rows[0][4], rows[0][5])
    else:
        found = db.session.execute(select(stamp_id, stamp_at)).one()
        stamp = (found[0], found[1])
    organisations: dict[int, OrganisationChoice] = {}
    cohorts = []
    for org_id, org_name, cohort_id, cohort_name, _s, _a in rows:
        organisations.setdefault(org_id, OrganisationChoice(org_id, org_name))
        if cohort_id is not None:
            cohorts.append(CohortChoice(cohort_id, cohort_name, org_id, org_name))
    return Options(tuple(organisations.values()), tuple(cohorts), catalogue(stamp))


# --- the rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewRow:
    """One trainee in one cohort."""

    user_id: int
    name: str
    organisation_name: str
    cohort_name: str
    #: Rounds of the cohort opened so far, and how many of them the trainee handed in.
    opened: int
    handed_in: int
    #: The latest handed-in round (None before the first hand-in).
    latest_title: str | None
    #: Handed in the latest round opened so far (None while no round has opened).
    up_to_date: bool | None
    #: Per competency, in framework order: the mean self-rating of that latest hand-in.
    means: tuple[float | None, ...]
    #: Feedback answers received in the cohort's rounds so far, and the rater groups they
    #: came from.
    answers: int
    groups: int


def _mean(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _cohort_scope(organisation_ids: Select[Any]) -> Select[Any]:
    return select(Cohort.id).where(Cohort.organisation_id.in_(organisation_ids))


def _competency_means(framework: Catalogue, assessment_ids: Select[Any]) -> Any:
    """Per self-assessment in ``assessment_ids``: the mean level per current competency
    (columns ``c0``, ``c1``, …, in framework order; "cannot judge" counts for none), from the
    scores stored at hand-in (five rows per hand-in, not every rating)."""

    def mean_of(competency_id: int) -> ColumnElement[Any]:
        mine = HandInScore.competency_id == competency_id
        total = func.sum(case((mine, HandInScore.total)))
        rated = func.sum(case((mine, HandInScore.rated)))
        return cast(total, Float) / func.nullif(rated, 0)

    columns = [
        mean_of(competency.id).label(f"c{n}") for n, competency in enumerate(framework.competencies)
    ]
    return (
        select(HandInScore.self_assessment_id.label("assessment_id"), *columns)
        .where(HandInScore.self_assessment_id.in_(assessment_ids))
        .group_by(HandInScore.self_assessment_id)
        .subquery("means")
    )


def _rows_statement(
    organisation_ids: Select[Any], framework: Catalogue, filters: Filters, today: date
) -> Select[Any]:
    cohorts = _cohort_scope(organisation_ids)
    # The rounds opened so far per cohort: how many, and the latest.
    opened = (
        select(
            Round.cohort_id.label("cohort_id"),
            Round.id.label("round_id"),
            func.count().over(partition_by=Round.cohort_id).label("opened"),
            func.row_number()
            .over(partition_by=Round.cohort_id, order_by=(Round.opens_on.desc(), Round.id.desc()))
            .label("place"),
        )
        .where(Round.opens_on <= today, Round.cohort_id.in_(cohorts))
        .subquery("opened")
    )
    latest_opened = (
        select(opened.c.cohort_id, opened.c.round_id, opened.c.opened)
        .where(opened.c.place == 1)
        .subquery("latest_opened")
    )
    # The handed-in self-assessments per trainee and cohort: how many, and the latest.
    per_trainee = (SelfAssessment.trainee_id, Round.cohort_id)
    handed = (
        select(
            SelfAssessment.id.label("assessment_id"),
            SelfAssessment.trainee_id.label("trainee_id"),
            Round.cohort_id.label("cohort_id"),
            Round.id.label("round_id"),
            Round.title.label("title"),
            func.count().over(partition_by=per_trainee).label("handed"),
            func.row_number()
            .over(partition_by=per_trainee, order_by=(Round.opens_on.desc(), Round.id.desc()))
            .label("place"),
        )
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            Round.opens_on <= today,
            Round.cohort_id.in_(cohorts),
        )
        .subquery("handed")
    )
    latest = (
        select(
            handed.c.assessment_id,
            handed.c.trainee_id,
            handed.c.cohort_id,
            handed.c.round_id,
            handed.c.title,
            handed.c.handed,
        )
        .where(handed.c.place == 1)
        .subquery("latest")
    )
    means = _competency_means(framework, select(latest.c.assessment_id))
    # Counts only, from the requests' states: how many answered, from how many groups, in
    # the cohort's rounds opened so far.
    answered = (
        select(
            Round.cohort_id.label("cohort_id"),
            FeedbackRequest.trainee_id.label("trainee_id"),
            func.count().label("answers"),
            func.count(distinct(FeedbackRequest.rater_group)).label("groups"),
        )
        .join(Round, Round.id == FeedbackRequest.round_id)
        .where(
            FeedbackRequest.status == RequestStatus.ANSWERED,
            Round.opens_on <= today,
            Round.cohort_id.in_(cohorts),
        )
        .group_by(Round.cohort_id, FeedbackRequest.trainee_id)
        .subquery("answered")
    )
    up_to_date = and_(
        latest_opened.c.round_id.is_not(None), latest.c.round_id == latest_opened.c.round_id
    )
    behind = and_(
        latest_opened.c.round_id.is_not(None),
        or_(latest.c.round_id.is_(None), latest.c.round_id != latest_opened.c.round_id),
    )
    opened_count = func.coalesce(latest_opened.c.opened, 0)
    handed_count = func.coalesce(latest.c.handed, 0)
    answers = func.coalesce(answered.c.answers, 0)
    mean_columns = [means.c[f"c{n}"] for n in range(len(framework.competencies))]
    query = (
        select(
            User.id,
            User.name,
            Organisation.name,
            Cohort.name,
            opened_count,
            handed_count,
            latest.c.title,
            latest_opened.c.round_id,
            latest.c.round_id,
            answers,
            func.coalesce(answered.c.groups, 0),
            *mean_columns,
        )
        .select_from(CohortMembership)
        .join(User, User.id == CohortMembership.user_id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(latest_opened, latest_opened.c.cohort_id == Cohort.id)
        .outerjoin(
            latest,
            and_(latest.c.trainee_id == User.id, latest.c.cohort_id == Cohort.id),
        )
        .outerjoin(means, means.c.assessment_id == latest.c.assessment_id)
        .outerjoin(
            answered,
            and_(answered.c.cohort_id == Cohort.id, answered.c.trainee_id == User.id),
        )
        .where(
            CohortMembership.role == CohortRole.TRAINEE,
            Cohort.organisation_id.in_(organisation_ids),
        )
    )
    if filters.organisation_id:
        query = query.where(Cohort.organisation_id == filters.organisation_id)
    if filters.cohort_id:
        query = query.where(Cohort.id == filters.cohort_id)
    if filters.status == UP_TO_DATE:
        query = query.where(up_to_date)
    elif filters.status == BEHIND:
        query = query.where(behind)
    if filters.q:
        query = query.where(func.lower(User.name).contains(filters.q.lower(), autoescape=True))
    keys = {competency.key: n for n, competency in enumerate(framework.competencies)}
    sort_columns: dict[str, ColumnElement[Any]] = {
        "name": func.lower(User.name),
        "organisation": func.lower(Organisation.name),
        "cohort": func.lower(Cohort.name),
        "handed_in": handed_count,
        "feedback": answers,
    }
    column = (
        mean_columns[keys[filters.sort]]
        if filters.sort in keys
        else sort_columns.get(filters.sort, sort_columns["name"])
    )
    # Nothing to show (no hand-in yet) comes last, whichever way round.
    empty_last = case((column.is_(None), 1), else_=0)
    return query.order_by(
        empty_last,
        column.desc() if filters.descending else column.asc(),
        func.lower(User.name),
        User.id,
        Cohort.id,
    )


def overview_rows(
    organisation_ids: Select[Any],
    framework: Catalogue,
    filters: Filters,
    today: date,
    *,
    per_page: int = PER_PAGE,
) -> Page[OverviewRow]:
    """One page of the trainees of the cohorts of ``organisation_ids``, filtered and sorted
    as ``filters`` says (one statement; two for a page past the end)."""
    width = len(framework.competencies)

    def make(row: Sequence[Any]) -> OverviewRow:
        user_id, name, org, cohort, opened, handed, title, last_open, last_handed = row[:9]
        answers, groups = row[9], row[10]
        return OverviewRow(
            user_id=user_id,
            name=name,
            organisation_name=org,
            cohort_name=cohort,
            opened=int(opened),
            handed_in=int(handed),
            latest_title=title,
            up_to_date=None if last_open is None else last_handed == last_open,
            means=tuple(_mean(v) for v in row[11 : 11 + width]),
            answers=int(answers),
            groups=int(groups),
        )

    found, _rows = read_page(
        _rows_statement(organisation_ids, framework, filters, today),
        filters.page,
        make,
        per_page=per_page,
    )
    return found


# --- the summary per cohort ---------------------------------------------------------------------


@dataclass(frozen=True)
class CohortSummary:
    """A cohort and the means of its latest handed-in round."""

    cohort_id: int
    cohort_name: str
    organisation_name: str
    trainees: int
    #: The latest round in which someone handed in (None before the first hand-in).
    round_title: str | None
    handed_in: int
    #: Per competency, in framework order: the mean of the trainees' means.
    means: tuple[float | None, ...]


def cohort_summary(
    organisation_ids: Select[Any], framework: Catalogue, filters: Filters, today: date
) -> tuple[CohortSummary, ...]:
    """Per cohort of ``organisation_ids`` (narrowed by the organisation and cohort filters):
    its trainees, and the mean per competency over the self-assessments handed in for its
    latest round with any hand-in (one statement)."""
    cohorts = _cohort_scope(organisation_ids)
    submitted = (
        select(SelfAssessment.id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .join(
            CohortMembership,
            CohortMembership.trainee_of(Round.cohort_id, SelfAssessment.trainee_id),
        )
        .where(
            SelfAssessment.status == AssessmentStatus.SUBMITTED,
            Round.opens_on <= today,
            Round.cohort_id.in_(cohorts),
        )
    )
    means = _competency_means(framework, submitted)
    width = len(framework.competencies)
    mean_columns: list[Label[Any]] = [
        func.avg(means.c[f"c{n}"]).label(f"c{n}") for n in range(width)
    ]
    per_round = (
        select(
            Round.cohort_id.label("cohort_id"),
            Round.title.label("title"),
            func.count(means.c.assessment_id).label("handed"),
            Round.opens_on.label("opens_on"),
            Round.id.label("round_id"),
            *mean_columns,
        )
        .join(SelfAssessment, SelfAssessment.round_id == Round.id)
        .join(means, means.c.assessment_id == SelfAssessment.id)
        .group_by(Round.cohort_id, Round.id, Round.title, Round.opens_on)
        .subquery("per_round")
    )
    ranked = select(
        *per_round.c,
        func.row_number()
        .over(
            partition_by=per_round.c.cohort_id,
            order_by=(per_round.c.opens_on.desc(), per_round.c.round_id.desc()),
        )
        .label("place"),
    ).subquery("ranked")
    latest = select(ranked).where(ranked.c.place == 1).subquery("latest_round")
    trainees = (
        select(CohortMembership.cohort_id, func.count().label("trainees"))
        .where(CohortMembership.role == CohortRole.TRAINEE)
        .group_by(CohortMembership.cohort_id)
        .subquery("trainees")
    )
    query = (
        select(
            Cohort.id,
            Cohort.name,
            Organisation.name,
            func.coalesce(trainees.c.trainees, 0),
            latest.c.title,
            func.coalesce(latest.c.handed, 0),
            *[latest.c[f"c{n}"] for n in range(width)],
        )
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .outerjoin(trainees, trainees.c.cohort_id == Cohort.id)
        .outerjoin(latest, latest.c.cohort_id == Cohort.id)
        .where(Cohort.organisation_id.in_(organisation_ids))
        .order_by(
            func.lower(Organisation.name), Organisation.id, func.lower(Cohort.name), Cohort.id
        )
    )
    if filters.organisation_id:
        query = query.where(Cohort.organisation_id == filters.organisation_id)
    if filters.cohort_id:
        query = query.where(Cohort.id == filters.cohort_id)
    return tuple(
        CohortSummary(
            cohort_id=row[0],
            cohort_name=row[1],
            organisation_name=row[2],
            trainees=int(row[3]),
            round_title=row[4],
            handed_in=int(row[5]),
            means=tuple(_mean(v) for v in row[6 : 6 + width]),
        )
        for row in db.session.execute(query).all()
    )


# --- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OverviewPage:
    """Everything the governance overview shows."""

    options: Options
    filters: Filters
    rows: Page[OverviewRow]
    summary: tuple[CohortSummary, ...]

    @property
    def framework(self) -> Catalogue:
        """The framework copy whose competencies are the columns."""
        return self.options.framework


def governance_overview(
    organisation_ids: Select[Any], args: Mapping[str, str], page: int, today: date
) -> OverviewPage:
    """The overview of the organisations in ``organisation_ids`` as ``args`` (the query
    string) filters and sorts it (three statements; four for a page past the end)."""
    options = overview_options(organisation_ids)
    keys = [competency.key for competency in options.framework.competencies]
    filters = read_filters(args, options, keys, page)
    rows = overview_rows(organisation_ids, options.framework, filters, today)
    summary = cohort_summary(organisation_ids, options.framework, filters, today)
    return OverviewPage(options, filters, rows, summary)
