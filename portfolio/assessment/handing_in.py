"""Handing in a self-assessment and reopening it, with every rule that goes with it.

Handing in needs an open round, work that is not handed in already, and an answer for every
current indicator; it stores a frozen submission (:mod:`portfolio.assessment.submissions`).
Reopening needs handed-in work and a reason. Refusals are :class:`HandInRefused` and
:class:`ReopenRefused`; the page turns them into messages. Services flush; the caller commits.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from sqlalchemy import delete, func, insert, select

from portfolio.accounts.models import User
from portfolio.assessment import spreads, submissions
from portfolio.assessment.models import (
    AssessmentStatus,
    HandInScore,
    Rating,
    Round,
    SelfAssessment,
    Submission,
)
from portfolio.assessment.queries import Progress, progress
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.competencies.models import Indicator
from portfolio.extensions import db
from portfolio.notifications import NotificationKind, Recipient, notify
from portfolio.urls import absolute_url


class FileStore(Protocol):
    """Where evidence files are kept (only the path of a stored file is needed here)."""

    def path(self, stored_name: str) -> Path:
        """The file's place on disk."""
        ...


class NotReady(enum.StrEnum):
    """Why work cannot be handed in now."""

    ALREADY_HANDED_IN = "already_handed_in"
    ROUND_NOT_OPEN = "round_not_open"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class HandInCheck:
    """Whether work can be handed in now; ``missing`` counts indicators without an answer."""

    refusal: NotReady | None
    missing: int


class HandInRefused(Exception):
    """Handing in is refused; ``reason`` says why, ``missing`` how many answers are lacking."""

    def __init__(self, reason: NotReady, missing: int = 0) -> None:
        super().__init__(reason.value)
        self.reason = reason
        self.missing = missing


def hand_in_check(
    round_: Round, assessment: SelfAssessment | None, today: date, report: Progress | None = None
) -> HandInCheck:
    """The hand-in rules for this work on ``today`` (``report``: its progress, if known)."""
    if assessment is not None and assessment.is_submitted:
        return HandInCheck(NotReady.ALREADY_HANDED_IN, 0)
    if not round_.is_open(today):
        return HandInCheck(NotReady.ROUND_NOT_OPEN, 0)
    if report is None:
        report = progress(assessment.id if assessment is not None else None)
    if assessment is None or not report.complete:
        return HandInCheck(NotReady.INCOMPLETE, report.total - report.answered)
    return HandInCheck(None, 0)


def submit(
    actor: User,
    round_: Round,
    assessment: SelfAssessment | None,
    *,
    today: date,
    store: FileStore | None = None,
) -> Submission:
    """Hand in: store what is handed in (a frozen submission) and make the work read-only.

    Raises :class:`HandInRefused` when a rule says no. ``store`` is the evidence file
    store, used to take the SHA-256 of older files.
    """
    check = hand_in_check(round_, assessment, today)
    if check.refusal is not None:
        raise HandInRefused(check.refusal, check.missing)
    assert assessment is not None
    submission = submissions.record_submission(assessment, actor, store)
    assessment.status = AssessmentStatus.SUBMITTED
    record_scores(assessment.id)
    record(
        Action.SELF_ASSESSMENT_SUBMITTED,
        actor=actor,
        target=assessment,
        round=round_.title,
        number=submission.number,
        sha256=submission.sha256,
        evidence=len(submission.evidence),
    )
    db.session.flush()
    return submission


def record_scores(assessment_id: int) -> None:
    """Store the handed-in self-ratings per competency (:class:`HandInScore`), replacing
    those of an earlier hand-in of the same work, and count the round's spread again
    (:mod:`portfolio.assessment.spreads`), in the hand-in's transaction."""
    db.session.execute(delete(HandInScore).where(HandInScore.self_assessment_id == assessment_id))
    db.session.execute(
        insert(HandInScore).from_select(
            ["self_assessment_id", "competency_id", "total", "rated"],
            select(
                Rating.self_assessment_id,
                Indicator.competency_id,
                func.sum(Rating.level),
                func.count(Rating.level),
            )
            .join(Indicator, Indicator.id == Rating.indicator_id)
            .where(
                Rating.self_assessment_id == assessment_id,
                Rating.level.is_not(None),
                Indicator.retired_at.is_(None),
            )
            .group_by(Rating.self_assessment_id, Indicator.competency_id),
        )
    )
    spreads.recount(
        db.session.scalars(
            select(SelfAssessment.round_id).where(SelfAssessment.id == assessment_id)
        ).all()
    )


class CannotReopen(enum.StrEnum):
    """Why handed-in work cannot be reopened."""

    NOT_HANDED_IN = "not_handed_in"
    NO_REASON = "no_reason"


class ReopenRefused(Exception):
    """Reopening is refused; ``reason`` says why."""

    def __init__(self, reason: CannotReopen) -> None:
        super().__init__(reason.value)
        self.reason = reason


def reopen(actor: User, assessment: SelfAssessment, reason: str) -> None:
    """A trainer gives the self-assessment back to the trainee for changes, saying why.

    The trainee is notified (in the list, and by e-mail) with the trainer's name and the
    reason. Others keep seeing the last submission until it is handed in again. Raises
    :class:`ReopenRefused` for work that is not handed in, or without a reason.
    """
    reason = reason.strip()
    if not assessment.is_submitted:
        raise ReopenRefused(CannotReopen.NOT_HANDED_IN)
    if not reason:
        raise ReopenRefused(CannotReopen.NO_REASON)
    assessment.status = AssessmentStatus.REOPENED
    assessment.reopened_at = utcnow()
    assessment.reopened_by_id = actor.id
    assessment.reopen_reason = reason
    # Reopened work no longer counts in the cohort's spread until it is handed in again.
    spreads.recount([assessment.round_id])
    record(
        Action.SELF_ASSESSMENT_REOPENED,
        actor=actor,
        target=assessment,
        trainee=assessment.trainee.email,
        round=assessment.round.title,
        reason=reason,
    )
    notify(
        actor,
        Recipient.of_user(assessment.trainee),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("assessment.overview", round_id=assessment.round_id),
        context={
            "round": assessment.round.title,
            "trainer": actor.name or actor.email,
            "reason": reason,
        },
    )
    db.session.flush()
