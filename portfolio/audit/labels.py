"""The people and objects of audit events in words, with a link where the reader may go.

Everything a page of the log names is loaded in bulk: one statement for the people (the
actors and the accounts acted on) and one per kind of object, however many events the
page shows. Links lead only to pages the policy lets the reader open (a cohort, an
organisation, a round's overview); never into a portfolio, which an administrator may
not read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.audit.actions import ObjectType
from portfolio.audit.models import AuditEvent
from portfolio.extensions import db
from portfolio.policy import Viewer


@dataclass(frozen=True)
class Named:
    """Something in words, and where to read more about it (if the reader may)."""

    text: str
    url: str | None = None
    detail: str = ""


#: What an object is, for objects that no longer exist.
OBJECT_TYPES: dict[str, LazyString] = {
    ObjectType.USER: _l("account"),
    ObjectType.COHORT: _l("cohort"),
    ObjectType.DECISION: _l("governance decision"),
    ObjectType.ORGANISATION: _l("organisation"),
    ObjectType.ROUND: _l("round"),
    ObjectType.SELF_ASSESSMENT: _l("self-assessment"),
    ObjectType.EVIDENCE_ITEM: _l("evidence item"),
    ObjectType.INVITATION: _l("invitation"),
    ObjectType.FEEDBACK_REQUEST: _l("feedback request"),
    ObjectType.PORTFOLIO_SNAPSHOT: _l("portfolio hand-in"),
    ObjectType.FINAL_ASSESSMENT: _l("final assessment"),
    ObjectType.REVIEW_THREAD: _l("review comment"),
}

#: The names of the details events carry.
DETAIL_LABELS = {
    "admin": _l("administrator"),
    "assessor": _l("assessor"),
    "candidate": _l("candidate"),
    "attempt": _l("attempt"),
    "closes_on": _l("closes on"),
    "cohort": _l("cohort"),
    "email": _l("e-mail address"),
    "email_off": _l("e-mail turned off for"),
    "email_on": _l("e-mail turned on for"),
    "first_day": _l("first day"),
    "kind": _l("kind"),
    "last_day": _l("last day"),
    "member": _l("member organisation"),
    "members": _l("members who may vote"),
    "name": _l("name"),
    "number": _l("number"),
    "opens_on": _l("opens on"),
    "organisation": _l("organisation"),
    "outcome": _l("outcome"),
    "part": _l("part of the work"),
    "portfolio": _l("portfolio"),
    "reason": _l("reason"),
    "reopened": _l("opened again"),
    "role": _l("role"),
    "rule": _l("decision rule"),
    "round": _l("round"),
    "seat": _l("seat"),
    "sha256": _l("SHA-256"),
    "title": _l("title"),
    "trainee": _l("trainee"),
    "user": _l("person"),
    "verdict": _l("verdict"),
    "version": _l("version"),
    "via": _l("by way of"),
    "votes": _l("votes cast"),
}


def detail_label(key: str) -> str:
    """The name of a detail in words (the key itself if unknown)."""
    label = DETAIL_LABELS.get(key)
    return str(label) if label is not None else key.replace("_", " ")


def person(user: User | None, fallback: str = "") -> Named:
    """A person by name, with the e-mail address as detail."""
    if user is None:
        return Named(fallback or "—")
    return Named(user.name or user.email, None, user.email if user.name else "")


def _cohort(viewer: Viewer, cohort: Any) -> Named:
    url = url_for("cohorts.cohort", cohort_id=cohort.id)
    return Named(cohort.name, url if policy.can_view_cohort(viewer, cohort) else None)


def _organisation(viewer: Viewer, organisation: Any) -> Named:
    url = url_for("cohorts.organisation", organisation_id=organisation.id)
    allowed = policy.can_view_organisation(viewer, organisation)
    return Named(organisation.name, url if allowed else None)


def _round(viewer: Viewer, round_: Any) -> Named:
    url = url_for("assessment.round_progress", round_id=round_.id)
    return Named(
        _("round “%(title)s” of %(cohort)s", title=round_.title, cohort=round_.cohort.name),
        url if policy.can_manage_rounds(viewer, round_.cohort) else None,
    )


def _self_assessment(viewer: Viewer, assessment: Any) -> Named:
    round_ = assessment.round
    url = url_for("assessment.round_progress", round_id=round_.id)
    return Named(
        _(
            "self-assessment of %(trainee)s in “%(round)s”",
            trainee=assessment.trainee.name or assessment.trainee.email,
            round=round_.title,
        ),
        url if policy.can_manage_rounds(viewer, round_.cohort) else None,
    )


def _snapshot(_viewer: Viewer, snapshot: Any) -> Named:
    # A portfolio is read by its trainee and trainers only: named, never linked from the log.
    trainee = snapshot.portfolio.trainee
    return Named(
        _(
            "portfolio of %(trainee)s, hand-in %(number)s",
            trainee=trainee.name or trainee.email,
            number=snapshot.number,
        )
    )


def _evidence(_viewer: Viewer, item: Any) -> Named:
    # Evidence belongs to a portfolio: named, never linked from the log.
    return Named(
        _("evidence “%(title)s” of %(owner)s", title=item.title, owner=item.owner.name),
    )


def _invitation(viewer: Viewer, invitation: Any) -> Named:
    where = invitation.cohort or invitation.organisation
    place = (
        _cohort(viewer, where)
        if invitation.cohort
        else (_organisation(viewer, where) if where else Named(""))
    )
    if where is None:
        return Named(_("invitation for %(email)s", email=invitation.email))
    return Named(
        _("invitation for %(email)s to %(place)s", email=invitation.email, place=place.text),
        place.url,
    )


def _feedback_request(_viewer: Viewer, request: Any) -> Named:
    # Feedback belongs to a portfolio: named by whose and which round, never by its rater.
    return Named(
        _(
            "feedback request of %(trainee)s in “%(round)s”",
            trainee=request.trainee.name or request.trainee.email,
            round=request.round.title,
        )
    )


def _review_thread(_viewer: Viewer, thread: Any) -> Named:
    # A comment belongs to a trainee's work: named by whose, never linked from the log.
    trainee = thread.trainee
    return Named(
        _("review comment on the work of %(trainee)s", trainee=trainee.name or trainee.email)
    )


def _decision(_viewer: Viewer, decision: Any) -> Named:
    # A decision is its group's: named by the group and the candidate, never linked.
    candidate = decision.candidate
    return Named(
        _(
            "decision of %(group)s on %(candidate)s",
            group=decision.organisation.name,
            candidate=candidate.name or candidate.email,
        )
    )


def _user(_viewer: Viewer, user: Any) -> Named:
    return person(user)


def _loaders() -> dict[str, tuple[Any, list[Any], Callable[[Viewer, Any], Named]]]:
    from portfolio.assessment.models import Round, SelfAssessment
    from portfolio.cohorts.models import Cohort, Invitation, Organisation
    from portfolio.evidence.models import EvidenceItem
    from portfolio.feedback.models import FeedbackRequest
    from portfolio.governance.models import Decision
    from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
    from portfolio.reviews.models import ReviewThread

    return {
        ObjectType.COHORT: (Cohort, [], _cohort),
        ObjectType.ORGANISATION: (Organisation, [], _organisation),
        ObjectType.DECISION: (
            Decision,
            [joinedload(Decision.candidate), joinedload(Decision.organisation)],
            _decision,
        ),
        ObjectType.ROUND: (Round, [joinedload(Round.cohort)], _round),
        ObjectType.SELF_ASSESSMENT: (
            SelfAssessment,
            [
                joinedload(SelfAssessment.trainee),
                joinedload(SelfAssessment.round).joinedload(Round.cohort),
            ],
            _self_assessment,
        ),
        ObjectType.EVIDENCE_ITEM: (EvidenceItem, [joinedload(EvidenceItem.owner)], _evidence),
        ObjectType.FEEDBACK_REQUEST: (
            FeedbackRequest,
            [joinedload(FeedbackRequest.trainee), joinedload(FeedbackRequest.round)],
            _feedback_request,
        ),
        ObjectType.PORTFOLIO_SNAPSHOT: (
            PortfolioSnapshot,
            [joinedload(PortfolioSnapshot.portfolio).joinedload(Portfolio.trainee)],
            _snapshot,
        ),
        ObjectType.INVITATION: (
            Invitation,
            [joinedload(Invitation.cohort), joinedload(Invitation.organisation)],
            _invitation,
        ),
        ObjectType.REVIEW_THREAD: (
            ReviewThread,
            [joinedload(ReviewThread.trainee)],
            _review_thread,
        ),
    }


@dataclass
class EventNames:
    """The words for the actor and the object of each event of a page."""

    actors: dict[int, Named]
    objects: dict[int, Named | None]


def name_events(events: Iterable[AuditEvent], viewer: Viewer) -> EventNames:
    """Name every actor and object of ``events`` (bulk-loaded, see the module docstring)."""
    events = list(events)
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    user_ids |= {e.object_id for e in events if e.object_type == ObjectType.USER and e.object_id}
    users = (
        {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}
        if user_ids
        else {}
    )
    loaders = _loaders()
    found: dict[tuple[str, int], Named] = {
        (ObjectType.USER, uid): person(user) for uid, user in users.items()
    }
    wanted: dict[str, set[int]] = {}
    for e in events:
        if e.object_type in loaders and e.object_id is not None:
            wanted.setdefault(e.object_type, set()).add(e.object_id)
    for kind, ids in sorted(wanted.items()):
        model, options, describe = loaders[kind]
        rows = db.session.scalars(select(model).where(model.id.in_(ids)).options(*options))
        for obj in rows.unique():
            found[(kind, obj.id)] = describe(viewer, obj)

    actors = {
        e.id: person(users.get(e.actor_id), e.actor_label)
        if e.actor_id is not None
        else Named(e.actor_label or "—")
        for e in events
    }
    objects: dict[int, Named | None] = {}
    for e in events:
        if not e.object_type:
            objects[e.id] = None
        elif (e.object_type, e.object_id or 0) in found:
            objects[e.id] = found[(e.object_type, e.object_id or 0)]
        else:
            label = OBJECT_TYPES.get(e.object_type)
            objects[e.id] = Named(
                _("%(kind)s (no longer exists)", kind=str(label) if label else e.object_type)
            )
    return EventNames(actors, objects)
