"""Everything the application holds about one person, as plain data (the right of access
and of data portability, GDPR articles 15 and 20).

:func:`personal_data` reads every table that names the person, through one map that says
for each reference to an account where it goes in the download or why it is left out
(:data:`SECTIONS` and :data:`LEFT_OUT`; a test fails when a new table refers to accounts
and appears in neither). What the person wrote, uploaded, chose or was sent is included
whole. What others wrote about them follows the rules of the pages: feedback is included
as the portfolio export has it (the anonymity rule applied, through the same query), and
each portfolio and each hand-in comes as a file in the portfolio export's own schema
(``docs/portfolio-schema.json``). Secrets never leave: password hashes, the hashes of
tokens and links, and the names files are stored under.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import inspect, or_, select

from portfolio.accounts.models import PasswordReset, User
from portfolio.api.models import AccessToken
from portfolio.assessment.models import Rating, Reflection, Round, SelfAssessment, Submission
from portfolio.audit.models import AuditEvent
from portfolio.clock import utcnow
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    GovernanceMembership,
    Invitation,
    Organisation,
)
from portfolio.competencies.models import Competency, Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceVersion, evidence_indicators
from portfolio.extensions import db
from portfolio.feedback.models import (
    FeedbackNarrative,
    FeedbackRating,
    FeedbackReply,
    FeedbackRequest,
    FeedbackResponse,
    ReplyAuthor,
)
from portfolio.governance.models import Decision, StandAside, Vote
from portfolio.judging.models import AssessorAssignment, AssessorConflict, Judgement
from portfolio.notifications.models import Notification, NotificationPreference
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from portfolio.reviews.models import ReviewMessage, ReviewThread

#: The download's kind and format, as in the file.
KIND = "dialogical-personal-data"
FORMAT = 1

#: Columns that never leave, whatever the table: secrets and where files are kept.
SECRET_COLUMNS = frozenset(
    {"password_hash", "token_hash", "session_version", "stored_name", "dedupe_key"}
)

#: (table, column that refers to the account) → the section of the download it goes to.
SECTIONS: dict[tuple[str, str], str] = {
    ("users", "id"): "account",
    ("cohort_memberships", "user_id"): "cohorts",
    ("governance_memberships", "user_id"): "governance",
    ("invitations", "accepted_by_id"): "invitations_accepted",
    ("invitations", "invited_by_id"): "invitations_sent",
    ("password_resets", "user_id"): "password_resets",
    ("access_tokens", "user_id"): "api_tokens",
    ("notification_preferences", "user_id"): "notification_preferences",
    ("notifications", "recipient_id"): "notifications",
    ("audit_events", "actor_id"): "actions",
    ("self_assessments", "trainee_id"): "self_assessments",
    ("submissions", "submitted_by_id"): "self_assessments",
    ("evidence_items", "owner_id"): "evidence",
    ("evidence_versions", "owner_id"): "evidence_versions",
    ("feedback_requests", "trainee_id"): "feedback_asked",
    ("feedback_replies", "trainee_id"): "feedback_asked",
    ("feedback_requests", "rater_user_id"): "feedback_given",
    ("portfolios", "trainee_id"): "portfolios",
    ("portfolio_snapshots", "handed_in_by_id"): "portfolios",
    ("review_threads", "trainee_id"): "review_threads",
    ("review_threads", "author_id"): "review_threads",
    ("review_messages", "author_id"): "review_threads",
    ("assessor_assignments", "assessor_id"): "assessing",
    ("assessor_conflicts", "trainer_id"): "assessing",
    ("governance_decisions", "candidate_id"): "decisions_about_you",
    ("governance_votes", "voter_id"): "governance_votes",
    ("governance_stand_asides", "user_id"): "governance_stand_asides",
}
#: References to an account that the download leaves out, and why.
LEFT_OUT: dict[tuple[str, str], str] = {
    ("notifications", "actor_id"): "a message to someone else; the action is in `actions`",
    ("self_assessments", "reopened_by_id"): "a trainer's step on a trainee's work, in `actions`",
    ("portfolio_returns", "returned_by_id"): "a trainer's step on a trainee's work, in `actions`",
    ("review_threads", "handled_by_id"): "who marked a thread handled; the thread is included",
    ("assessor_assignments", "assigned_by_id"): "a step on someone's assessment, in `actions`",
    ("consensus_entries", "updated_by_id"): "the assessors' joint text, in the trainee's verdict",
    ("governance_decisions", "opened_by_id"): "a step in the group's decision, in `actions`",
    ("governance_decisions", "closed_by_id"): "a step in the group's decision, in `actions`",
}


def plain(value: Any) -> Any:
    """A column value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def row(obj: Any, *, leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """Every column of an ORM object, by column name, secrets left out."""
    skip = SECRET_COLUMNS | set(leave_out)
    return {
        column.key: plain(getattr(obj, column.key))
        for column in inspect(type(obj)).columns
        if column.key not in skip
    }


@dataclass(frozen=True)
class StoredFile:
    """A file of the person's to put in the download."""

    path: str
    stored_name: str
    sha256: str | None


def _safe(name: str) -> str:
    from portfolio.portfolios.exports import _safe_name

    return _safe_name(name)


def _grouped(
    model: Any, parent: Any, ids: Sequence[int], make: Callable[[Any], dict[str, Any]] = row
) -> dict[int, list[dict[str, Any]]]:
    """The rows of ``model`` whose ``parent`` column is one of ``ids``, made into dicts and
    grouped by that parent, in id order (one statement, none without ids)."""
    grouped: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if ids:
        for obj in db.session.scalars(select(model).where(parent.in_(ids)).order_by(model.id)):
            grouped[getattr(obj, parent.key)].append(make(obj))
    return grouped


def _indicator_keys() -> dict[int, str]:
    return dict(db.session.execute(select(Indicator.id, Indicator.key)).all())


def _competency_keys() -> dict[int, str]:
    return dict(db.session.execute(select(Competency.id, Competency.key)).all())


def _account(user: User) -> dict[str, Any]:
    return row(user)


def _cohorts(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(CohortMembership, Cohort.name, Organisation.name)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .join(Organisation, Organisation.id == Cohort.organisation_id)
        .where(CohortMembership.user_id == user_id)
        .order_by(CohortMembership.id)
    ).all()
    return [{**row(m), "cohort_name": cohort, "organisation_name": org} for m, cohort, org in rows]


def _governance(user_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(GovernanceMembership, Organisation.name)
        .join(Organisation, Organisation.id == GovernanceMembership.organisation_id)
        .where(GovernanceMembership.user_id == user_id)
        .order_by(GovernanceMembership.id)
    ).all()
    return [{**row(m), "organisation_name": org} for m, org in rows]


def _rows_of(
    model: Any, *where: Any, order: Any = None, leave_out: Iterable[str] = ()
) -> list[dict[str, Any]]:
    keys = inspect(model).primary_key
    statement = select(model).where(*where).order_by(*([order] if order is not None else keys))
    return [row(obj, leave_out=leave_out) for obj in db.session.scalars(statement)]


def _self_assessments(user_id: int) -> list[dict[str, Any]]:
    indicators = _indicator_keys()
    competencies = _competency_keys()
    assessments = db.session.execute(
        select(SelfAssessment, Round.title, Round.cohort_id)
        .join(Round, Round.id == SelfAssessment.round_id)
        .where(SelfAssessment.trainee_id == user_id)
        .order_by(Round.opens_on, SelfAssessment.id)
    ).all()
    ids = [a.id for a, _t, _c in assessments]
    ratings = _grouped(
        Rating,
        Rating.self_assessment_id,
        ids,
        lambda r: {**row(r), "indicator_key": indicators.get(r.indicator_id)},
    )
    reflections = _grouped(
        Reflection,
        Reflection.self_assessment_id,
        ids,
        lambda r: {**row(r), "competency_key": competencies.get(r.competency_id)},
    )
    # The frozen content is the same ratings and reflections as handed in.
    hand_ins = _grouped(
        Submission, Submission.self_assessment_id, ids, lambda s: row(s, leave_out={"content"})
    )
    return [
        {
            **row(a),
            "round_title": title,
            "cohort_id": cohort_id,
            "ratings": ratings[a.id],
            "reflections": reflections[a.id],
            "hand_ins": hand_ins[a.id],
        }
        for a, title, cohort_id in assessments
    ]


def _evidence(user_id: int) -> tuple[list[dict[str, Any]], list[StoredFile]]:
    indicators = _indicator_keys()
    linked: dict[int, list[str]] = {}
    for item_id, indicator_id in db.session.execute(
        select(evidence_indicators.c.evidence_id, evidence_indicators.c.indicator_id)
        .join(EvidenceItem, EvidenceItem.id == evidence_indicators.c.evidence_id)
        .where(EvidenceItem.owner_id == user_id)
    ):
        linked.setdefault(item_id, []).append(indicators.get(indicator_id, ""))
    items, files = [], []
    for item in db.session.scalars(
        select(EvidenceItem).where(EvidenceItem.owner_id == user_id).order_by(EvidenceItem.id)
    ):
        entry = {**row(item), "indicator_keys": sorted(linked.get(item.id, []))}
        if item.stored_name and item.file_name:
            path = f"files/evidence-{item.id}-{_safe(item.file_name)}"
            entry["file_path"] = path
            files.append(StoredFile(path, item.stored_name, item.file_sha256))
        items.append(entry)
    return items, files


def _evidence_versions(user_id: int) -> tuple[list[dict[str, Any]], list[StoredFile]]:
    versions, files = [], []
    for version in db.session.scalars(
        select(EvidenceVersion)
        .where(EvidenceVersion.owner_id == user_id)
        .order_by(EvidenceVersion.id)
    ):
        entry = row(version)
        if version.stored_name and version.file_name:
            path = f"files/version-{version.id}-{_safe(version.file_name)}"
            entry["file_path"] = path
            files.append(StoredFile(path, version.stored_name, version.file_sha256))
        versions.append(entry)
    return versions, files


def _feedback_asked(user_id: int) -> list[dict[str, Any]]:
    """The requests the person made (to whom, about what, how it went) and the replies they
    wrote. What raters answered is in the portfolios, under the anonymity rule."""
    requests = db.session.execute(
        select(FeedbackRequest, Round.title)
        .join(Round, Round.id == FeedbackRequest.round_id)
        .where(FeedbackRequest.trainee_id == user_id)
        .order_by(FeedbackRequest.id)
    ).all()
    replies = db.session.scalars(
        select(FeedbackReply)
        .where(FeedbackReply.trainee_id == user_id, FeedbackReply.author == ReplyAuthor.TRAINEE)
        .order_by(FeedbackReply.id)
    ).all()
    by_request: dict[int | None, list[dict[str, Any]]] = {}
    for reply in replies:
        by_request.setdefault(reply.request_id, []).append(row(reply))
    out = [
        {
            **row(r, leave_out={"rater_user_id"}),
            "round_title": title,
            "my_replies": by_request.get(r.id, []),
        }
        for r, title in requests
    ]
    if None in by_request:  # replies to a group's summary, not to one request
        out.append({"replies_to_summaries": by_request[None]})
    return out


def _answer_parts(
    response_ids: Sequence[int],
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, list[dict[str, Any]]]]:
    """Per answer: its levels per indicator and its texts per competency, by their keys."""
    indicators = _indicator_keys()
    competencies = _competency_keys()
    levels = _grouped(
        FeedbackRating,
        FeedbackRating.response_id,
        response_ids,
        lambda r: {**row(r), "indicator_key": indicators.get(r.indicator_id)},
    )
    texts = _grouped(
        FeedbackNarrative,
        FeedbackNarrative.response_id,
        response_ids,
        lambda n: {**row(n), "competency_key": competencies.get(n.competency_id)},
    )
    return levels, texts


def _feedback_given(user_id: int) -> list[dict[str, Any]]:
    """The answers the person gave as a rater with an account, whole: they wrote them."""
    rows = db.session.execute(
        select(FeedbackRequest, FeedbackResponse, User.name, Round.title)
        .join(User, User.id == FeedbackRequest.trainee_id)
        .join(Round, Round.id == FeedbackRequest.round_id)
        .outerjoin(FeedbackResponse, FeedbackResponse.request_id == FeedbackRequest.id)
        .where(FeedbackRequest.rater_user_id == user_id)
        .order_by(FeedbackRequest.id)
    ).all()
    levels, texts = _answer_parts([r.id for _q, r, _n, _t in rows if r is not None])
    keep = {
        "id",
        "round_id",
        "rater_group",
        "competency_keys",
        "situation_date",
        "situation",
        "message",
        "anonymous",
        "language",
        "status",
        "created_at",
        "answered_at",
        "declined_at",
        "decline_reason",
    }
    return [
        {
            **{k: v for k, v in row(request).items() if k in keep},
            "trainee_name": trainee,
            "round_title": title,
            "answer": None
            if response is None
            else {
                **row(response),
                "ratings": levels[response.id],
                "texts": texts[response.id],
            },
        }
        for request, response, trainee, title in rows
    ]


def _review_threads(user_id: int) -> list[dict[str, Any]]:
    threads = db.session.scalars(
        select(ReviewThread)
        .where(or_(ReviewThread.trainee_id == user_id, ReviewThread.author_id == user_id))
        .order_by(ReviewThread.id)
    ).all()
    messages = _grouped(ReviewMessage, ReviewMessage.thread_id, [t.id for t in threads])
    return [{**row(t), "messages": messages[t.id]} for t in threads]


def _assessing(user_id: int) -> dict[str, Any]:
    assignments = db.session.scalars(
        select(AssessorAssignment)
        .where(AssessorAssignment.assessor_id == user_id)
        .order_by(AssessorAssignment.id)
    ).all()
    judgements = _grouped(Judgement, Judgement.assignment_id, [a.id for a in assignments])
    return {
        "assignments": [{**row(a), "judgements": judgements[a.id]} for a in assignments],
        "conflicts_declared": _rows_of(AssessorConflict, AssessorConflict.trainer_id == user_id),
    }


def portfolio_file(cohort_id: int, number: int | None = None) -> str:
    """Where a portfolio (``number`` None: as it stands now) or a hand-in of it goes."""
    if number is None:
        return f"portfolios/cohort-{cohort_id}-current.json"
    return f"portfolios/cohort-{cohort_id}-hand-in-{number}.json"


def _portfolios(user_id: int) -> list[dict[str, Any]]:
    """Per cohort the person is a trainee of (or has a portfolio in): the portfolio's row,
    the file with the portfolio as it stands, and the files of its hand-ins."""
    portfolios = {
        p.cohort_id: p
        for p in db.session.scalars(select(Portfolio).where(Portfolio.trainee_id == user_id))
    }
    names = {
        cohort_id: name
        for cohort_id, name in db.session.execute(
            select(Cohort.id, Cohort.name).where(Cohort.id.in_(trainee_cohorts(user_id)))
        )
    }
    snapshots: dict[int, list[dict[str, Any]]] = {}
    for snapshot, cohort_id in db.session.execute(
        select(PortfolioSnapshot, Portfolio.cohort_id)
        .join(Portfolio, Portfolio.id == PortfolioSnapshot.portfolio_id)
        .where(Portfolio.trainee_id == user_id)
        .order_by(PortfolioSnapshot.id)
    ):
        snapshots.setdefault(cohort_id, []).append(
            {
                **row(snapshot, leave_out={"content"}),
                "file": portfolio_file(cohort_id, snapshot.number),
            }
        )
    return [
        {
            "cohort_id": cohort_id,
            "cohort_name": names.get(cohort_id, ""),
            "portfolio": row(portfolios[cohort_id]) if cohort_id in portfolios else None,
            "file": portfolio_file(cohort_id),
            "hand_ins": snapshots.get(cohort_id, []),
        }
        for cohort_id in sorted(names)
    ]


def trainee_cohorts(user_id: int) -> list[int]:
    """The cohorts the person is a trainee of, or has a portfolio in."""
    from portfolio.cohorts.models import CohortRole

    members = db.session.scalars(
        select(CohortMembership.cohort_id).where(
            CohortMembership.user_id == user_id, CohortMembership.role == CohortRole.TRAINEE
        )
    ).all()
    started = db.session.scalars(
        select(Portfolio.cohort_id).where(Portfolio.trainee_id == user_id)
    ).all()
    return sorted(set(members) | set(started))


@dataclass(frozen=True)
class PersonalData:
    """The download's main file as data, and the person's files to put beside it."""

    data: dict[str, Any]
    files: Sequence[StoredFile]


def personal_data(user: User) -> PersonalData:
    """Everything about ``user`` (a fixed number of statements per section)."""
    evidence, evidence_files = _evidence(user.id)
    versions, version_files = _evidence_versions(user.id)
    data: dict[str, Any] = {
        "kind": KIND,
        "format": FORMAT,
        "made_at": utcnow().isoformat(),
        "account": _account(user),
        "cohorts": _cohorts(user.id),
        "governance": _governance(user.id),
        "invitations_accepted": _rows_of(Invitation, Invitation.accepted_by_id == user.id),
        "invitations_sent": _rows_of(Invitation, Invitation.invited_by_id == user.id),
        "password_resets": _rows_of(PasswordReset, PasswordReset.user_id == user.id),
        "api_tokens": _rows_of(AccessToken, AccessToken.user_id == user.id),
        "notification_preferences": _rows_of(
            NotificationPreference, NotificationPreference.user_id == user.id
        ),
        "notifications": _rows_of(
            Notification,
            Notification.recipient_id == user.id,
            # The delivery's inner workings say nothing about the person.
        ),
        "actions": _rows_of(AuditEvent, AuditEvent.actor_id == user.id),
        "self_assessments": _self_assessments(user.id),
        "evidence": evidence,
        "evidence_versions": versions,
        "feedback_asked": _feedback_asked(user.id),
        "feedback_given": _feedback_given(user.id),
        "review_threads": _review_threads(user.id),
        "assessing": _assessing(user.id),
        "portfolios": _portfolios(user.id),
        # What the candidate reads of a decision: its question, outcome and the group's
        # rationale, never the members' votes nor their count.
        "decisions_about_you": _rows_of(
            Decision,
            Decision.candidate_id == user.id,
            leave_out={"tally", "opened_by_id", "closed_by_id", "version"},
        ),
        "governance_votes": _rows_of(Vote, Vote.voter_id == user.id),
        "governance_stand_asides": _rows_of(StandAside, StandAside.user_id == user.id),
    }
    return PersonalData(data, [*evidence_files, *version_files])


def rater_data(request: FeedbackRequest) -> dict[str, Any]:
    """What the application holds about the rater of one request who has no account: their
    contact details as the trainee gave them, what they were asked, their answer and the
    replies exchanged about it (for the rater, through their link)."""
    trainee_name, round_title = db.session.execute(
        select(User.name, Round.title)
        .join(Round, Round.id == request.round_id)
        .where(User.id == request.trainee_id)
    ).one()
    response = db.session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.request_id == request.id)
    )
    answer: dict[str, Any] | None = None
    if response is not None:
        levels, texts = _answer_parts([response.id])
        answer = {**row(response), "ratings": levels[response.id], "texts": texts[response.id]}
    replies = [
        row(reply)
        for reply in db.session.scalars(
            select(FeedbackReply)
            .where(FeedbackReply.request_id == request.id)
            .order_by(FeedbackReply.id)
        )
    ]
    asked = row(request, leave_out={"rater_user_id", "trainee_id", "rater_name", "rater_email"})
    return {
        "kind": "dialogical-rater-data",
        "format": FORMAT,
        "made_at": utcnow().isoformat(),
        "contact": {
            "name": request.rater_name,
            "email": request.rater_email,
            "erased_at": plain(request.contact_erased_at),
        },
        "request": {**asked, "asked_by": trainee_name, "round_title": round_title},
        "answer": answer,
        "replies": replies,
    }
