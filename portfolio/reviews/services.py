"""Formative review: sharing a draft, commenting, answering, marking a comment handled.

The trainee shares their portfolio draft with the trainers of its cohort (and can stop
sharing). A trainer opens a thread on one part of the trainee's work with a comment; the
trainee and the cohort's trainers answer; either side marks the thread handled, and an
answer opens it again. Each step tells the other side (a notification, in their language)
and is written to the audit log. Who may do what is the policy's; the part a comment is
about comes from :mod:`portfolio.reviews.queries` as a :class:`Target`, which carries
the words the trainer read. Services flush; the caller commits.
"""

from __future__ import annotations

import enum
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select, update

from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.cohorts.models import Cohort
from portfolio.cohorts.queries import active_trainers, trains_cohort
from portfolio.extensions import db
from portfolio.notifications import NotificationKind, Recipient, notify
from portfolio.portfolios.models import Portfolio
from portfolio.portfolios.services import open_portfolio
from portfolio.reviews.models import (
    MESSAGE_LIMIT,
    QUOTE_LIMIT,
    ReviewMessage,
    ReviewThread,
    ThreadStatus,
)
from portfolio.reviews.parts import PartNames, Target, part_label
from portfolio.urls import absolute_url
from portfolio.versioning import rowcount

#: A second identical message by the same person on the same thread within this time is
#: the same message sent twice (a double click, a resent form): it is not added again.
REPEAT_WINDOW = timedelta(minutes=2)


class Refusal(enum.StrEnum):
    """Why a comment or an answer was not taken."""

    EMPTY = "empty"
    TOO_LONG = "too_long"


class ReviewRefused(Exception):
    """The message is refused; ``reason`` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


def checked_body(text: str) -> str:
    """The message as it is stored, or :class:`ReviewRefused` when it is empty or too long."""
    body = text.strip()
    if not body:
        raise ReviewRefused(Refusal.EMPTY)
    if len(body) > MESSAGE_LIMIT:
        raise ReviewRefused(Refusal.TOO_LONG)
    return body


def _label(names: PartNames, recipient: Recipient) -> str:
    """The part in words, in the recipient's language."""
    with force_locale(recipient.language):
        return part_label(names, recipient.language)


def _names(user: User) -> str:
    return user.name or user.email


def share_draft(actor: User, cohort: Cohort, shared: bool) -> Portfolio:
    """The trainee lets the cohort's trainers read their draft and comment on it (``shared``)
    or stops that. The trainers are told when it starts; repeating either is a no-op."""
    portfolio = open_portfolio(actor, cohort)
    now = utcnow()
    condition = Portfolio.shared_at.is_(None) if shared else Portfolio.shared_at.is_not(None)
    outcome = db.session.execute(
        update(Portfolio)
        .where(Portfolio.id == portfolio.id, condition)
        .values(shared_at=now if shared else None)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(portfolio)
    if rowcount(outcome) != 1:
        return portfolio
    if shared:
        link = absolute_url("reviews.draft", cohort_id=cohort.id, trainee_id=actor.id)
        for trainer in active_trainers(cohort.id):
            notify(
                actor,
                Recipient.of_user(trainer),
                NotificationKind.DRAFT_SHARED,
                link=link,
                context={"trainee": _names(actor), "cohort": cohort.name},
            )
    record(
        Action.DRAFT_SHARED if shared else Action.DRAFT_UNSHARED,
        actor=actor,
        target=cohort,
        portfolio=portfolio.id,
    )
    db.session.flush()
    return portfolio


def _repeated(thread_id: int, actor: User, body: str) -> ReviewMessage | None:
    """The actor's same message on the thread a moment ago, if there is one."""
    return db.session.scalar(
        select(ReviewMessage)
        .where(
            ReviewMessage.thread_id == thread_id,
            ReviewMessage.author_id == actor.id,
            ReviewMessage.body == body,
            ReviewMessage.created_at >= utcnow() - REPEAT_WINDOW,
        )
        .limit(1)
    )


def open_thread(actor: User, target: Target, text: str) -> ReviewThread:
    """A trainer comments on ``target``: a new open thread, and the trainee is told."""
    body = checked_body(text)
    twin = db.session.scalar(
        select(ReviewThread)
        .join(ReviewMessage, ReviewMessage.thread_id == ReviewThread.id)
        .where(
            ReviewThread.trainee_id == target.trainee_id,
            ReviewThread.cohort_id == target.cohort_id,
            ReviewThread.part == target.part,
            ReviewThread.key == target.key,
            ReviewThread.author_id == actor.id,
            ReviewMessage.body == body,
            ReviewMessage.created_at >= utcnow() - REPEAT_WINDOW,
        )
        .limit(1)
    )
    if twin is not None:
        return twin
    now = utcnow()
    thread = ReviewThread(
        cohort_id=target.cohort_id,
        trainee_id=target.trainee_id,
        author_id=actor.id,
        part=target.part,
        key=target.key,
        self_assessment_id=target.self_assessment_id,
        evidence_item_id=target.evidence_item_id,
        quote=target.quote[:QUOTE_LIMIT],
        quote_version=target.quote_version,
        status=ThreadStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    db.session.add(thread)
    db.session.flush()
    db.session.add(
        ReviewMessage(thread_id=thread.id, author_id=actor.id, body=body, created_at=now)
    )
    trainee = db.session.get(User, target.trainee_id)
    assert trainee is not None
    cohort = db.session.get(Cohort, target.cohort_id)
    assert cohort is not None
    recipient = Recipient.of_user(trainee)
    notify(
        actor,
        recipient,
        NotificationKind.REVIEW_COMMENT,
        link=absolute_url("reviews.comments", _anchor=f"thread-{thread.id}"),
        context={
            "trainer": _names(actor),
            "part": _label(target.names, recipient),
            "cohort": cohort.name,
            "comment": body,
        },
    )
    record(
        Action.REVIEW_COMMENTED,
        actor=actor,
        target=thread,
        trainee=trainee.email,
        part=thread.anchor,
    )
    db.session.flush()
    return thread


def _other_side(actor: User, thread: ReviewThread) -> User | None:
    """Whom an answer or a status change is for: the trainer who opened the thread when the
    trainee acts (while they still train the cohort and have an account), else the trainee."""
    if actor.id != thread.trainee_id:
        return thread.trainee if thread.trainee.active else None
    author = thread.author
    if author is None or not author.active or author.id == actor.id:
        return None
    return author if trains_cohort(author.id, thread.cohort_id) else None


def _thread_link(thread: ReviewThread) -> str:
    return absolute_url("reviews.comments", _anchor=f"thread-{thread.id}")


def _tell_other_side(
    actor: User, thread: ReviewThread, kind: NotificationKind, names: PartNames, **context: str
) -> None:
    """Notify the other side of the thread (:func:`_other_side`), naming the part in their
    language."""
    other = _other_side(actor, thread)
    if other is None:
        return
    recipient = Recipient.of_user(other)
    notify(
        actor,
        recipient,
        kind,
        link=_thread_link(thread),
        context={**context, "part": _label(names, recipient)},
    )


def answer(actor: User, thread: ReviewThread, names: PartNames, text: str) -> ReviewMessage:
    """The trainee or a trainer answers; a handled thread is open again; the other side is told."""
    body = checked_body(text)
    again = _repeated(thread.id, actor, body)
    if again is not None:
        return again
    now = utcnow()
    message = ReviewMessage(thread_id=thread.id, author_id=actor.id, body=body, created_at=now)
    db.session.add(message)
    reopened = rowcount(
        db.session.execute(
            update(ReviewThread)
            .where(ReviewThread.id == thread.id, ReviewThread.status == ThreadStatus.HANDLED)
            .values(status=ThreadStatus.OPEN, handled_at=None, handled_by_id=None, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    )
    if not reopened:
        db.session.execute(
            update(ReviewThread)
            .where(ReviewThread.id == thread.id)
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(thread)
    _tell_other_side(
        actor, thread, NotificationKind.REVIEW_ANSWER, names, author=_names(actor), answer=body
    )
    record(Action.REVIEW_ANSWERED, actor=actor, target=thread, reopened=bool(reopened) or None)
    db.session.flush()
    return message


def set_handled(actor: User, thread: ReviewThread, names: PartNames, handled: bool) -> bool:
    """Mark the thread handled (or open again); False when it already was. When the trainee
    marks it handled, the trainer who opened it is told."""
    now = utcnow()
    if handled:
        statement = (
            update(ReviewThread)
            .where(ReviewThread.id == thread.id, ReviewThread.status == ThreadStatus.OPEN)
            .values(status=ThreadStatus.HANDLED, handled_at=now, handled_by_id=actor.id)
        )
    else:
        statement = (
            update(ReviewThread)
            .where(ReviewThread.id == thread.id, ReviewThread.status == ThreadStatus.HANDLED)
            .values(status=ThreadStatus.OPEN, handled_at=None, handled_by_id=None)
        )
    changed = rowcount(
        db.session.execute(
            statement.values(updated_at=now).execution_options(synchronize_session=False)
        )
    )
    db.session.expire(thread)
    if not changed:
        return False
    if handled and actor.id == thread.trainee_id:
        _tell_other_side(
            actor, thread, NotificationKind.REVIEW_HANDLED, names, trainee=_names(actor)
        )
    record(Action.REVIEW_HANDLED if handled else Action.REVIEW_REOPENED, actor=actor, target=thread)
    db.session.flush()
    return True
