"""The governance group's decisions: load → check policy → one service call → respond.

A member opens a decision about a candidate from the candidates list, votes alone, sees the
others' votes once they voted, and records the outcome with the group's rationale. The
candidate reads the status and, once recorded, the outcome and the rationale. Whatever was
typed comes back on the screen when a step is refused.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.cohorts.models import Organisation
from portfolio.extensions import db
from portfolio.governance import labels, queries, services
from portfolio.governance.forms import OpenDecisionForm, RecordForm, StandAsideForm, VoteForm
from portfolio.governance.models import Choice, Decision, DecisionKind
from portfolio.governance.services import Refusal, Refused
from portfolio.inputs import page_number

bp = Blueprint("governance", __name__)

Page = str | Response | tuple[str | Response, int]


def refusal_text(reason: Refusal) -> str:
    """A refusal in words: what happened and what to do."""
    texts = {
        Refusal.NOT_MEMBER: _("Only members of this governance group take part in its decisions."),
        Refusal.CANDIDATE: _(
            "This decision is about you, so you take no part in it: you read its outcome "
            "once the group has recorded it."
        ),
        Refusal.NOT_COVERED: _(
            "This person is not a trainee of an organisation this group covers, so the group "
            "cannot decide about them."
        ),
        Refusal.ALREADY_OPEN: _(
            "The group is already deciding this question about this person: vote on the open "
            "decision instead."
        ),
        Refusal.CLOSED: _(
            "The outcome of this decision is recorded, so nothing more can be added. To revisit "
            "it, open a new decision on the same question."
        ),
        Refusal.STOOD_ASIDE: _(
            "You stood aside from this decision, so you do not vote and do not see the votes."
        ),
        Refusal.ALREADY_VOTED: _("You have voted on this decision; a vote is cast once and stays."),
        Refusal.NO_QUORUM: _(
            "Not enough members have voted yet: more than half of the members who may vote "
            "must have voted before the outcome is recorded."
        ),
        Refusal.STALE: _(
            "A vote came in since this page was loaded. Read the votes again below, then "
            "record the outcome."
        ),
        Refusal.NO_RATIONALE: _("Write a rationale."),
        Refusal.TOO_LONG: _("The text is too long: shorten it."),
    }
    return texts[reason]


#: Refusals that say someone tried what they may not: audited.
AUDITED = frozenset({Refusal.CLOSED, Refusal.STOOD_ASIDE, Refusal.ALREADY_VOTED, Refusal.CANDIDATE})


def _decision(decision_id: int) -> Decision:
    """A decision the reader may open (a member of its group, or its candidate); 404 for
    anyone else, so its existence is not revealed."""
    decision = db.get_or_404(Decision, decision_id)
    policy.require_view(policy.can_view_decision(current_user, decision))
    return decision


def _render(
    decision: Decision,
    *,
    vote_form: VoteForm | None = None,
    aside_form: StandAsideForm | None = None,
    record_form: RecordForm | None = None,
) -> str:
    takes_part = policy.takes_part(current_user, decision)
    sees_votes = policy.can_see_votes(current_user, decision)
    tally = services.current_tally(decision) if takes_part else None
    record = record_form or RecordForm(version=str(decision.version))
    return render_template(
        "governance/decision.html",
        decision=decision,
        candidate=decision.candidate,
        organisation=decision.organisation,
        is_candidate=policy.is_candidate_of(current_user, decision),
        stood_aside=policy.stood_aside(current_user, decision),
        takes_part=takes_part,
        sees_votes=sees_votes,
        tally=tally,
        votes=queries.votes_of(decision.id) if sees_votes else (),
        my_vote=queries.own_vote(decision.id, current_user.id) if takes_part else None,
        earlier=queries.earlier_decisions(decision),
        places=queries.candidate_places(decision.candidate_id) if takes_part else (),
        vote_form=vote_form or VoteForm(),
        aside_form=aside_form or StandAsideForm(),
        record_form=record,
        can_open_trainee=takes_part and policy.governs(current_user, decision.candidate),
        labels=labels,
    )


def _refused(decision: Decision, refused: Refused, attempt: str) -> None:
    """Roll back the refused work; audit an attempt at what the actor may not; say why."""
    db.session.rollback()
    if refused.reason in AUDITED:
        services.record_refusal(current_user, decision, attempt, refused.reason)
        db.session.commit()
    flash(refusal_text(refused.reason), "error")


def _back(decision: Decision) -> Response:
    return redirect(url_for("governance.decision", decision_id=decision.id), code=303)


@bp.get("/governance/decisions")
@login_required
def decisions() -> str:
    """The decisions of the groups the reader sits in, and the decisions about them."""
    rows = queries.decisions(policy.visible_decisions(current_user), current_user.id, page_number())
    return render_template("governance/decisions.html", rows=rows, labels=labels)


@bp.route(
    "/organisations/<int:organisation_id>/candidates/<int:user_id>/decide",
    methods=["GET", "POST"],
)
@login_required
def open_decision(organisation_id: int, user_id: int) -> Page:
    """A member of the group opens a decision about a candidate it covers."""
    organisation = db.get_or_404(Organisation, organisation_id)
    candidate = db.get_or_404(User, user_id)
    policy.require_view(policy.can_view_candidates(current_user, organisation))
    policy.require_view(policy.covers_candidate(organisation, candidate))
    policy.require(policy.can_open_decision(current_user, organisation, candidate))
    form = OpenDecisionForm()
    if form.validate_on_submit():
        try:
            decision = services.open_decision(
                current_user,
                organisation,
                candidate,
                DecisionKind(form.kind.data),
                form.question.data or "",
            )
        except Refused as refused:
            db.session.rollback()
            flash(refusal_text(refused.reason), "error")
            if refused.decision is not None:
                return _back(refused.decision)
            return render_template(
                "governance/open.html", form=form, organisation=organisation, candidate=candidate
            ), 409
        db.session.commit()
        flash(
            _("The decision is open. Cast your vote, then ask the other members to vote."),
            "success",
        )
        return _back(decision)
    status = 400 if form.is_submitted() else 200
    return render_template(
        "governance/open.html", form=form, organisation=organisation, candidate=candidate
    ), status


@bp.get("/governance/decisions/<int:decision_id>")
@login_required
def decision(decision_id: int) -> str:
    """A decision as far as the reader takes part in it."""
    return _render(_decision(decision_id))


@bp.post("/governance/decisions/<int:decision_id>/vote")
@login_required
def vote(decision_id: int) -> Page:
    """A member casts their vote, with a rationale."""
    decision = _decision(decision_id)
    form = VoteForm()
    if not form.validate():
        return _render(decision, vote_form=form), 400
    try:
        services.cast_vote(
            current_user, decision, Choice(form.choice.data), form.rationale.data or ""
        )
    except Refused as refused:
        _refused(decision, refused, "vote")
        return _render(decision, vote_form=form), 409
    db.session.commit()
    flash(_("Your vote is cast. You now see the other members' votes."), "success")
    return _back(decision)


@bp.post("/governance/decisions/<int:decision_id>/stand-aside")
@login_required
def stand_aside(decision_id: int) -> Page:
    """A member declares a conflict with the decision."""
    decision = _decision(decision_id)
    form = StandAsideForm()
    if not form.validate():
        return _render(decision, aside_form=form), 400
    try:
        services.stand_aside(current_user, decision, form.reason.data or "")
    except Refused as refused:
        _refused(decision, refused, "stand_aside")
        return _render(decision, aside_form=form), 409
    db.session.commit()
    flash(_("Noted: you stand aside from this decision."), "success")
    return _back(decision)


@bp.post("/governance/decisions/<int:decision_id>/record")
@login_required
def record(decision_id: int) -> Page:
    """A member records the outcome the votes give, with the group's rationale."""
    decision = _decision(decision_id)
    form = RecordForm()
    if not form.validate():
        return _render(decision, record_form=form), 400
    version = form.version.data or ""
    try:
        services.record_outcome(
            current_user,
            decision,
            form.rationale.data or "",
            int(version) if version.isascii() and version.isdigit() else 0,
        )
    except Refused as refused:
        _refused(decision, refused, "record")
        kept = RecordForm(rationale=form.rationale.data, version=str(decision.version))
        return _render(decision, record_form=kept), 409
    db.session.commit()
    flash(
        _("The outcome is recorded. The candidate can read it with the group's rationale."),
        "success",
    )
    return _back(decision)
