"""Planning a cohort's assessment rounds: the planning rules, creating, changing, deleting
and closing rounds.

Services take the actor explicitly, check the rules, write the audit event and flush; the
caller commits. Refusals are exceptions (:class:`RoundRefused`, :class:`RoundStarted`,
:class:`RoundAlreadyClosed`) that the page turns into messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import (
    AssessmentStatus,
    Rating,
    Reflection,
    Round,
    RoundState,
    SelfAssessment,
)
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort
from portfolio.competencies.models import FrameworkVersion
from portfolio.extensions import db
from portfolio.framework import Framework, framework_hash


def current_framework_version(framework: Framework) -> FrameworkVersion | None:
    """The stored version of the framework the application serves, if it has been loaded."""
    return db.session.scalar(
        select(FrameworkVersion).where(FrameworkVersion.content_hash == framework_hash(framework))
    )


@dataclass(frozen=True)
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
    from portfolio.dates import date_text

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
    new: dict[str, object] = {"title": title.strip(), "opens_on": opens_on, "closes_on": closes_on}
    changes = {name: str(value) for name, value in new.items() if getattr(round_, name) != value}
    round_.title, round_.opens_on, round_.closes_on = title.strip(), opens_on, closes_on
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


class RoundAlreadyClosed(Exception):
    """The round is closed already: there is nothing to close."""


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
    """Close a round now: trainees can no longer change it; what they saved is kept.

    Raises :class:`RoundAlreadyClosed` when it is closed already.
    """
    if round_.state(today) == RoundState.CLOSED:
        raise RoundAlreadyClosed()
    round_.closed_at = utcnow()
    if round_.closes_on > today:
        round_.closes_on = max(today, round_.opens_on)
    record(Action.ROUND_CLOSED, actor=actor, target=round_, closes_on=str(round_.closes_on))
    db.session.flush()
