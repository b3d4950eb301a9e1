"""Every write of peer feedback: asking, withdrawing, reminding, answering, declining, replying.

Each function takes the acting person explicitly: the trainee (a :class:`User`), a rater
who is a cohort member (a :class:`User`), or a rater holding only the request's link (a
:class:`~portfolio.policy.LinkHolder`). The caller has asked the policy whether the actor
may act at all; these functions apply the domain rules (an open round, an unfinished
request, a link that has not expired), write the audit event and flush. The caller commits,
then sends what :mod:`portfolio.feedback.notices` queued.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import delete, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.audit import Action, record
from portfolio.clock import aware, utcnow
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.services import EvidenceData, save_evidence
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.feedback import notices
from portfolio.feedback.inputs import AnswerInput, ReplyInput
from portfolio.feedback.models import (
    FINISHED,
    FeedbackLink,
    FeedbackNarrative,
    FeedbackRating,
    FeedbackReply,
    FeedbackRequest,
    FeedbackResponse,
    ReplyAuthor,
    RequestStatus,
)
from portfolio.framework import Framework
from portfolio.policy import LinkHolder, Viewer, signed_in
from portfolio.tokens import hash_token, new_token
from portfolio.versioning import (
    SaveResult,
    Stored,
    fingerprint,
    insert_ignoring_duplicates,
    save_versioned,
)

#: Longest texts, in characters; longer ones are refused with a message, never cut.
MESSAGE_LIMIT = 2000
SITUATION_LIMIT = 2000
NAME_LIMIT = 120
EMAIL_LIMIT = 254
#: A reminder at most this often per request.
REMINDER_INTERVAL = timedelta(hours=24)
#: At most this many reminders per request.
REMINDER_LIMIT = 3


class Refusal(enum.StrEnum):
    """Why a feedback write is refused (the page says it in words)."""

    ROUND_CLOSED = "round_closed"
    ASKING_ONESELF = "asking_oneself"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    ANSWERED = "answered"
    DECLINED = "declined"
    TOO_SOON = "too_soon"
    TOO_MANY = "too_many"
    NOT_STARTED = "not_started"
    NO_REPLY_YET = "no_reply_yet"
    ALREADY_REPLIED = "already_replied"
    NOT_SHOWN = "not_shown"
    CONFLICT = "conflict"


class FeedbackRefused(Exception):
    """The write is refused; ``reason`` says why."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class RequestInput:
    """What the trainee filled in to ask one person (already validated by the form)."""

    rater_group: str
    competency_keys: Sequence[str]
    anonymous: bool
    language: str
    rater_user: User | None = None
    rater_name: str = ""
    rater_email: str = ""
    situation_date: date | None = None
    situation: str = ""
    tool_key: str | None = None
    message: str = ""
    share_self_ratings: bool = False


@dataclass(frozen=True)
class Asked:
    """A new request and the token of its link (shown once, never stored)."""

    request: FeedbackRequest
    token: str
    #: The rater's page, to pass on by hand when no e-mail goes out.
    link: str


def new_link(request: FeedbackRequest) -> str:
    """A new personal link to ``request``; returns its token (only its hash is stored)."""
    token, token_hash = new_token()
    db.session.add(FeedbackLink(request_id=request.id, token_hash=token_hash, created_at=utcnow()))
    return token


def find_by_token(token: str) -> FeedbackRequest | None:
    """The request one of whose links has this token, whatever its state."""
    return db.session.scalar(
        select(FeedbackRequest)
        .join(FeedbackLink, FeedbackLink.request_id == FeedbackRequest.id)
        .where(FeedbackLink.token_hash == hash_token(token))
    )


def link_days() -> int:
    """How many days a request's link works."""
    return int(current_app.config["FEEDBACK_LINK_DAYS"])


def _normalised_email(address: str) -> str:
    return address.strip().lower()


def open_duplicate(round_id: int, trainee_id: int, email: str) -> FeedbackRequest | None:
    """An unfinished, unexpired request of the trainee in the round to the same address."""
    now = utcnow()
    return db.session.scalar(
        select(FeedbackRequest).where(
            FeedbackRequest.round_id == round_id,
            FeedbackRequest.trainee_id == trainee_id,
            FeedbackRequest.rater_email == _normalised_email(email),
            FeedbackRequest.status.not_in(list(FINISHED)),
            FeedbackRequest.expires_at > now,
        )
    )


def ask(
    actor: User,
    round_: Round,
    data: RequestInput,
    framework: Framework,
    *,
    today: date,
    confirm_duplicate: bool = False,
) -> Asked:
    """Ask one person for feedback on the actor's work in ``round_``.

    Refused when the round is closed, when the actor asks themselves, and — unless
    ``confirm_duplicate`` — when an open request to the same address exists.
    """
    if round_.closed_at is not None or today > round_.closes_on:
        raise FeedbackRefused(Refusal.ROUND_CLOSED)
    if data.rater_user is not None:
        name, email = data.rater_user.name, data.rater_user.email
    else:
        name, email = data.rater_name.strip(), data.rater_email
    email = _normalised_email(email)
    if email == _normalised_email(actor.email) or (
        data.rater_user is not None and data.rater_user.id == actor.id
    ):
        raise FeedbackRefused(Refusal.ASKING_ONESELF)
    if not confirm_duplicate and open_duplicate(round_.id, actor.id, email) is not None:
        raise FeedbackRefused(Refusal.DUPLICATE)
    order = [c.key for c in framework.competencies]
    keys = [key for key in order if key in set(data.competency_keys)] or order
    now = utcnow()
    request = FeedbackRequest(
        round_id=round_.id,
        trainee_id=actor.id,
        rater_user_id=data.rater_user.id if data.rater_user is not None else None,
        rater_name=name,
        rater_email=email,
        rater_group=data.rater_group,
        competency_keys=keys,
        situation_date=data.situation_date,
        situation=data.situation.strip(),
        tool_key=data.tool_key or None,
        message=data.message.strip(),
        anonymous=data.anonymous,
        share_self_ratings=data.share_self_ratings,
        language=data.language,
        status=RequestStatus.SENT,
        created_at=now,
        expires_at=now + timedelta(days=link_days()),
    )
    db.session.add(request)
    db.session.flush()
    token = new_link(request)
    record(
        Action.FEEDBACK_REQUESTED,
        actor=actor,
        target=request,
        round=round_.title,
        via="account" if data.rater_user is not None else "link",
    )
    link = notices.tell_rater(actor, request, token, framework, actor, round_.title, reminder=False)
    db.session.flush()
    return Asked(request, token, link)


def withdraw(actor: User, request: FeedbackRequest) -> None:
    """The trainee takes a request back; its link then opens nothing."""
    if request.status == RequestStatus.WITHDRAWN:
        return
    if request.status in FINISHED:
        raise FeedbackRefused(_finished_reason(request))
    request.status = RequestStatus.WITHDRAWN
    request.withdrawn_at = utcnow()
    # A draft the rater began is not kept: an answer to a withdrawn request is not stored.
    db.session.execute(
        delete(FeedbackResponse).where(
            FeedbackResponse.request_id == request.id, FeedbackResponse.submitted_at.is_(None)
        )
    )
    record(Action.FEEDBACK_WITHDRAWN, actor=actor, target=request)
    db.session.flush()


def remind(actor: User | None, request: FeedbackRequest, framework: Framework) -> str:
    """Send the request again; returns the new link's token (the old link stops working).

    Only a hash of a token is stored, so a reminder carries a new link (the earlier ones
    keep working). At most
    :data:`REMINDER_LIMIT` reminders, one per :data:`REMINDER_INTERVAL`; the link's time
    starts again. ``actor`` None: the automatic reminder of ``flask notifications send-due``.
    """
    now = utcnow()
    if request.status in FINISHED:
        raise FeedbackRefused(_finished_reason(request))
    if request.reminders >= REMINDER_LIMIT:
        raise FeedbackRefused(Refusal.TOO_MANY)
    last = request.reminded_at or request.created_at
    if now - aware(last) < REMINDER_INTERVAL:
        raise FeedbackRefused(Refusal.TOO_SOON)
    token = new_link(request)
    request.reminded_at = now
    request.reminders += 1
    request.expires_at = max(aware(request.expires_at), now + timedelta(days=link_days()))
    record(
        Action.FEEDBACK_REMINDED,
        actor=actor,
        actor_label=None if actor is not None else "automatic",
        target=request,
    )
    trainee = db.session.get(User, request.trainee_id)
    round_ = db.session.get(Round, request.round_id)
    assert trainee is not None and round_ is not None
    notices.tell_rater(actor, request, token, framework, trainee, round_.title, reminder=True)
    db.session.flush()
    return token


def _finished_reason(request: FeedbackRequest) -> Refusal:
    return {
        RequestStatus.WITHDRAWN: Refusal.WITHDRAWN,
        RequestStatus.ANSWERED: Refusal.ANSWERED,
        RequestStatus.DECLINED: Refusal.DECLINED,
    }.get(request.status, Refusal.EXPIRED)


def refusal_for_rater(request: FeedbackRequest) -> Refusal | None:
    """Why the rater cannot work on ``request`` now, or None when they can."""
    if request.status in FINISHED:
        return _finished_reason(request)
    if request.is_expired(utcnow()):
        return Refusal.EXPIRED
    return None


def _rater_label(actor: Viewer) -> tuple[User | None, str]:
    user = signed_in(actor)
    if user is not None:
        return user, user.email
    return None, "feedback link" if isinstance(actor, LinkHolder) else ""


def mark_opened(request: FeedbackRequest) -> None:
    """The rater opened the request (the first time counts); nothing else changes."""
    if request.status == RequestStatus.SENT and refusal_for_rater(request) is None:
        request.status = RequestStatus.OPENED
        request.opened_at = utcnow()
        db.session.flush()


def decline(actor: Viewer, request: FeedbackRequest, reason: str = "") -> None:
    """The rater says no; a second decline changes nothing."""
    if request.status == RequestStatus.DECLINED:
        return
    refused = refusal_for_rater(request)
    if refused is not None:
        raise FeedbackRefused(refused)
    request.status = RequestStatus.DECLINED
    request.declined_at = utcnow()
    request.decline_reason = reason.strip()
    user, label = _rater_label(actor)
    record(Action.FEEDBACK_DECLINED, actor=user, actor_label=label, target=request)
    db.session.flush()


# --- The answer ------------------------------------------------------------------------------


def response_of(request: FeedbackRequest) -> FeedbackResponse | None:
    """The rater's answer (draft or submitted), if begun."""
    return db.session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.request_id == request.id)
    )


def _get_or_create_response(request: FeedbackRequest) -> FeedbackResponse:
    found = response_of(request)
    if found is None:
        insert_ignoring_duplicates(FeedbackResponse, request_id=request.id, created_at=utcnow())
        found = response_of(request)
    assert found is not None
    return found


def rating_fingerprint(choice: str) -> str:
    """Digest of a rater's choice for one indicator (the page holds the same)."""
    return fingerprint(choice)


def narrative_fingerprint(works: str, grow: str, question: str) -> str:
    """Digest of a rater's three texts on one competency."""
    return fingerprint(works, grow, question)


def rating_choice(rating: FeedbackRating | None) -> str:
    """The radio value of a stored rating: a level, 'no', or ''."""
    if rating is None:
        return ""
    if rating.not_observed:
        return "no"
    return "" if rating.level is None else str(rating.level)


def stored_rating(rating: FeedbackRating | None) -> Stored:
    """What a stored rater's rating amounts to for a versioned save."""
    choice = rating_choice(rating)
    return Stored(rating.version if rating else 0, rating_fingerprint(choice), choice)


def stored_narrative(narrative: FeedbackNarrative | None) -> Stored:
    """What a stored narrative amounts to for a versioned save."""
    if narrative is None:
        return Stored(0, narrative_fingerprint("", "", ""), "")
    return Stored(
        narrative.version,
        narrative_fingerprint(narrative.works, narrative.grow, narrative.question),
        "\n\n".join(t for t in (narrative.works, narrative.grow, narrative.question) if t),
    )


def save_answer(
    actor: Viewer,
    request: FeedbackRequest,
    data: AnswerInput,
    indicators: Collection[int],
    competencies: Collection[int],
) -> SaveResult:
    """Save what the rater's page changed, field by field, without lost updates.

    ``indicators`` and ``competencies`` are the ids of those the request asks about: anything else
    the form sent is ignored, so the rater cannot widen their link by editing the form.
    """
    refused = refusal_for_rater(request)
    if refused is not None:
        raise FeedbackRefused(refused)
    response = _get_or_create_response(request)
    result = SaveResult()
    ratings = {
        r.indicator_id: r
        for r in db.session.scalars(
            select(FeedbackRating).where(FeedbackRating.response_id == response.id)
        )
    }
    for indicator_id, rating in data.ratings.items():
        if indicator_id not in indicators or rating.field in data.errors:
            continue
        level = int(rating.choice) if rating.choice.isdigit() else None
        save_versioned(
            FeedbackRating,
            {"response_id": response.id, "indicator_id": indicator_id},
            ratings.get(indicator_id),
            rating.edit,
            {"level": level, "not_observed": rating.choice == "no"},
            stored_rating,
            result,
        )
    narratives = {
        n.competency_id: n
        for n in db.session.scalars(
            select(FeedbackNarrative).where(FeedbackNarrative.response_id == response.id)
        )
    }
    for competency_id, text in data.narratives.items():
        if competency_id not in competencies or any(
            name.startswith(text.field + "-") for name in data.errors
        ):
            continue
        save_versioned(
            FeedbackNarrative,
            {"response_id": response.id, "competency_id": competency_id},
            narratives.get(competency_id),
            text.edit,
            {"works": text.works, "grow": text.grow, "question": text.question},
            stored_narrative,
            result,
        )
    if data.sector is not None and "sector" not in data.errors:
        response.sector = data.sector or None
        response.sector_other = data.sector_other
    result.errors.update({name: error.value for name, error in data.errors.items()})
    db.session.flush()
    return result


def submit_answer(actor: Viewer, request: FeedbackRequest) -> bool:
    """Send the answer to the trainee; True when it was sent now, False when it already was.

    A double submit is idempotent. An answer with nothing in it is refused.
    """
    if request.status == RequestStatus.ANSWERED:
        return False
    refused = refusal_for_rater(request)
    if refused is not None:
        raise FeedbackRefused(refused)
    response = response_of(request)
    if response is None or not _has_content(response):
        raise FeedbackRefused(Refusal.NOT_STARTED)
    now = utcnow()
    response.submitted_at = now
    request.status = RequestStatus.ANSWERED
    request.answered_at = now
    user, label = _rater_label(actor)
    record(Action.FEEDBACK_ANSWERED, actor=user, actor_label=label, target=request)
    notices.tell_trainee_answered(request, _round_title(request))
    db.session.flush()
    return True


def _round_title(request: FeedbackRequest) -> str:
    return db.session.scalar(select(Round.title).where(Round.id == request.round_id)) or ""


def _has_content(response: FeedbackResponse) -> bool:
    rated = db.session.scalar(
        select(FeedbackRating.id)
        .where(
            FeedbackRating.response_id == response.id,
            (FeedbackRating.level.is_not(None)) | FeedbackRating.not_observed,
        )
        .limit(1)
    )
    if rated is not None:
        return True
    written = db.session.scalar(
        select(FeedbackNarrative.id)
        .where(
            FeedbackNarrative.response_id == response.id,
            (FeedbackNarrative.works != "")
            | (FeedbackNarrative.grow != "")
            | (FeedbackNarrative.question != ""),
        )
        .limit(1)
    )
    return written is not None


# --- The dialogue ----------------------------------------------------------------------------


def reply_to_answer(actor: User, request: FeedbackRequest, data: ReplyInput) -> FeedbackReply:
    """The trainee replies to an identified answer (again: the reply is changed)."""
    if request.anonymous:
        raise FeedbackRefused(Refusal.NOT_SHOWN)  # anonymous answers are replied to per group
    if request.status != RequestStatus.ANSWERED:
        raise FeedbackRefused(Refusal.NOT_STARTED)
    existing = db.session.scalar(
        select(FeedbackReply).where(
            FeedbackReply.request_id == request.id, FeedbackReply.author == ReplyAuthor.TRAINEE
        )
    )
    reply = _write_reply(
        existing,
        data,
        round_id=request.round_id,
        trainee_id=request.trainee_id,
        request_id=request.id,
        group_key=None,
    )
    record(Action.FEEDBACK_REPLIED, actor=actor, target=request, kind="answer")
    if existing is None:
        # The rater hears of the first reply; without an account they need a new link.
        token = new_link(request) if request.rater_user_id is None else None
        notices.tell_rater_of_reply(actor, request, token, _round_title(request))
    db.session.flush()
    return reply


def reply_to_group(
    actor: User, round_: Round, group_key: str, data: ReplyInput, shown_groups: Sequence[str]
) -> FeedbackReply:
    """The trainee replies to an anonymous group summary they can see (``shown_groups``)."""
    if group_key not in shown_groups:
        raise FeedbackRefused(Refusal.NOT_SHOWN)
    existing = db.session.scalar(
        select(FeedbackReply).where(
            FeedbackReply.round_id == round_.id,
            FeedbackReply.trainee_id == actor.id,
            FeedbackReply.group_key == group_key,
            FeedbackReply.author == ReplyAuthor.TRAINEE,
        )
    )
    reply = _write_reply(
        existing,
        data,
        round_id=round_.id,
        trainee_id=actor.id,
        request_id=None,
        group_key=group_key,
    )
    record(Action.FEEDBACK_REPLIED, actor=actor, target=round_, kind="group", group=group_key)
    db.session.flush()
    return reply


def _write_reply(
    existing: FeedbackReply | None,
    data: ReplyInput,
    *,
    round_id: int,
    trainee_id: int,
    request_id: int | None,
    group_key: str | None,
) -> FeedbackReply:
    now = utcnow()
    if existing is None:
        reply = FeedbackReply(
            round_id=round_id,
            trainee_id=trainee_id,
            request_id=request_id,
            group_key=group_key,
            author=ReplyAuthor.TRAINEE,
            takeaway=data.takeaway,
            try_next=data.try_next,
            question=data.question,
            created_at=now,
            updated_at=now,
            version=1,
        )
        db.session.add(reply)
        return reply
    if existing.version != data.base_version:
        raise FeedbackRefused(Refusal.CONFLICT)
    existing.takeaway, existing.try_next, existing.question = (
        data.takeaway,
        data.try_next,
        data.question,
    )
    existing.version += 1
    existing.updated_at = now
    return existing


def rater_answers(actor: Viewer, request: FeedbackRequest, body: str) -> FeedbackReply:
    """The identified rater answers the trainee's reply, once."""
    if request.anonymous or request.status != RequestStatus.ANSWERED:
        raise FeedbackRefused(Refusal.NOT_SHOWN)
    trainee_reply = db.session.scalar(
        select(FeedbackReply.id).where(
            FeedbackReply.request_id == request.id, FeedbackReply.author == ReplyAuthor.TRAINEE
        )
    )
    if trainee_reply is None:
        raise FeedbackRefused(Refusal.NO_REPLY_YET)
    now = utcnow()
    inserted = insert_ignoring_duplicates(
        FeedbackReply,
        round_id=request.round_id,
        trainee_id=request.trainee_id,
        request_id=request.id,
        author=ReplyAuthor.RATER,
        body=body.strip(),
        takeaway="",
        try_next="",
        question="",
        version=1,
        created_at=now,
        updated_at=now,
    )
    if not inserted:
        raise FeedbackRefused(Refusal.ALREADY_REPLIED)
    user, label = _rater_label(actor)
    record(Action.FEEDBACK_REPLIED, actor=user, actor_label=label, target=request, kind="rater")
    notices.tell_trainee_of_rater_answer(request, _round_title(request))
    db.session.flush()
    found = db.session.scalar(
        select(FeedbackReply).where(
            FeedbackReply.request_id == request.id, FeedbackReply.author == ReplyAuthor.RATER
        )
    )
    assert found is not None
    return found


# --- Keeping contact details no longer than needed -------------------------------------------


def erase_old_contacts(today: date) -> int:
    """Erase the name and address of external raters whose request ended long enough ago.

    The answer stays (it is part of the trainee's portfolio); who gave it is then only
    their rater group. Returns how many requests were erased; safe to run again.
    """
    days = int(current_app.config["FEEDBACK_CONTACT_RETENTION_DAYS"])
    cutoff = utcnow() - timedelta(days=days)
    requests = db.session.scalars(
        select(FeedbackRequest).where(
            FeedbackRequest.rater_user_id.is_(None),
            FeedbackRequest.contact_erased_at.is_(None),
            FeedbackRequest.expires_at < cutoff,
        )
    ).all()
    for request in requests:
        request.rater_name = ""
        request.rater_email = f"erased-{request.id}@invalid"
        request.contact_erased_at = utcnow()
    db.session.flush()
    return len(requests)


# --- Giving feedback counts too ----------------------------------------------------------------

#: The indicator giving feedback is evidence for, when the framework has it.
GIVING_FEEDBACK_INDICATOR = "learning.willingness.feedback"


@dataclass(frozen=True)
class GivenFeedbackText:
    """The words of an evidence item about feedback the actor gave (already translated)."""

    title: str
    description: str


def given_as_evidence(
    actor: User, request: FeedbackRequest, text: GivenFeedbackText, framework: Framework
) -> EvidenceItem:
    """Put feedback ``actor`` gave (through their account) into their evidence library.

    The caller words it: an identified answer with the trainee's name and what the actor
    wrote; an anonymous one without name or content, so that the actor's own trainers, who
    read what the actor hands in, cannot tie it to the trainee who received it.
    """
    if request.rater_user_id != actor.id or request.status != RequestStatus.ANSWERED:
        raise FeedbackRefused(Refusal.NOT_STARTED)
    keys = tuple(
        key
        for _c, _e, indicator in framework.ratable()
        if (key := indicator.key) == GIVING_FEEDBACK_INDICATOR
    )
    answered = request.answered_at
    data = EvidenceData(
        title=text.title,
        kind=EvidenceKind.TEXT,
        occurred_on=aware(answered).date() if answered else None,
        description=text.description,
        indicator_keys=keys,
    )
    # A text item has no file: the store is never written to.
    return save_evidence(actor, None, data, FileStore("")).item


def narratives_given(request: FeedbackRequest) -> list[tuple[int, str, str]]:
    """The rater's own texts per competency id (what works, what could grow)."""
    response = response_of(request)
    if response is None:
        return []
    return [
        (n.competency_id, n.works, n.grow)
        for n in db.session.scalars(
            select(FeedbackNarrative)
            .where(FeedbackNarrative.response_id == response.id)
            .order_by(FeedbackNarrative.competency_id)
        )
        if n.works or n.grow
    ]
