"""What the feedback services tell people, through :mod:`portfolio.notifications`.

- the rater: the request, a reminder, and a reply of the trainee (identified answers only);
- the trainee: that an answer arrived, and that a rater answered their reply.

Links are built on BASE_URL. A rater without an account has only their personal link, and
only its hash is stored: a mail that has to carry the link again (a reminder, a reply)
carries a new one; the earlier links keep working. Nothing here names the
rater of an anonymous answer: "an answer arrived" carries the round only.
"""

from __future__ import annotations

from flask import current_app

from portfolio.accounts.models import User
from portfolio.competencies.texts import localized
from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest
from portfolio.framework import Framework
from portfolio.mail import mail_configured
from portfolio.notifications.models import NotificationKind
from portfolio.notifications.services import Recipient, notify
from portfolio.urls import absolute_url


def rater_link(request: FeedbackRequest, token: str | None) -> str:
    """The rater's page: their personal link, or (a cohort member) the request to sign in to."""
    if request.rater_user_id is not None or token is None:
        return absolute_url("feedback.landing_member", request_id=request.id)
    return absolute_url("feedback.landing", token=token)


def _rater(request: FeedbackRequest) -> Recipient:
    if request.rater_user_id is not None:
        rater = db.session.get(User, request.rater_user_id)
        if rater is not None:
            return Recipient.of_user(rater)
    return Recipient(None, request.rater_email, request.rater_name, request.language)


def _trainee(request: FeedbackRequest) -> Recipient:
    trainee = db.session.get(User, request.trainee_id)
    assert trainee is not None
    return Recipient.of_user(trainee)


def tell_rater(
    actor: User | None,
    request: FeedbackRequest,
    token: str,
    framework: Framework,
    trainee: User,
    round_title: str,
    *,
    reminder: bool,
) -> str:
    """Send the request (or a reminder) to the rater; returns the link it carries."""
    link = rater_link(request, token)
    recipient = _rater(request)
    if reminder:
        notify(
            actor,
            recipient,
            NotificationKind.FEEDBACK_REMINDER,
            link=link,
            context={
                "requester": trainee.name,
                "round": round_title,
                "due_on": request.expires_at.date(),
            },
            dedupe_key=f"feedback-reminder:{request.id}:{request.reminders}",
        )
    else:
        group = framework.feedback.group(request.rater_group)
        threshold = int(current_app.config["FEEDBACK_ANONYMITY_THRESHOLD"])
        notify(
            actor,
            recipient,
            NotificationKind.FEEDBACK_REQUEST,
            link=link,
            context={
                "requester": trainee.name,
                "round": round_title,
                "due_on": request.expires_at.date(),
                "message": request.message or None,
                "group": localized(group.label, recipient.language) if group else None,
                "anonymous_k": threshold if request.anonymous else None,
            },
            dedupe_key=f"feedback-request:{request.id}",
        )
    if not mail_configured() and request.rater_user_id is None:
        current_app.logger.warning(
            "E-mail is not set up, so this feedback request of %s to %s was not sent: %s",
            trainee.email,
            request.rater_email,
            link,
        )
    return link


def tell_trainee_answered(request: FeedbackRequest, round_title: str) -> None:
    """An answer arrived (the round only: an anonymous rater stays unnamed)."""
    notify(
        None,
        _trainee(request),
        NotificationKind.FEEDBACK_ANSWERED,
        link=absolute_url("feedback.round_feedback", round_id=request.round_id),
        context={"round": round_title},
        dedupe_key=f"feedback-answered:{request.id}",
    )


def tell_rater_of_reply(
    actor: User, request: FeedbackRequest, token: str | None, round_title: str
) -> None:
    """The trainee replied to an identified answer; ``token`` is the rater's new link."""
    notify(
        actor,
        _rater(request),
        NotificationKind.FEEDBACK_REPLY,
        link=rater_link(request, token),
        context={
            "round": round_title,
            "author": actor.name,
        },
        dedupe_key=f"feedback-reply:{request.id}:trainee",
    )


def tell_trainee_of_rater_answer(request: FeedbackRequest, round_title: str) -> None:
    """The identified rater answered the trainee's reply."""
    notify(
        None,
        _trainee(request),
        NotificationKind.FEEDBACK_REPLY,
        link=absolute_url(
            "feedback.round_feedback", round_id=request.round_id, _anchor=f"answer-{request.id}"
        ),
        context={"round": round_title, "author": request.rater_name or None},
        dedupe_key=f"feedback-reply:{request.id}:rater",
    )
