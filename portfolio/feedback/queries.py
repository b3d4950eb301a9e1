"""What the feedback pages read, as plain data; every read of answers goes through the rule.

:func:`feedback_seen` is the only function that reads the content of answers for anyone
but the rater; it hands them to :func:`portfolio.feedback.anonymity.apply_rule`. Lists of
requests carry states and names, never content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import and_, case, func, select

from portfolio.accounts.models import User
from portfolio.assessment.models import Rating, Round, SelfAssessment
from portfolio.clock import aware, utcnow
from portfolio.cohorts.models import Cohort, CohortMembership, CohortRole
from portfolio.competencies.models import BehaviouralElement, Competency, Indicator
from portfolio.extensions import db
from portfolio.feedback.anonymity import Answer, Narrative, Seen, apply_rule
from portfolio.feedback.models import (
    FINISHED,
    FeedbackNarrative,
    FeedbackRating,
    FeedbackReply,
    FeedbackRequest,
    FeedbackResponse,
    ReplyAuthor,
    RequestStatus,
)
from portfolio.framework import Framework
from portfolio.paging import Page, read_page


def threshold() -> int:
    """k: how many anonymous answers a group needs before it is shown."""
    return max(1, int(current_app.config["FEEDBACK_ANONYMITY_THRESHOLD"]))


class Shown:
    """The states a request shows to the trainee (``expired`` is read off the clock)."""

    SENT = "sent"
    OPENED = "opened"
    ANSWERED = "answered"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"


def shown_state(status: RequestStatus, expires_at: datetime, now: datetime) -> str:
    """The state of a request as the trainee sees it."""
    if status not in FINISHED and now >= aware(expires_at):
        return Shown.EXPIRED
    return str(status.value)


@dataclass(frozen=True)
class RequestRow:
    """One request in the trainee's list: whom, which group, and where it stands."""

    id: int
    rater_name: str
    rater_email: str
    has_account: bool
    rater_group: str
    anonymous: bool
    state: str
    created_at: datetime
    expires_at: datetime
    reminders: int
    competency_keys: Sequence[str]

    @property
    def open(self) -> bool:
        """Still waiting for the rater (it can be reminded and withdrawn)."""
        return self.state in (Shown.SENT, Shown.OPENED)


def requests_of(round_id: int, trainee_id: int) -> list[RequestRow]:
    """The trainee's requests in a round, newest first (one statement)."""
    now = utcnow()
    rows = db.session.execute(
        select(FeedbackRequest)
        .where(FeedbackRequest.round_id == round_id, FeedbackRequest.trainee_id == trainee_id)
        .order_by(FeedbackRequest.created_at.desc(), FeedbackRequest.id.desc())
    ).scalars()
    return [
        RequestRow(
            r.id,
            r.rater_name,
            r.rater_email if r.contact_erased_at is None else "",
            r.rater_user_id is not None,
            r.rater_group,
            r.anonymous,
            shown_state(r.status, r.expires_at, now),
            aware(r.created_at),
            aware(r.expires_at),
            r.reminders,
            tuple(r.competency_keys),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Reply:
    """A turn of the dialogue."""

    author: ReplyAuthor
    takeaway: str
    try_next: str
    question: str
    body: str
    version: int
    updated_at: datetime


@dataclass(frozen=True)
class FeedbackSeen:
    """A trainee's feedback in a round as the rule allows, with the dialogue around it."""

    seen: Seen
    #: Per identified request id: the trainee's reply and the rater's answer to it.
    replies: dict[int, dict[ReplyAuthor, Reply]]
    #: Per shown group key: the trainee's reply to the summary.
    group_replies: dict[str, Reply]
    #: Per identified request id: the situation the rater saw, if named.
    situations: dict[int, tuple[date | None, str, str | None]]


def _reply(row: FeedbackReply) -> Reply:
    return Reply(
        row.author,
        row.takeaway,
        row.try_next,
        row.question,
        row.body,
        row.version,
        aware(row.updated_at),
    )


def submitted_answers(
    trainee_id: int, round_ids: Sequence[int], *, texts: bool
) -> dict[int, list[Answer]]:
    """Per round id: every submitted answer the trainee received in those rounds.

    The one reader of submitted answers: :func:`feedback_seen` (one round, with the texts)
    and :func:`seen_by_round` (the charts: levels only, no names, sectors or texts) both go
    through it, and the anonymity rule is applied to what it returns. Two statements, three
    with the texts, for any number of rounds.
    """
    by_round: dict[int, list[Answer]] = {rid: [] for rid in round_ids}
    if not round_ids:
        return by_round
    responses = db.session.execute(
        select(
            FeedbackResponse.id,
            FeedbackResponse.submitted_at,
            FeedbackResponse.sector,
            FeedbackResponse.sector_other,
            FeedbackRequest.id,
            FeedbackRequest.round_id,
            FeedbackRequest.rater_group,
            FeedbackRequest.anonymous,
            FeedbackRequest.created_at,
            FeedbackRequest.rater_name,
        )
        .join(FeedbackRequest, FeedbackRequest.id == FeedbackResponse.request_id)
        .where(
            FeedbackRequest.round_id.in_(list(round_ids)),
            FeedbackRequest.trainee_id == trainee_id,
            FeedbackRequest.status == RequestStatus.ANSWERED,
            FeedbackResponse.submitted_at.is_not(None),
        )
    ).all()
    if not responses:
        return by_round
    ids = [row[0] for row in responses]
    ratings: dict[int, dict[int, int | None]] = {}
    for response_id, indicator_id, level, not_observed in db.session.execute(
        select(
            FeedbackRating.response_id,
            FeedbackRating.indicator_id,
            FeedbackRating.level,
            FeedbackRating.not_observed,
        ).where(
            FeedbackRating.response_id.in_(ids),
            (FeedbackRating.level.is_not(None)) | FeedbackRating.not_observed,
        )
    ):
        ratings.setdefault(response_id, {})[indicator_id] = None if not_observed else level
    narratives: dict[int, dict[int, Narrative]] = {}
    if texts:
        for narrative in db.session.scalars(
            select(FeedbackNarrative).where(FeedbackNarrative.response_id.in_(ids))
        ):
            if narrative.works or narrative.grow or narrative.question:
                narratives.setdefault(narrative.response_id, {})[narrative.competency_id] = (
                    Narrative(narrative.works, narrative.grow, narrative.question)
                )
    for (
        response_id,
        submitted_at,
        sector,
        sector_other,
        request_id,
        round_id,
        rater_group,
        anonymous,
        created_at,
        rater_name,
    ) in responses:
        by_round[round_id].append(
            Answer(
                request_id,
                rater_group,
                anonymous,
                aware(submitted_at or created_at),
                (rater_name or "") if texts else "",
                (sector_other or sector or "") if texts else "",
                ratings.get(response_id, {}),
                narratives.get(response_id, {}),
            )
        )
    return by_round


def feedback_seen(round_id: int, trainee_id: int, framework: Framework) -> FeedbackSeen:
    """The trainee's feedback in a round under the anonymity rule (constant statements)."""
    seen = apply_rule(
        submitted_answers(trainee_id, [round_id], texts=True)[round_id],
        threshold(),
        [g.key for g in framework.feedback.rater_groups],
    )
    identified_ids = [a.request_id for a in seen.identified]
    shown_groups = set(seen.shown_group_keys)
    replies: dict[int, dict[ReplyAuthor, Reply]] = {}
    group_replies: dict[str, Reply] = {}
    for row in db.session.scalars(
        select(FeedbackReply).where(
            FeedbackReply.round_id == round_id, FeedbackReply.trainee_id == trainee_id
        )
    ):
        if row.request_id is not None and row.request_id in identified_ids:
            replies.setdefault(row.request_id, {})[row.author] = _reply(row)
        elif row.group_key is not None and row.group_key in shown_groups:
            group_replies[row.group_key] = _reply(row)
    situations: dict[int, tuple[date | None, str, str | None]] = {}
    if identified_ids:
        for request in db.session.scalars(
            select(FeedbackRequest).where(FeedbackRequest.id.in_(identified_ids))
        ):
            if request.situation or request.situation_date or request.tool_key:
                situations[request.id] = (
                    request.situation_date,
                    request.situation,
                    request.tool_key,
                )
    return FeedbackSeen(seen, replies, group_replies, situations)


# --- The rater's page ------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRef:
    """An indicator the rater is asked about."""

    id: int
    key: str
    competency_id: int
    element_id: int
    element_title: dict[str, str]
    text: dict[str, str]
    rated_as_whole: bool


@dataclass(frozen=True)
class CompetencyBlock:
    """One competency of the rater's form, with its indicators."""

    id: int
    key: str
    number: int
    name: dict[str, str]
    indicators: Sequence[IndicatorRef]


def asked_competencies(keys: Sequence[str]) -> list[CompetencyBlock]:
    """The current indicators of the competencies ``keys``, in framework order (one statement)."""
    rows = db.session.execute(
        select(Indicator, BehaviouralElement.title, Competency)
        .join(BehaviouralElement, BehaviouralElement.id == Indicator.element_id)
        .join(Competency, Competency.id == Indicator.competency_id)
        .where(
            Competency.key.in_(list(keys)),
            Competency.retired_at.is_(None),
            Indicator.retired_at.is_(None),
        )
        .order_by(Competency.number, BehaviouralElement.position, Indicator.position)
    ).all()
    blocks: dict[int, tuple[Competency, list[IndicatorRef]]] = {}
    for indicator, element_title, competency in rows:
        blocks.setdefault(competency.id, (competency, []))[1].append(
            IndicatorRef(
                indicator.id,
                indicator.key,
                competency.id,
                indicator.element_id,
                dict(element_title),
                dict(indicator.text),
                indicator.rated_as_whole,
            )
        )
    return [
        CompetencyBlock(c.id, c.key, c.number, dict(c.name), tuple(inds))
        for c, inds in blocks.values()
    ]


@dataclass(frozen=True)
class StoredChoice:
    """A rater's stored choice for one indicator, with what a save needs."""

    choice: str
    version: int
    fingerprint: str


@dataclass(frozen=True)
class StoredNarrative:
    """A rater's stored texts on one competency, with what a save needs."""

    works: str
    grow: str
    question: str
    version: int
    fingerprint: str


@dataclass(frozen=True)
class RaterDraft:
    """What the rater has saved so far (their own answer, nobody else's)."""

    ratings: dict[int, StoredChoice]
    narratives: dict[int, StoredNarrative]
    sector: str
    sector_other: str
    submitted: bool


def rater_draft(request_id: int) -> RaterDraft:
    """The rater's own answer to one request (three statements at most)."""
    from portfolio.feedback.services import (
        narrative_fingerprint,
        rating_choice,
        rating_fingerprint,
    )

    response = db.session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.request_id == request_id)
    )
    if response is None:
        return RaterDraft({}, {}, "", "", False)
    ratings = {}
    for rating in db.session.scalars(
        select(FeedbackRating).where(FeedbackRating.response_id == response.id)
    ):
        choice = rating_choice(rating)
        ratings[rating.indicator_id] = StoredChoice(
            choice, rating.version, rating_fingerprint(choice)
        )
    narratives = {
        n.competency_id: StoredNarrative(
            n.works,
            n.grow,
            n.question,
            n.version,
            narrative_fingerprint(n.works, n.grow, n.question),
        )
        for n in db.session.scalars(
            select(FeedbackNarrative).where(FeedbackNarrative.response_id == response.id)
        )
    }
    return RaterDraft(
        ratings,
        narratives,
        response.sector or "",
        response.sector_other,
        response.submitted_at is not None,
    )


def shared_self_ratings(request: FeedbackRequest) -> dict[int, str]:
    """The trainee's own ratings in the round, when they chose to share them (else empty)."""
    if not request.share_self_ratings:
        return {}
    rows = db.session.execute(
        select(Rating.indicator_id, Rating.level, Rating.not_judgeable)
        .join(SelfAssessment, SelfAssessment.id == Rating.self_assessment_id)
        .where(
            SelfAssessment.round_id == request.round_id,
            SelfAssessment.trainee_id == request.trainee_id,
        )
    ).all()
    return {
        indicator_id: ("nj" if not_judgeable else str(level))
        for indicator_id, level, not_judgeable in rows
        if not_judgeable or level is not None
    }


def rater_replies(request_id: int) -> dict[ReplyAuthor, Reply]:
    """The dialogue on one identified answer, for its rater."""
    return {
        row.author: _reply(row)
        for row in db.session.scalars(
            select(FeedbackReply).where(FeedbackReply.request_id == request_id)
        )
    }


# --- Lists -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskedRow:
    """A request to a signed-in person, for their "Feedback asked of you" list."""

    id: int
    trainee_name: str
    round_title: str
    state: str
    expires_at: datetime
    anonymous: bool


def asked_of(user_id: int) -> list[AskedRow]:
    """Requests to this account that still wait, and answered ones with a reply to read."""
    now = utcnow()
    rows = db.session.execute(
        select(FeedbackRequest, User.name, Round.title)
        .join(User, User.id == FeedbackRequest.trainee_id)
        .join(Round, Round.id == FeedbackRequest.round_id)
        .where(
            FeedbackRequest.rater_user_id == user_id,
            FeedbackRequest.status.in_([RequestStatus.SENT, RequestStatus.OPENED]),
            FeedbackRequest.expires_at > now,
        )
        .order_by(FeedbackRequest.expires_at, FeedbackRequest.id)
    ).all()
    return [
        AskedRow(
            r.id,
            name,
            title,
            shown_state(r.status, r.expires_at, now),
            aware(r.expires_at),
            r.anonymous,
        )
        for r, name, title in rows
    ]


@dataclass(frozen=True)
class GivenRow:
    """Feedback this person gave through their account."""

    id: int
    trainee_name: str
    round_title: str
    answered_at: datetime
    anonymous: bool
    has_reply: bool


def given_by(user_id: int) -> list[GivenRow]:
    """Answers this account gave, newest first (one statement)."""
    replied = (
        select(FeedbackReply.request_id)
        .where(FeedbackReply.author == ReplyAuthor.TRAINEE, FeedbackReply.request_id.is_not(None))
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(
            FeedbackRequest.id,
            User.name,
            Round.title,
            FeedbackRequest.answered_at,
            FeedbackRequest.anonymous,
            FeedbackRequest.id.in_(replied),
        )
        .join(User, User.id == FeedbackRequest.trainee_id)
        .join(Round, Round.id == FeedbackRequest.round_id)
        .where(
            FeedbackRequest.rater_user_id == user_id,
            FeedbackRequest.status == RequestStatus.ANSWERED,
        )
        .order_by(FeedbackRequest.answered_at.desc())
    ).all()
    return [
        GivenRow(rid, name, title, aware(at or utcnow()), anon, bool(has))
        for rid, name, title, at, anon, has in rows
    ]


@dataclass(frozen=True)
class CohortFeedbackRow:
    """Per trainee of a cohort, in one round: how many asked, answered, still open."""

    trainee_id: int
    name: str
    requested: int
    answered: int
    outstanding: int
    groups: int


def cohort_feedback(round_: Round, page: int = 1) -> Page[CohortFeedbackRow]:
    """One page of the round's feedback per trainee of its cohort, counted in SQL.

    One statement, with the total for the pager, however large the cohort.
    """
    now = utcnow()
    live = FeedbackRequest.status != RequestStatus.WITHDRAWN
    open_ = and_(
        FeedbackRequest.status.in_([RequestStatus.SENT, RequestStatus.OPENED]),
        FeedbackRequest.expires_at > now,
    )
    answered = FeedbackRequest.status == RequestStatus.ANSWERED
    query = (
        select(
            User.id,
            User.name,
            func.count(FeedbackRequest.id).filter(live),
            func.count(FeedbackRequest.id).filter(answered),
            func.count(FeedbackRequest.id).filter(open_),
            func.count(func.distinct(case((answered, FeedbackRequest.rater_group)))),
        )
        .select_from(CohortMembership)
        .join(User, User.id == CohortMembership.user_id)
        .outerjoin(
            FeedbackRequest,
            and_(FeedbackRequest.trainee_id == User.id, FeedbackRequest.round_id == round_.id),
        )
        .where(
            CohortMembership.cohort_id == round_.cohort_id,
            CohortMembership.role == CohortRole.TRAINEE,
        )
        .group_by(User.id, User.name)
        .order_by(User.name, User.id)
    )
    found, _rows = read_page(query, page, lambda row: CohortFeedbackRow(*row))
    return found


@dataclass(frozen=True)
class MemberChoice:
    """A cohort member a trainee can ask."""

    id: int
    name: str
    role: CohortRole


def askable_members(cohort: Cohort, trainee_id: int) -> list[MemberChoice]:
    """The cohort's trainers and fellow trainees, without the trainee (one statement)."""
    rows = db.session.execute(
        select(User.id, User.name, CohortMembership.role)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .where(
            CohortMembership.cohort_id == cohort.id,
            CohortMembership.role.in_([CohortRole.TRAINER, CohortRole.TRAINEE]),
            User.id != trainee_id,
            User.active.is_(True),
        )
        .order_by(CohortMembership.role.desc(), User.name)
    ).all()
    return [MemberChoice(uid, name, role) for uid, name, role in rows]


@dataclass(frozen=True)
class RoundSummary:
    """The trainee's feedback in a round at a glance: asked, answered, open, which groups."""

    asked: int
    answered: int
    open: int
    groups: Sequence[str]


def round_summary(round_id: int, trainee_id: int) -> RoundSummary:
    """Counts of the trainee's requests in the round (one statement)."""
    now = utcnow()
    rows = db.session.execute(
        select(
            FeedbackRequest.status, FeedbackRequest.expires_at, FeedbackRequest.rater_group
        ).where(FeedbackRequest.round_id == round_id, FeedbackRequest.trainee_id == trainee_id)
    ).all()
    states = [(shown_state(status, expires, now), group) for status, expires, group in rows]
    return RoundSummary(
        sum(1 for state, _g in states if state != Shown.WITHDRAWN),
        sum(1 for state, _g in states if state == Shown.ANSWERED),
        sum(1 for state, _g in states if state in (Shown.SENT, Shown.OPENED)),
        sorted({group for state, group in states if state == Shown.ANSWERED}),
    )


# --- Charts: every round of one trainee, under the rule ----------------------------------------


def seen_by_round(
    trainee_id: int, round_ids: Sequence[int], framework: Framework
) -> dict[int, Seen]:
    """Per round: what the rule shows of the trainee's feedback ratings (two statements for
    all rounds together). Texts are not read: the charts need the levels only."""
    order = [g.key for g in framework.feedback.rater_groups]
    return {
        rid: apply_rule(answers, threshold(), order)
        for rid, answers in submitted_answers(trainee_id, round_ids, texts=False).items()
    }


@dataclass(frozen=True)
class RoundDialogue:
    """A round's feedback under the rule, with its texts, and the dialogue around it."""

    seen: Seen
    #: Per identified request id: the trainee's reply and the rater's answer to it.
    replies: dict[int, dict[ReplyAuthor, Reply]]
    #: Per shown group key: the trainee's reply to the summary.
    group_replies: dict[str, Reply]


def dialogue_by_round(
    trainee_id: int, round_ids: Sequence[int], framework: Framework
) -> dict[int, RoundDialogue]:
    """Per round: what the rule shows of the trainee's feedback, texts included, and the
    replies to what is shown (four statements for all rounds together). Replies to answers
    the rule hides are left out, as on the trainee's page (:func:`feedback_seen`)."""
    order = [g.key for g in framework.feedback.rater_groups]
    seen = {
        rid: apply_rule(answers, threshold(), order)
        for rid, answers in submitted_answers(trainee_id, round_ids, texts=True).items()
    }
    replies: dict[int, dict[int, dict[ReplyAuthor, Reply]]] = {rid: {} for rid in seen}
    group_replies: dict[int, dict[str, Reply]] = {rid: {} for rid in seen}
    if seen:
        identified = {rid: {a.request_id for a in rule.identified} for rid, rule in seen.items()}
        shown = {rid: set(rule.shown_group_keys) for rid, rule in seen.items()}
        for row in db.session.scalars(
            select(FeedbackReply)
            .where(FeedbackReply.round_id.in_(list(seen)), FeedbackReply.trainee_id == trainee_id)
            .order_by(FeedbackReply.id)
        ):
            if row.request_id is not None and row.request_id in identified[row.round_id]:
                replies[row.round_id].setdefault(row.request_id, {})[row.author] = _reply(row)
            elif row.group_key is not None and row.group_key in shown[row.round_id]:
                group_replies[row.round_id][row.group_key] = _reply(row)
    return {
        rid: RoundDialogue(rule, replies[rid], group_replies[rid]) for rid, rule in seen.items()
    }
