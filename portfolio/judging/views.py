"""The final assessment's pages: load → check policy → one service call → respond.

One page per hand-in (``/portfolio-snapshots/<id>/assessment``) shows each reader what
their part is now: the trainers of the cohort assign assessors and may declare a
conflict; an assessor judges alone, then agrees the verdict with the other; a locked
verdict is shown to everyone who may read the hand-in. Whatever was typed comes back on
the screen when a step is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.extensions import db
from portfolio.framework import Framework
from portfolio.i18n import current_language
from portfolio.judging import queries, services
from portfolio.judging.forms import AssignForm, ConflictForm, ReferForm, StepForm
from portfolio.judging.models import OVERALL, AssessorAssignment, AssessorRole, Stage, Verdict
from portfolio.judging.services import EntryInput, JudgingRefused, Refusal
from portfolio.portfolios.models import PortfolioSnapshot
from portfolio.portfolios.views import prepare_pdf_after, visible_snapshot
from portfolio.versioning import Conflict, read_fingerprint, read_version

bp = Blueprint("judging", __name__)

Page = str | Response | tuple[str | Response, int]


def _snapshot(snapshot_id: int) -> PortfolioSnapshot:
    """A hand-in whose assessment the current user may open (a trainer of its cohort);
    404 for anyone else, so its existence is not revealed."""
    snapshot = visible_snapshot(snapshot_id)
    policy.require_view(policy.can_run_assessment(current_user, snapshot))
    return snapshot


def read_entries(
    form: Mapping[str, str], keys: list[str], tampered: list[str]
) -> dict[str, EntryInput]:
    """The entries a judgement or consensus page sent: per key ``level-<key>``,
    ``motivation-<key>`` and the hidden ``version-<key>`` / ``fingerprint-<key>``. Keys the
    page did not send are left out."""
    entries: dict[str, EntryInput] = {}
    for key in keys:
        if f"version-{key}" not in form:
            continue
        entries[key] = EntryInput(
            form.get(f"level-{key}", ""),
            form.get(f"motivation-{key}", ""),
            read_version(form, f"version-{key}", tampered),
            read_fingerprint(form, f"fingerprint-{key}", tampered),
        )
    return entries


def refusal_text(refused: JudgingRefused, framework: Framework) -> str:
    """A refusal in words: what happened and what to do."""
    names = {
        c.key: f"{c.number}. {localized(c.name, current_language())}"
        for c in framework.competencies
    }
    names[OVERALL] = _("the overall verdict")
    where = ", ".join(names.get(k, k) for k in refused.missing)
    reason = refused.reason
    if reason == Refusal.INCOMPLETE:
        return _(
            "Saved, but not yet complete: choose a level and write a motivation for %(where)s.",
            where=where,
        )
    if reason == Refusal.PASS_WITH_FAILING:
        return _(
            "Saved, but not confirmed: the verdict is “passed” while %(where)s is at a level "
            "that does not pass. Change the verdict or the level.",
            where=where,
        )
    if reason == Refusal.STALE:
        return _(
            "Saved, but not confirmed: the consensus was changed by the other assessor since "
            "this page was loaded. Read it again below and confirm what you agree with."
        )
    if reason == Refusal.LOCKED:
        return _("The verdict is locked: it can no longer be changed, so nothing was saved.")
    if reason == Refusal.NOT_OPEN:
        return _(
            "This hand-in was returned for revision or a newer one exists, so it is no longer "
            "judged. Nothing was saved."
        )
    if reason == Refusal.SUBMITTED:
        return _("Your judgement is already submitted, so it can no longer change.")
    if reason == Refusal.NOT_ASSIGNED:
        return _("You are not an assessor of this hand-in (any more), so nothing was saved.")
    if reason == Refusal.WRONG_STAGE:
        return _("The assessment has moved on to another step, so nothing was saved.")
    if reason == Refusal.CONFLICT:
        return _("This trainer declared a conflict with this portfolio and cannot assess it.")
    if reason == Refusal.ALREADY_ASSIGNED:
        return _("This trainer already assesses this hand-in.")
    if reason == Refusal.NO_SEAT:
        return _("Every seat is taken: there is no free seat for another assessor now.")
    if reason == Refusal.NOT_A_TRAINER:
        return _("Only an active trainer of this cohort can be an assessor.")
    if reason == Refusal.UNKNOWN_LEVEL:
        return _("A level was chosen that the rubric does not have, so nothing was saved.")
    if reason == Refusal.TOO_LONG:
        return _("A motivation is too long (at most 10,000 characters): shorten it.")
    return _("Write a reason.")


#: Refusals that say someone tried to change what they may not: audited.
AUDITED = frozenset({Refusal.LOCKED, Refusal.NOT_ASSIGNED, Refusal.NOT_OPEN, Refusal.SUBMITTED})


def _render(
    snapshot: PortfolioSnapshot,
    *,
    typed: Mapping[str, EntryInput] | None = None,
    conflicts: list[Conflict] | None = None,
    assign_form: AssignForm | None = None,
    conflict_form: ConflictForm | None = None,
    refer_form: ReferForm | None = None,
    unsaved: bool = False,
) -> str:
    framework = current_framework()
    state = queries.assessment_state(current_user, snapshot)
    verdict = None
    if state.stage == Stage.LOCKED and state.id is not None:
        verdict = queries.verdict_of(snapshot.id)
    offered = [(c.id, c.name) for c in state.candidates]
    assign = assign_form or AssignForm.offering(offered, prompt=_("Choose a trainer"))
    return render_template(
        "judging/assessment.html",
        snapshot=snapshot,
        cohort=snapshot.portfolio.cohort,
        trainee=snapshot.portfolio.trainee,
        state=state,
        mine=state.seat_of(current_user.id),
        framework=framework,
        language=current_language(),
        localized=localized,
        typed=typed or {},
        conflicts={c.field: c for c in conflicts or []},
        step_form=StepForm(),
        assign_form=assign,
        conflict_form=conflict_form or ConflictForm(),
        refer_form=refer_form or ReferForm(),
        open_for_judging=services.is_open_for_judging(snapshot),
        unsaved=unsaved,
        verdict_view=verdict,
        empty=queries.EMPTY,
        OVERALL=OVERALL,
        Stage=Stage,
        AssessorRole=AssessorRole,
        Verdict=Verdict,
    )


def _refused(snapshot: PortfolioSnapshot, refused: JudgingRefused, attempt: str) -> None:
    """Roll back the refused work; audit the attempt when it tried to change what the
    actor may not; say why."""
    db.session.rollback()
    if refused.reason in AUDITED:
        services.record_refusal(current_user, snapshot, attempt, refused.reason)
        db.session.commit()
    flash(refusal_text(refused, current_framework()), "error")


def _back(snapshot: PortfolioSnapshot) -> Response:
    return redirect(url_for("judging.assessment", snapshot_id=snapshot.id), code=303)


@bp.get("/portfolio-snapshots/<int:snapshot_id>/assessment")
@login_required
def assessment(snapshot_id: int) -> str:
    """The final assessment of one hand-in, as far as the reader takes part in it."""
    return _render(_snapshot(snapshot_id))


@bp.post("/portfolio-snapshots/<int:snapshot_id>/assessment/assessors")
@login_required
def assign(snapshot_id: int) -> Page:
    """A trainer of the cohort assigns a trainer to the free seat."""
    snapshot = _snapshot(snapshot_id)
    state = queries.assessment_state(current_user, snapshot)
    form = AssignForm.offering((c.id, c.name) for c in state.candidates)
    if not form.validate():
        return _render(snapshot, assign_form=form), 400
    trainer = db.session.get(User, int(form.trainer.data))
    assert trainer is not None  # the choices hold existing trainers only
    try:
        services.assign_assessor(current_user, snapshot, trainer)
    except JudgingRefused as refused:
        _refused(snapshot, refused, "assign")
        return _back(snapshot)
    db.session.commit()
    flash(
        _("%(name)s is assigned and gets an e-mail.", name=trainer.name or trainer.email), "success"
    )
    return _back(snapshot)


@bp.post("/portfolio-snapshots/<int:snapshot_id>/assessment/conflict")
@login_required
def conflict(snapshot_id: int) -> Page:
    """A trainer of the cohort declares a conflict with this portfolio."""
    snapshot = _snapshot(snapshot_id)
    form = ConflictForm()
    if not form.validate():
        return _render(snapshot, conflict_form=form), 400
    try:
        services.declare_conflict(current_user, snapshot, form.reason.data or "")
    except JudgingRefused as refused:
        _refused(snapshot, refused, "conflict")
        return _render(snapshot, conflict_form=form), 409
    db.session.commit()
    flash(_("Noted: you will not be assigned to assess this portfolio."), "success")
    return _back(snapshot)


def _own_seat(snapshot: PortfolioSnapshot, attempt: str) -> AssessorAssignment | None:
    """The current user's active seat; a POST without one is refused and audited."""
    seat = services.assignment_of(services.find_assessment(snapshot.id), current_user)
    if not policy.can_judge(current_user, seat):
        services.record_refusal(current_user, snapshot, attempt, Refusal.NOT_ASSIGNED)
        db.session.commit()
        return None
    return seat


@bp.post("/portfolio-snapshots/<int:snapshot_id>/assessment/judgement")
@login_required
def judgement(snapshot_id: int) -> Page:
    """An assessor saves, or saves and submits, their own judgement."""
    snapshot = _snapshot(snapshot_id)
    seat = _own_seat(snapshot, "judgement")
    policy.require(seat is not None)
    assert seat is not None
    return _step(snapshot, seat, "judgement")


@bp.post("/portfolio-snapshots/<int:snapshot_id>/assessment/consensus")
@login_required
def consensus(snapshot_id: int) -> Page:
    """An assessor saves, or saves and confirms, the consensus."""
    snapshot = _snapshot(snapshot_id)
    seat = _own_seat(snapshot, "consensus")
    policy.require(seat is not None)
    assert seat is not None
    return _step(snapshot, seat, "consensus")


def _step(snapshot: PortfolioSnapshot, seat: AssessorAssignment, attempt: str) -> Page:
    framework = current_framework()
    keys = [c.key for c in framework.competencies]
    if attempt == "consensus":
        keys.append(OVERALL)
    tampered: list[str] = []
    entries = read_entries(request.form, keys, tampered)
    page_version = read_version(request.form, "assessment_version", tampered)
    form = StepForm()
    if tampered or not form.validate():
        if tampered:
            flash(
                _(
                    "This page sent back values that it did not write itself, so nothing was "
                    "saved. What you typed is shown below: check it and save again."
                ),
                "error",
            )
        return _render(snapshot, typed=entries, unsaved=True), 400
    finish = request.form.get("action") == "finish"
    try:
        if attempt == "consensus":
            step = services.decide(
                current_user, seat, entries, page_version, framework, confirm=finish
            )
        else:
            step = services.judge(current_user, seat, entries, framework, submit=finish)
    except JudgingRefused as refused:
        _refused(snapshot, refused, attempt)
        return _render(snapshot, typed=entries, unsaved=True), 409
    db.session.commit()
    if step.saved.conflicts:
        flash(
            _(
                "Some entries were changed by someone else since you opened this page. Both "
                "versions are shown: keep what you want and save again."
            ),
            "error",
        )
        clashing = {c.field for c in step.saved.conflicts}
        typed = {k: v for k, v in entries.items() if k in clashing}
        return _render(snapshot, typed=typed, conflicts=step.saved.conflicts), 409
    if step.refusal is not None:
        # What was typed is saved; the page shows it as stored.
        flash(refusal_text(step.refusal, framework), "error")
        return _render(snapshot), 409
    if step.locked:
        flash(_("Both confirmed: the verdict is locked and the trainee can read it."), "success")
        return prepare_pdf_after(_back(snapshot), snapshot)
    elif step.done and attempt == "consensus":
        flash(
            _("Confirmed. The verdict is locked once the other assessor confirms too."), "success"
        )
    elif step.done:
        flash(
            _("Your judgement is submitted. You see the other judgement once both are in."),
            "success",
        )
    else:
        flash(_("Saved."), "success")
    return _back(snapshot)


@bp.post("/portfolio-snapshots/<int:snapshot_id>/assessment/refer")
@login_required
def refer(snapshot_id: int) -> Page:
    """A main assessor refers the portfolio to a third assessor."""
    snapshot = _snapshot(snapshot_id)
    seat = _own_seat(snapshot, "refer")
    policy.require(seat is not None)
    assert seat is not None
    form = ReferForm()
    if not form.validate():
        return _render(snapshot, refer_form=form), 400
    try:
        services.refer_to_third(current_user, seat, form.reason.data or "")
    except JudgingRefused as refused:
        _refused(snapshot, refused, "refer")
        return _render(snapshot, refer_form=form), 409
    db.session.commit()
    flash(
        _("Referred. The cohort's other trainers are asked to assign a third assessor."), "success"
    )
    return _back(snapshot)
