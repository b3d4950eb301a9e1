"""Comment threads as plain data, and the parts of a trainee's work a comment can be about.

Lists read in a fixed number of statements whatever their length: the threads (with their
people, cohort, round and evidence title in one join) and then all their messages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import aliased

from portfolio.accounts.models import User
from portfolio.assessment.models import Round, SelfAssessment, Submission, submission_evidence
from portfolio.cohorts.models import Cohort
from portfolio.evidence.models import EvidenceItem, EvidenceVersion
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.portfolios.content import INTRODUCTION
from portfolio.portfolios.models import (
    Portfolio,
    PortfolioEvidence,
    PortfolioText,
    portfolio_evidence_competencies,
)
from portfolio.reviews.models import (
    QUOTE_LIMIT,
    ReviewMessage,
    ReviewPart,
    ReviewThread,
    ThreadStatus,
)
from portfolio.reviews.parts import PartNames, Target


@dataclass(frozen=True)
class MessageView:
    """One comment or answer."""

    id: int
    author_id: int | None
    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ThreadView:
    """A thread with what a page shows of it."""

    id: int
    anchor: str
    status: ThreadStatus
    names: PartNames
    quote: str
    created_at: datetime
    updated_at: datetime
    handled_at: datetime | None
    author_id: int | None
    author_name: str
    trainee_id: int
    trainee_name: str
    cohort_id: int
    cohort_name: str
    #: The round of a reflection (None for other parts).
    round_id: int | None
    messages: tuple[MessageView, ...]

    @property
    def is_open(self) -> bool:
        """The thread still asks for something."""
        return self.status == ThreadStatus.OPEN

    @property
    def awaits_trainer(self) -> bool:
        """The trainee answered last: the trainers are to read it."""
        return bool(self.messages) and self.messages[-1].author_id == self.trainee_id


def _name(name: str | None, email: str | None) -> str:
    return name or email or ""


def load_threads(
    conditions: Sequence[ColumnElement[bool]],
    framework: Framework,
    *,
    limit: int | None = None,
) -> list[ThreadView]:
    """The threads matching ``conditions`` (the caller narrows by policy), open ones first,
    the most recently active first (2 statements)."""
    author = aliased(User)
    trainee = aliased(User)
    query = (
        select(
            ReviewThread,
            author.name,
            author.email,
            trainee.name,
            trainee.email,
            Cohort.name,
            Round.id,
            Round.title,
            EvidenceItem.title,
        )
        .join(trainee, trainee.id == ReviewThread.trainee_id)
        .outerjoin(author, author.id == ReviewThread.author_id)
        .join(Cohort, Cohort.id == ReviewThread.cohort_id)
        .outerjoin(SelfAssessment, SelfAssessment.id == ReviewThread.self_assessment_id)
        .outerjoin(Round, Round.id == SelfAssessment.round_id)
        .outerjoin(EvidenceItem, EvidenceItem.id == ReviewThread.evidence_item_id)
        .where(*conditions)
        .order_by(
            case((ReviewThread.status == ThreadStatus.OPEN, 0), else_=1),
            ReviewThread.updated_at.desc(),
            ReviewThread.id.desc(),
        )
    )
    if limit is not None:
        query = query.limit(limit)
    rows = db.session.execute(query).all()
    if not rows:
        return []
    ids = [row[0].id for row in rows]
    messages: dict[int, list[MessageView]] = {i: [] for i in ids}
    for message, name, email in db.session.execute(
        select(ReviewMessage, User.name, User.email)
        .outerjoin(User, User.id == ReviewMessage.author_id)
        .where(ReviewMessage.thread_id.in_(ids))
        .order_by(ReviewMessage.created_at, ReviewMessage.id)
    ):
        messages[message.thread_id].append(
            MessageView(
                message.id, message.author_id, _name(name, email), message.body, message.created_at
            )
        )
    competencies = {c.key: c.name for c in framework.competencies}
    views = []
    for thread, a_name, a_email, t_name, t_email, cohort, round_id, round_title, title in rows:
        views.append(
            ThreadView(
                id=thread.id,
                anchor=thread.anchor,
                status=thread.status,
                names=PartNames(
                    thread.part,
                    thread.key,
                    competencies.get(thread.key, {}),
                    round_title or "",
                    title or "",
                ),
                quote=thread.quote,
                created_at=thread.created_at,
                updated_at=thread.updated_at,
                handled_at=thread.handled_at,
                author_id=thread.author_id,
                author_name=_name(a_name, a_email),
                trainee_id=thread.trainee_id,
                trainee_name=_name(t_name, t_email),
                cohort_id=thread.cohort_id,
                cohort_name=cohort,
                round_id=round_id,
                messages=tuple(messages[thread.id]),
            )
        )
    return views


def names_of(thread: ReviewThread, framework: Framework) -> PartNames:
    """What it takes to name the thread's part (at most one statement)."""
    competency = {c.key: c.name for c in framework.competencies}.get(thread.key, {})
    round_title = ""
    title = ""
    if thread.part == ReviewPart.REFLECTION and thread.self_assessment_id is not None:
        round_title = (
            db.session.scalar(
                select(Round.title)
                .join(SelfAssessment, SelfAssessment.round_id == Round.id)
                .where(SelfAssessment.id == thread.self_assessment_id)
            )
            or ""
        )
    if thread.part == ReviewPart.EVIDENCE and thread.evidence_item_id is not None:
        title = (
            db.session.scalar(
                select(EvidenceItem.title).where(EvidenceItem.id == thread.evidence_item_id)
            )
            or ""
        )
    return PartNames(thread.part, thread.key, competency, round_title, title)


# --- the parts a comment can be about ------------------------------------------------------


def text_target(portfolio: Portfolio, key: str, framework: Framework) -> Target | None:
    """The introduction or a justification of a draft (None for a key the portfolio has not)."""
    competencies = {c.key: c.name for c in framework.competencies}
    if key != INTRODUCTION and key not in competencies:
        return None
    stored = db.session.scalar(
        select(PortfolioText).where(
            PortfolioText.portfolio_id == portfolio.id, PortfolioText.key == key
        )
    )
    return Target(
        cohort_id=portfolio.cohort_id,
        trainee_id=portfolio.trainee_id,
        part=ReviewPart.TEXT,
        names=PartNames(ReviewPart.TEXT, key, competencies.get(key, {})),
        key=key,
        quote=(stored.body if stored else "")[:QUOTE_LIMIT],
        quote_version=stored.version if stored else None,
    )


def evidence_target(portfolio: Portfolio, item_id: int) -> Target | None:
    """An evidence item chosen in the draft for a competency (None for any other)."""
    title = db.session.scalar(
        select(EvidenceItem.title)
        .join(PortfolioEvidence, PortfolioEvidence.evidence_item_id == EvidenceItem.id)
        .join(
            portfolio_evidence_competencies,
            portfolio_evidence_competencies.c.portfolio_evidence_id == PortfolioEvidence.id,
        )
        .where(PortfolioEvidence.portfolio_id == portfolio.id, EvidenceItem.id == item_id)
        .limit(1)
    )
    if title is None:
        return None
    return Target(
        cohort_id=portfolio.cohort_id,
        trainee_id=portfolio.trainee_id,
        part=ReviewPart.EVIDENCE,
        names=PartNames(ReviewPart.EVIDENCE, evidence_title=title),
        evidence_item_id=item_id,
        quote=title,
    )


def handed_in_evidence_target(assessment: SelfAssessment, item_id: int) -> Target | None:
    """An evidence item as the self-assessment's latest hand-in holds it (None when that
    hand-in holds no version of the item)."""
    latest = (
        select(Submission.id)
        .where(Submission.self_assessment_id == assessment.id)
        .order_by(Submission.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    title = db.session.scalar(
        select(EvidenceVersion.title)
        .join(
            submission_evidence,
            submission_evidence.c.evidence_version_id == EvidenceVersion.id,
        )
        .where(submission_evidence.c.submission_id == latest, EvidenceVersion.item_id == item_id)
        .limit(1)
    )
    if title is None:
        return None
    return Target(
        cohort_id=assessment.round.cohort_id,
        trainee_id=assessment.trainee_id,
        part=ReviewPart.EVIDENCE,
        names=PartNames(ReviewPart.EVIDENCE, evidence_title=title),
        self_assessment_id=assessment.id,
        evidence_item_id=item_id,
        quote=title,
    )


def reflection_target(assessment: SelfAssessment, key: str, framework: Framework) -> Target | None:
    """A competency's reflection as last handed in (None when nothing was handed in, or the
    key is not a competency of the framework)."""
    competencies = {c.key: c.name for c in framework.competencies}
    if key not in competencies:
        return None
    content = db.session.scalar(
        select(Submission.content)
        .where(Submission.self_assessment_id == assessment.id)
        .order_by(Submission.number.desc())
        .limit(1)
    )
    if content is None:
        return None
    reflections: dict[str, Any] = json.loads(content).get("reflections", {})
    return Target(
        cohort_id=assessment.round.cohort_id,
        trainee_id=assessment.trainee_id,
        part=ReviewPart.REFLECTION,
        names=PartNames(ReviewPart.REFLECTION, key, competencies[key], assessment.round.title),
        key=key,
        self_assessment_id=assessment.id,
        quote=str(reflections.get(key, ""))[:QUOTE_LIMIT],
    )


def draft_evidence(portfolio_id: int) -> dict[int, int]:
    """The draft's chosen evidence: its number in the portfolio → the item's id."""
    return {
        number: item_id
        for number, item_id in db.session.execute(
            select(PortfolioEvidence.number, PortfolioEvidence.evidence_item_id).where(
                PortfolioEvidence.portfolio_id == portfolio_id
            )
        )
    }


def open_counts(cohort_id: int) -> dict[int, int]:
    """Open threads per trainee of the cohort (one statement)."""
    return {
        trainee_id: count
        for trainee_id, count in db.session.execute(
            select(ReviewThread.trainee_id, func.count())
            .where(ReviewThread.cohort_id == cohort_id, ReviewThread.status == ThreadStatus.OPEN)
            .group_by(ReviewThread.trainee_id)
        )
    }


def open_by_part(trainee_id: int, cohort_id: int) -> dict[str, int]:
    """Open threads on the trainee's work in the cohort, per part: ``introduction`` or a
    competency key for the portfolio's texts, ``reflection`` and ``evidence`` for the rest
    (one statement)."""
    part = case(
        (ReviewThread.part == ReviewPart.TEXT, ReviewThread.key),
        else_=ReviewThread.part,
    )
    return {
        str(key): count
        for key, count in db.session.execute(
            select(part, func.count())
            .where(
                ReviewThread.trainee_id == trainee_id,
                ReviewThread.cohort_id == cohort_id,
                ReviewThread.status == ThreadStatus.OPEN,
            )
            .group_by(part)
        )
    }


def open_count(conditions: Sequence[ColumnElement[bool]]) -> int:
    """How many open threads match ``conditions`` (the caller narrows by policy)."""
    return int(
        db.session.scalar(
            select(func.count()).where(ReviewThread.status == ThreadStatus.OPEN, *conditions)
        )
        or 0
    )
