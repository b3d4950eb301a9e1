"""The notifications that fall due by the calendar, for ``flask notifications send-due``.

Built in: a round opens (each trainee of its cohort, on the opening day, or on a later run
within :data:`OPENED_WITHIN` days, but never for a round that opened before the first run),
and a round closes in :data:`CLOSES_WITHIN` days or less (each trainee of its cohort who has
not handed in). Features add their own with :func:`register_due`: a function of today's
date that notifies what is due and returns how many it notified. Every notification has a
dedupe key, so running again (every few minutes, twice at once) notifies nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Row, Select, and_, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portfolio.accounts.models import User
from portfolio.assessment.models import AssessmentStatus, Round, SelfAssessment
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole
from portfolio.extensions import db
from portfolio.notifications.models import DueRun, Notification, NotificationKind
from portfolio.notifications.services import Recipient, notify
from portfolio.urls import absolute_url

#: A round that opened up to this many days ago is still announced (a run was missed).
OPENED_WITHIN = 2
#: Trainees who have not handed in hear this many days (or fewer) before a round closes.
CLOSES_WITHIN = 3
RUN_NAME = "send-due"

DueWork = Callable[[date], int]
_registered: list[DueWork] = []


def register_due(work: DueWork) -> DueWork:
    """Run ``work(today)`` on every ``send-due``; it returns how many it notified.

    Registering the same function again changes nothing (so it can run in ``create_app``).
    Usable as a decorator.
    """
    if work not in _registered:
        _registered.append(work)
    return work


def registered() -> tuple[DueWork, ...]:
    """The due work that features registered."""
    return tuple(_registered)


@dataclass(frozen=True)
class DueReport:
    """How many notifications each kind of due work made."""

    round_opens: int
    round_closes_soon: int
    other: int

    def __str__(self) -> str:
        return (
            f"{self.round_opens} round-opens, {self.round_closes_soon} round-closes-soon, "
            f"{self.other} from features"
        )


def _first_run_on(today: date) -> date:
    """The day send-due first ran (today, if this is the first run); notes this run."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # Two first runs at once: one row, whoever comes second finds it.
    db.session.execute(
        insert(DueRun)
        .values(name=RUN_NAME, first_run_on=today, last_run_at=utcnow())
        .on_conflict_do_nothing()
    )
    run = db.session.get(DueRun, RUN_NAME, populate_existing=True)
    assert run is not None
    run.last_run_at = utcnow()
    db.session.flush()
    return run.first_run_on


def _notify_trainees(kind: NotificationKind, rows: Sequence[Row[Round, Cohort, User]]) -> int:
    """Notify each (round, cohort, trainee) once: pairs notified before are left out."""
    keys = {f"{kind.value}:{round_.id}:{user.id}" for round_, _c, user in rows}
    seen = set(
        db.session.scalars(select(Notification.dedupe_key).where(Notification.dedupe_key.in_(keys)))
    )
    made = 0
    for round_, cohort, user in rows:
        key = f"{kind.value}:{round_.id}:{user.id}"
        if key in seen:
            continue
        made += (
            notify(
                None,
                Recipient.of_user(user),
                kind,
                link=absolute_url("assessment.overview", round_id=round_.id),
                context={
                    "round": round_.title,
                    "cohort": cohort.name,
                    "closes_on": round_.closes_on,
                },
                dedupe_key=key,
            )
            is not None
        )
    return made


def _rounds_with_trainees() -> Select[Round, Cohort, User]:
    """Rounds not closed early, with their cohort and each open trainee account."""
    return (
        select(Round, Cohort, User)
        .join(Cohort, Cohort.id == Round.cohort_id)
        .join(
            CohortMembership,
            and_(
                CohortMembership.cohort_id == Round.cohort_id,
                CohortMembership.role == CohortRole.TRAINEE,
            ),
        )
        .join(User, and_(User.id == CohortMembership.user_id, User.active.is_(True)))
        .where(Round.closed_at.is_(None))
        .order_by(Round.id, User.id)
    )


def announce_opened_rounds(today: date, since: date) -> int:
    """ROUND_OPENS for each trainee of a round that opened between ``since`` and today."""
    query = _rounds_with_trainees().where(
        Round.opens_on >= since, Round.opens_on <= today, Round.closes_on >= today
    )
    return _notify_trainees(NotificationKind.ROUND_OPENS, db.session.execute(query).all())


def remind_closing_rounds(today: date) -> int:
    """ROUND_CLOSES_SOON for each trainee who has not handed in a round closing soon."""
    query = (
        _rounds_with_trainees()
        .outerjoin(
            SelfAssessment,
            and_(SelfAssessment.round_id == Round.id, SelfAssessment.trainee_id == User.id),
        )
        .where(
            Round.opens_on <= today,
            Round.closes_on >= today,
            Round.closes_on <= today + timedelta(days=CLOSES_WITHIN),
            or_(
                SelfAssessment.id.is_(None),
                SelfAssessment.status != AssessmentStatus.SUBMITTED,
            ),
        )
    )
    return _notify_trainees(NotificationKind.ROUND_CLOSES_SOON, db.session.execute(query).all())


def run_due(today: date) -> DueReport:
    """Everything due on ``today``: the built-in round notices, then registered work.

    Flushes; the caller commits (and then sends).
    """
    first = _first_run_on(today)
    since = max(today - timedelta(days=OPENED_WITHIN), first)
    opened = announce_opened_rounds(today, since)
    closing = remind_closing_rounds(today)
    other = sum(work(today) for work in registered())
    db.session.flush()
    return DueReport(round_opens=opened, round_closes_soon=closing, other=other)
