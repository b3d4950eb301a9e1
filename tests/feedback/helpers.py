"""Feedback test data through the real services: requests, answers, replies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.extensions import db
from portfolio.feedback import services
from portfolio.feedback.inputs import parse_answer_form
from portfolio.feedback.models import FeedbackRequest
from portfolio.feedback.services import RequestInput
from portfolio.policy import LinkHolder, LinkPurpose


def ask(
    trainee: User,
    round_: Round,
    *,
    email: str | None = None,
    name: str = "Rhea Rater",
    group: str = "rater.colleague",
    anonymous: bool = False,
    rater: User | None = None,
    keys: list[str] | None = None,
    language: str = "en",
    **extra: Any,
) -> tuple[FeedbackRequest, str]:
    """A request made through the service; returns it and its link token."""
    data = RequestInput(
        rater_group=group,
        competency_keys=keys or [c.key for c in current_framework().competencies],
        anonymous=anonymous,
        language=language,
        rater_user=rater,
        rater_name=name,
        rater_email=email or f"rater{_count()}-{name.split()[0].lower()}@example.org",
        **extra,
    )
    asked = services.ask(
        trainee, round_, data, current_framework(), today=today(), confirm_duplicate=True
    )
    db.session.commit()
    return asked.request, asked.token


def _count() -> int:
    return db.session.scalar(select(db.func.count(FeedbackRequest.id))) or 0


def holder(request: FeedbackRequest) -> LinkHolder:
    """The link holder a request's link makes."""
    return LinkHolder(request.id, LinkPurpose.FEEDBACK_RESPONSE, request.id)


def first_indicators(key: str, count: int = 2) -> list[Indicator]:
    """The first ``count`` current indicators of the competency ``key``."""
    return list(
        db.session.scalars(
            select(Indicator)
            .join(Competency, Competency.id == Indicator.competency_id)
            .where(Competency.key == key, Indicator.retired_at.is_(None))
            .order_by(Indicator.element_id, Indicator.position)
            .limit(count)
        )
    )


def answer(
    request: FeedbackRequest,
    *,
    level: int = 3,
    works: str = "",
    grow: str = "",
    question: str = "",
    key: str = "innovation",
    submit: bool = True,
) -> None:
    """Answer a request through the services as its link holder."""
    competency = db.session.scalar(select(Competency).where(Competency.key == key))
    assert competency is not None
    form = {
        f"n-{competency.id}-v": "0",
        f"n-{competency.id}-works": works,
        f"n-{competency.id}-grow": grow,
        f"n-{competency.id}-question": question,
    }
    for indicator in first_indicators(key):
        form[f"r-{indicator.id}-v"] = "0"
        form[f"r-{indicator.id}-level"] = str(level)
    data = parse_answer_form(
        form,
        [i.id for i in first_indicators(key)],
        [competency.id],
        current_framework().rating_scale.values,
        [s.key for s in current_framework().feedback.sectors],
    )
    ids = {i.id for i in first_indicators(key)}
    services.save_answer(holder(request), request, data, ids, {competency.id})
    if submit:
        services.submit_answer(holder(request), request)
    db.session.commit()
