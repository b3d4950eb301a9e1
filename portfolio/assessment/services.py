"""Self-assessment work: rounds, saving ratings and reflections without lost updates,
progress, submitting and reopening.

Services take explicit arguments, flush, and leave the commit to the caller.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from portfolio.accounts.models import User
from portfolio.assessment import submissions
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    SelfAssessment,
    Submission,
)
from portfolio.audit import Action, record
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, FrameworkVersion, Indicator
from portfolio.competencies.texts import localized
from portfolio.evidence.queries import evidence_by_indicator  # noqa: F401  (used by views)
from portfolio.extensions import db
from portfolio.framework import Framework, framework_hash

NOTE_LIMIT = 1000
REASON_LIMIT = 1000
REFLECTION_LIMIT = 20000
NOT_JUDGEABLE = "nj"


def reflection_template(language: str) -> str:
    """The framework's reflection template (STARR) in the current language, Markdown."""
    return localized(current_framework().reflection_template.text, language) + "\n"


# --- rounds --------------------------------------------------------------------------------


def current_framework_version(framework: Framework) -> FrameworkVersion | None:
    """The stored version of the framework the application serves, if it has been loaded."""
    return db.session.scalar(
        select(FrameworkVersion).where(FrameworkVersion.content_hash == framework_hash(framework))
    )


@dataclass
class RoundProblem:
    """Why a round cannot be planned or changed like this, and at which field.

    ``confirmable`` problems (the round falls outside the cohort's dates) are allowed once
    the trainer confirms; the others are refused.
    """

    field: str
    message: str
    confirmable: bool = False


class RoundRefused(Exception):
    """The round breaks a planning rule; ``problems`` say which and why."""

    def __init__(self, problems: list[RoundProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems

    @property
    def needs_confirmation_only(self) -> bool:
        """Every problem goes away when the trainer confirms."""
        return all(p.confirmable for p in self.problems)


def _day(value: date) -> str:
    from portfolio.templating import date_text

    return date_text(value)


def round_problems(
    cohort: Cohort,
    opens_on: date,
    closes_on: date,
    *,
    today: date,
    existing: Round | None = None,
    confirmed: bool = False,
) -> list[RoundProblem]:
    """The planning rules for a round of ``cohort`` from ``opens_on`` to ``closes_on``.

    - it cannot close before it opens;
    - a new round cannot lie entirely in the past, and no round can be moved into the
      past (closing early is "close now");
    - a round that trainees have started cannot open later than today;
    - it may not overlap another round of the cohort that is not closed early: trainees
      would have two rounds "to do now";
    - outside the cohort's dates only when ``confirmed``.
    """
    problems: list[RoundProblem] = []
    if closes_on < opens_on:
        problems.append(
            RoundProblem(
                "closes_on", str(_l("The closing day must be on or after the opening day."))
            )
        )
        return problems
    moved = existing is None or (opens_on, closes_on) != (existing.opens_on, existing.closes_on)
    if existing is not None and existing.closed_at is not None and moved:
        problems.append(
            RoundProblem(
                "closes_on",
                str(_l("This round was closed early, so its dates can no longer be changed.")),
            )
        )
        return problems
    if moved and closes_on < today:
        problems.append(
            RoundProblem(
                "closes_on",
                str(
                    _l(
                        "This closing day (%(day)s) is in the past, so trainees could never "
                        "fill the round in. Choose today or a later day. To end a round "
                        "early, use “Close now” in the list of rounds.",
                        day=_day(closes_on),
                    )
                ),
            )
        )
    if existing is not None and opens_on > today and has_answers(existing):
        problems.append(
            RoundProblem(
                "opens_on",
                str(
                    _l(
                        "Trainees have already started this round, so it cannot open later "
                        "than today."
                    )
                ),
            )
        )
    others = db.session.scalars(
        select(Round).where(
            Round.cohort_id == cohort.id,
            Round.closed_at.is_(None),
            Round.opens_on <= closes_on,
            Round.closes_on >= opens_on,
            *([Round.id != existing.id] if existing is not None and existing.id else []),
        )
    ).all()
    for other in others:
        problems.append(
            RoundProblem(
                "opens_on",
                str(
                    _l(
                        "These dates overlap with the round “%(title)s” (%(start)s – %(end)s). "
                        "Trainees would then have two rounds to do at the same time: let "
                        "this round open after that one closes, or change that round first.",
                        title=other.title,
                        start=_day(other.opens_on),
                        end=_day(other.closes_on),
                    )
                ),
            )
        )
    starts, ends = cohort.starts_on, cohort.ends_on
    outside = (starts is not None and opens_on < starts) or (ends is not None and closes_on > ends)
    if outside and not confirmed:
        problems.append(
            RoundProblem(
                "confirm_outside",
                str(
                    _l(
                        "The cohort runs from %(start)s to %(end)s; this round falls partly "
                        "outside those dates. Check the dates, or tick the box below to plan "
                        "it like this anyway.",
                        start=_day(starts) if starts else "…",
                        end=_day(ends) if ends else "…",
                    )
                ),
                confirmable=True,
            )
        )
    return problems


def create_round(
    actor: User,
    cohort: Cohort,
    *,
    title: str,
    opens_on: date,
    closes_on: date,
    version: FrameworkVersion,
    today: date,
    confirmed: bool = False,
) -> Round:
    """Plan an assessment moment for ``cohort``; raises :class:`RoundRefused`."""
    problems = round_problems(cohort, opens_on, closes_on, today=today, confirmed=confirmed)
    if problems:
        raise RoundRefused(problems)
    round_ = Round(
        cohort=cohort,
        title=title.strip(),
        opens_on=opens_on,
        closes_on=closes_on,
        framework_version=version,
    )
    db.session.add(round_)
    db.session.flush()
    record(Action.ROUND_CREATED, actor=actor, target=round_, cohort=cohort.name, title=round_.title)
    return round_


def update_round(
    actor: User,
    round_: Round,
    *,
    title: str,
    opens_on: date,
    closes_on: date,
    today: date,
    confirmed: bool = False,
) -> dict[str, str]:
    """Change a round's name or dates under the planning rules; returns what changed."""
    problems = round_problems(
        round_.cohort, opens_on, closes_on, today=today, existing=round_, confirmed=confirmed
    )
    if problems:
        raise RoundRefused(problems)
    new = {"title": title.strip(), "opens_on": opens_on, "closes_on": closes_on}
    changes = {name: str(value) for name, value in new.items() if getattr(round_, name) != value}
    for name, value in new.items():
        setattr(round_, name, value)
    record(Action.ROUND_CHANGED, actor=actor, target=round_, **changes)
    db.session.flush()
    return changes


def has_answers(round_: Round) -> bool:
    """Someone has started this round (saved an answer or a reflection, or handed in)."""
    return round_.id in started_round_ids([round_.id])


def started_round_ids(round_ids: list[int]) -> set[int]:
    """Which of these rounds trainees have started (one query)."""
    if not round_ids:
        return set()
    rated = select(Rating.id).where(Rating.self_assessment_id == SelfAssessment.id).exists()
    reflected = (
        select(Reflection.id).where(Reflection.self_assessment_id == SelfAssessment.id).exists()
    )
    return set(
        db.session.scalars(
            select(SelfAssessment.round_id)
            .where(
                SelfAssessment.round_id.in_(round_ids),
                or_(rated, reflected, SelfAssessment.status == AssessmentStatus.SUBMITTED),
            )
            .distinct()
        )
    )


class RoundStarted(Exception):
    """A round with answers cannot be deleted (close it instead)."""


def delete_round(actor: User, round_: Round) -> None:
    """Delete a round nobody has started; raises :class:`RoundStarted` otherwise."""
    if has_answers(round_):
        raise RoundStarted()
    record(
        Action.ROUND_DELETED,
        actor=actor,
        target=round_.cohort,
        title=round_.title,
        opens_on=str(round_.opens_on),
        closes_on=str(round_.closes_on),
    )
    # Empty self-assessments (opened, nothing saved) go with it.
    for assessment in db.session.scalars(
        select(SelfAssessment).where(SelfAssessment.round_id == round_.id)
    ):
        db.session.delete(assessment)
    db.session.delete(round_)
    db.session.flush()


def close_round(actor: User, round_: Round, *, today: date) -> None:
    """Close a round now: trainees can no longer change it; what they saved is kept."""
    round_.closed_at = utcnow()
    if round_.closes_on > today:
        round_.closes_on = max(today, round_.opens_on)
    record(Action.ROUND_CLOSED, actor=actor, target=round_, closes_on=str(round_.closes_on))
    db.session.flush()


def cohort_rounds(cohort_id: int) -> list[Round]:
    """A cohort's rounds in date order."""
    return list(
        db.session.scalars(
            select(Round).where(Round.cohort_id == cohort_id).order_by(Round.opens_on, Round.id)
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


def find_assessment(round_id: int, trainee_id: int) -> SelfAssessment | None:
    """The self-assessment of a trainee in a round, if it exists."""
    return db.session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.round_id == round_id, SelfAssessment.trainee_id == trainee_id
        )
    )


def insert_ignoring_duplicates(model: Any, **values: Any) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted.

    Both SQLite and PostgreSQL support it, and unlike catching IntegrityError it needs no
    savepoint, so the surrounding transaction stays usable.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing()
    outcome = db.session.execute(statement)
    return bool(outcome.rowcount)  # type: ignore[attr-defined]


# --- reading --------------------------------------------------------------------------------


def ratings_for(assessment_id: int) -> dict[int, Rating]:
    """Ratings of a self-assessment by indicator id."""
    return {
        r.indicator_id: r
        for r in db.session.scalars(
            select(Rating).where(Rating.self_assessment_id == assessment_id)
        )
    }


def reflections_for(assessment_id: int) -> dict[int, Reflection]:
    """Reflections of a self-assessment by competency id."""
    return {
        r.competency_id: r
        for r in db.session.scalars(
            select(Reflection).where(Reflection.self_assessment_id == assessment_id)
        )
    }


def previous_ratings(current: Round, trainee_id: int) -> tuple[Round | None, dict[int, Rating]]:
    """The trainee's ratings in the latest earlier round of the same cohort they worked on."""
    earlier = db.session.scalar(
        select(SelfAssessment)
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
        .options(selectinload(SelfAssessment.round))
        .limit(1)
    )
    if earlier is None:
        return None, {}
    return earlier.round, ratings_for(earlier.id)


def competency_indicators(
    competency_key: str, assessment_id: int | None
) -> tuple[Competency | None, list[Indicator]]:
    """A competency's current indicators, plus retired ones this self-assessment rated."""
    competency = db.session.scalar(select(Competency).where(Competency.key == competency_key))
    if competency is None:
        return None, []
    rated = select(Rating.indicator_id).where(Rating.self_assessment_id == assessment_id)
    indicators = db.session.scalars(
        select(Indicator)
        .where(
            Indicator.competency_id == competency.id,
            or_(Indicator.retired_at.is_(None), Indicator.id.in_(rated)),
        )
        .options(selectinload(Indicator.element))
        .order_by(Indicator.position)
    ).all()
    return competency, list(indicators)


@dataclass
class CompetencyProgress:
    """How far a self-assessment is on one competency."""

    competency: Competency
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


@dataclass
class Progress:
    """How far a self-assessment is, per competency and overall."""

    competencies: list[CompetencyProgress]

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


def progress(assessment_id: int | None) -> Progress:
    """Completion per competency, counted in SQL (current indicators only)."""
    answered = (
        select(func.count(Rating.id))
        .where(
            Rating.self_assessment_id == assessment_id,
            Rating.indicator_id == Indicator.id,
            or_(Rating.level.is_not(None), Rating.not_judgeable.is_(True)),
        )
        .correlate(Indicator)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Indicator.competency_id, func.count(Indicator.id), func.sum(answered))
        .where(Indicator.retired_at.is_(None))
        .group_by(Indicator.competency_id)
    ).all()
    counts = {cid: (total, int(done or 0)) for cid, total, done in rows}
    reflected = set(
        db.session.scalars(
            select(Reflection.competency_id).where(
                Reflection.self_assessment_id == assessment_id, func.length(Reflection.body) > 0
            )
        )
    )
    competencies = db.session.scalars(
        select(Competency).where(Competency.retired_at.is_(None)).order_by(Competency.number)
    ).all()
    return Progress(
        [
            CompetencyProgress(c, *counts.get(c.id, (0, 0)), has_reflection=c.id in reflected)
            for c in competencies
        ]
    )


def _answered_per_assessment() -> Any:
    """Correlated subquery: a self-assessment's answers on current indicators."""
    return (
        select(func.count(Rating.id))
        .join(Indicator, Indicator.id == Rating.indicator_id)
        .where(
            Rating.self_assessment_id == SelfAssessment.id,
            Indicator.retired_at.is_(None),
            or_(Rating.level.is_not(None), Rating.not_judgeable.is_(True)),
        )
        .correlate(SelfAssessment)
        .scalar_subquery()
    )


@dataclass
class TraineeRow:
    """One line of a round's progress table for trainers."""

    trainee: User
    assessment: SelfAssessment | None
    answered: int
    handed_in: bool = False


def round_progress(round_: Round) -> list[TraineeRow]:
    """Every trainee of the round's cohort with their status and number of answers (3 queries).

    Reopened work counts what was last handed in: trainers do not follow the rework live.
    """
    answered = case(
        (SelfAssessment.status == AssessmentStatus.REOPENED, _latest_submission_answered()),
        else_=_answered_per_assessment(),
    )
    assessments = {
        sa.trainee_id: (sa, count, done)
        for sa, count, done in db.session.execute(
            select(SelfAssessment, answered, _has_submission()).where(
                SelfAssessment.round_id == round_.id
            )
        )
    }
    trainees = db.session.scalars(
        select(User)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .where(
            CohortMembership.cohort_id == round_.cohort_id,
            CohortMembership.role == CohortRole.TRAINEE,
        )
        .order_by(User.name)
    ).all()
    rows = []
    for trainee in trainees:
        sa, count, done = assessments.get(trainee.id, (None, 0, False))
        rows.append(TraineeRow(trainee, sa, int(count or 0), bool(done)))
    return rows


def total_items() -> int:
    """Current ratable items."""
    return (
        db.session.scalar(select(func.count(Indicator.id)).where(Indicator.retired_at.is_(None)))
        or 0
    )


# --- saving --------------------------------------------------------------------------------


def fingerprint(*values: object) -> str:
    """A short digest of what a tab showed, so the server can tell what the tab changed."""
    joined = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def rating_fingerprint(rating: Rating | None) -> str:
    """Digest of a stored rating (or of 'nothing yet')."""
    if rating is None:
        return fingerprint("", "", "")
    return fingerprint(rating_choice(rating), rating.note, rating.change_reason)


def rating_choice(rating: Rating | None) -> str:
    """The radio value for a stored rating: a level, 'nj', or ''."""
    if rating is None:
        return ""
    if rating.not_judgeable:
        return NOT_JUDGEABLE
    return "" if rating.level is None else str(rating.level)


def reflection_fingerprint(reflection: Reflection | None) -> str:
    """Digest of a stored reflection."""
    return fingerprint(reflection.body if reflection else "")


@dataclass
class RatingInput:
    """What a tab sent for one indicator."""

    choice: str
    note: str
    reason: str
    base_version: int
    base_fingerprint: str

    @property
    def fingerprint(self) -> str:
        """Digest of what the tab now holds."""
        return fingerprint(self.choice, self.note, self.reason)


@dataclass
class Conflict:
    """A field that was changed elsewhere since this tab loaded it."""

    field: str
    indicator: Indicator | None
    theirs: str
    yours: str


@dataclass
class SaveResult:
    """What a save did."""

    saved: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    versions: dict[str, tuple[int, str]] = field(default_factory=dict)


#: What the fill-in page's buttons send as ``action``.
ACTIONS = ("save", "next", "starr", "preview")
_VERSION = re.compile(r"[0-9]{1,9}")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


@dataclass
class ReflectionInput:
    """What a tab sent for the competency's reflection."""

    text: str
    base_version: int
    base_fingerprint: str


@dataclass
class FillInInput:
    """Everything the fill-in form sent, parsed.

    ``errors`` are the person's own mistakes, per field (shown at the field; the other
    fields are saved). ``tampered`` names the hidden fields the page writes itself that came
    back with a value it never writes: then nothing is saved and the page says so.
    """

    ratings: dict[int, RatingInput]
    reflection: ReflectionInput | None
    action: str
    wants_json: bool
    errors: dict[str, str] = field(default_factory=dict)
    tampered: list[str] = field(default_factory=list)


def _version(form: Mapping[str, str], name: str, tampered: list[str]) -> int:
    value = form.get(name, "0")
    if not _VERSION.fullmatch(value):
        tampered.append(name)
        return 0
    return int(value)


def _fingerprint(form: Mapping[str, str], name: str, tampered: list[str]) -> str:
    value = form.get(name, "")
    if value and not _FINGERPRINT.fullmatch(value):
        tampered.append(name)
        return ""
    return value


def parse_fill_in_form(
    form: Mapping[str, str],
    indicators: list[Indicator],
    levels: list[int],
    refused: Mapping[str, str] | None = None,
) -> FillInInput:
    """Read the fill-in form of one competency: ratings, reflection, and the hidden fields.

    ``refused`` names the fields whose text had to be cleaned of control characters
    (:func:`portfolio.inputs.refused_fields`): each is refused with the error ``control``.
    """
    refused = refused or {}
    tampered: list[str] = []
    ratings, errors = parse_rating_form(form, indicators, levels, refused, tampered)
    reflection = None
    if "reflection-v" in form:
        text = form.get("reflection", "").replace("\r\n", "\n")
        reflection = ReflectionInput(
            text,
            _version(form, "reflection-v", tampered),
            _fingerprint(form, "reflection-h", tampered),
        )
        if "reflection" in refused:
            errors["reflection"] = "control"
        elif len(text) > REFLECTION_LIMIT:
            errors["reflection"] = "reflection"
    action = form.get("action", "save") or "save"
    if action not in ACTIONS:
        tampered.append("action")
        action = "save"
    response_format = form.get("_format", "")
    if response_format not in ("", "json"):
        tampered.append("_format")
    tampered.extend(name for name in ("action", "_format") if name in refused)
    return FillInInput(
        ratings,
        reflection,
        action,
        response_format == "json",
        errors,
        sorted(set(tampered)),
    )


def parse_rating_form(
    form: Mapping[str, str],
    indicators: list[Indicator],
    levels: list[int],
    refused: Mapping[str, str] | None = None,
    tampered: list[str] | None = None,
) -> tuple[dict[int, RatingInput], dict[str, str]]:
    """Read the rating fields of a competency form; returns inputs and per-field errors.

    Hidden fields with a value the page never writes are added to ``tampered``.
    """
    refused = refused or {}
    tampered = tampered if tampered is not None else []
    allowed = {"", NOT_JUDGEABLE, *(str(v) for v in levels)}
    inputs: dict[int, RatingInput] = {}
    errors: dict[str, str] = {}
    for indicator in indicators:
        prefix = f"r-{indicator.id}"
        if f"{prefix}-v" not in form:
            continue  # not on this form (retired, or a partial autosave)
        choice = form.get(f"{prefix}-level", "").strip()
        note = form.get(f"{prefix}-note", "").strip()
        reason = form.get(f"{prefix}-reason", "").strip()
        base = _version(form, f"{prefix}-v", tampered)
        base_fp = _fingerprint(form, f"{prefix}-h", tampered)
        if choice not in allowed:
            errors[f"{prefix}-level"] = "level"
        for part, text, limit in (("note", note, NOTE_LIMIT), ("reason", reason, REASON_LIMIT)):
            if f"{prefix}-{part}" in refused:
                errors[f"{prefix}-{part}"] = "control"
            elif len(text) > limit:
                errors[f"{prefix}-{part}"] = part
        inputs[indicator.id] = RatingInput(choice, note, reason, base, base_fp)
    return inputs, errors


def save_ratings(
    assessment: SelfAssessment,
    inputs: dict[int, RatingInput],
    indicators: dict[int, Indicator],
    skip: set[int],
) -> SaveResult:
    """Save what the tab changed; a field changed elsewhere since the tab loaded it is a conflict.

    An update only succeeds when the stored version is still the one the tab started from
    (``UPDATE … WHERE version = base``), so two saves racing each other cannot both win.
    """
    result = SaveResult()
    stored = ratings_for(assessment.id)
    for indicator_id, data in inputs.items():
        name = f"r-{indicator_id}"
        if indicator_id in skip or indicators[indicator_id].is_retired:
            continue
        current = stored.get(indicator_id)
        if data.fingerprint == data.base_fingerprint:
            continue  # this tab did not touch the field
        if current is not None and rating_fingerprint(current) == data.fingerprint:
            result.versions[name] = (current.version, data.fingerprint)
            continue  # already saved with the same content (another tab, or a retry)
        current_version = current.version if current is not None else 0
        if current_version != data.base_version:
            result.conflicts.append(_rating_conflict(name, indicators[indicator_id], current, data))
            continue
        if not _write_rating(assessment, indicator_id, current, data):
            db.session.expire_all()
            fresh = ratings_for(assessment.id).get(indicator_id)
            result.conflicts.append(_rating_conflict(name, indicators[indicator_id], fresh, data))
            continue
        result.saved.append(name)
        result.versions[name] = (current_version + 1, data.fingerprint)
    if result.saved:
        assessment.updated_at = utcnow()
    db.session.flush()
    return result


def _write_rating(
    assessment: SelfAssessment, indicator_id: int, current: Rating | None, data: RatingInput
) -> bool:
    """Insert or conditionally update one rating; False when another save got there first."""
    values = {
        "level": int(data.choice) if data.choice.isdigit() else None,
        "not_judgeable": data.choice == NOT_JUDGEABLE,
        "note": data.note,
        "change_reason": data.reason,
        "updated_at": utcnow(),
    }
    if current is None:
        return insert_ignoring_duplicates(
            Rating,
            self_assessment_id=assessment.id,
            indicator_id=indicator_id,
            version=1,
            **values,
        )
    outcome = db.session.execute(
        update(Rating)
        .where(Rating.id == current.id, Rating.version == data.base_version)
        .values(version=Rating.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if outcome.rowcount != 1:  # type: ignore[attr-defined]
        return False
    db.session.expire(current)
    return True


def _rating_conflict(
    name: str, indicator: Indicator, current: Rating | None, data: RatingInput
) -> Conflict:
    return Conflict(
        field=name,
        indicator=indicator,
        theirs=rating_choice(current),
        yours=data.choice,
    )


def save_reflection(
    assessment: SelfAssessment,
    competency: Competency,
    body: str,
    base_version: int,
    base_fingerprint: str,
) -> SaveResult:
    """Save a reflection with the same version check as ratings."""
    result = SaveResult()
    name = "reflection"
    if len(body) > REFLECTION_LIMIT:
        result.errors[name] = "reflection"
        return result
    current = reflections_for(assessment.id).get(competency.id)
    mine = fingerprint(body)
    if mine == base_fingerprint:
        return result
    if current is not None and reflection_fingerprint(current) == mine:
        result.versions[name] = (current.version, mine)
        return result
    current_version = current.version if current is not None else 0
    conflict = Conflict(name, None, current.body if current else "", body)
    if current_version != base_version:
        result.conflicts.append(conflict)
        return result
    if current is None:
        if not insert_ignoring_duplicates(
            Reflection,
            self_assessment_id=assessment.id,
            competency_id=competency.id,
            body=body,
            version=1,
            updated_at=utcnow(),
        ):
            db.session.expire_all()
            fresh = reflections_for(assessment.id).get(competency.id)
            conflict.theirs = fresh.body if fresh else ""
            result.conflicts.append(conflict)
            return result
    else:
        outcome = db.session.execute(
            update(Reflection)
            .where(Reflection.id == current.id, Reflection.version == base_version)
            .values(version=Reflection.version + 1, body=body, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if outcome.rowcount != 1:  # type: ignore[attr-defined]
            db.session.expire_all()
            fresh = reflections_for(assessment.id).get(competency.id)
            conflict.theirs = fresh.body if fresh else ""
            result.conflicts.append(conflict)
            return result
        db.session.expire(current)
    result.saved.append(name)
    result.versions[name] = (current_version + 1, mine)
    assessment.updated_at = utcnow()
    db.session.flush()
    return result


# --- submitting -------------------------------------------------------------------------------


def submit(assessment: SelfAssessment, actor: User, store: Any = None) -> Submission:
    """Hand in: store what is handed in (a frozen submission) and make the work read-only.

    ``store`` is the evidence file store, used to take the SHA-256 of older files.
    """
    submission = submissions.record_submission(assessment, actor, store)
    assessment.status = AssessmentStatus.SUBMITTED
    record(
        Action.SELF_ASSESSMENT_SUBMITTED,
        actor=actor,
        target=assessment,
        round=assessment.round.title,
        number=submission.number,
        sha256=submission.sha256,
        evidence=len(submission.evidence),
    )
    db.session.flush()
    return submission


def reopen(assessment: SelfAssessment, actor: User, reason: str) -> None:
    """A trainer gives the self-assessment back to the trainee for changes, saying why.

    Others keep seeing the last submission until it is handed in again.
    """
    reason = reason.strip()
    if not reason:
        raise ValueError("a reason is required to reopen a self-assessment")
    assessment.status = AssessmentStatus.REOPENED
    assessment.reopened_at = utcnow()
    assessment.reopened_by_id = actor.id
    assessment.reopen_reason = reason
    record(
        Action.SELF_ASSESSMENT_REOPENED,
        actor=actor,
        target=assessment,
        trainee=assessment.trainee.email,
        round=assessment.round.title,
        reason=reason,
    )
    db.session.flush()


class TraineeRound(NamedTuple):
    """One round on a trainee's overview."""

    round: Round
    assessment: SelfAssessment | None
    #: Answers so far (the trainee's own view) or in the last hand-in (everyone else's).
    answered: int
    #: A submission exists: others may open what was handed in.
    handed_in: bool


def _latest_submission_answered() -> Any:
    return (
        select(Submission.answered)
        .where(Submission.self_assessment_id == SelfAssessment.id)
        .order_by(Submission.number.desc())
        .limit(1)
        .correlate(SelfAssessment)
        .scalar_subquery()
    )


def _has_submission() -> Any:
    return (
        exists().where(Submission.self_assessment_id == SelfAssessment.id).correlate(SelfAssessment)
    )


def trainee_rounds(trainee_id: int, cohort_ids: Any = None) -> list[TraineeRound]:
    """Every round of the trainee's cohorts with their self-assessment and answer count.

    With ``cohort_ids`` (a select from :func:`portfolio.policy.visible_cohort_ids`) only the
    rounds of those cohorts are listed, and the counts are those of the last hand-in, so
    another viewer never sees the live draft.
    """
    answered = _answered_per_assessment() if cohort_ids is None else _latest_submission_answered()
    query = (
        select(
            Round,
            SelfAssessment,
            case((SelfAssessment.id.is_(None), 0), else_=answered),
            case((SelfAssessment.id.is_(None), False), else_=_has_submission()),
        )
        .join(CohortMembership, CohortMembership.cohort_id == Round.cohort_id)
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == Round.id, SelfAssessment.trainee_id == trainee_id),
        )
        .where(CohortMembership.user_id == trainee_id, CohortMembership.role == CohortRole.TRAINEE)
        .options(selectinload(Round.cohort), selectinload(SelfAssessment.reopened_by))
        .order_by(Round.opens_on.desc(), Round.id.desc())
    )
    if cohort_ids is not None:
        query = query.where(Round.cohort_id.in_(cohort_ids))
    rows = db.session.execute(query).all()
    return [TraineeRound(r, sa, int(n or 0), bool(done)) for r, sa, n, done in rows]
