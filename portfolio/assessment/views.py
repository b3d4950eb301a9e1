"""Rounds and self-assessments: load → check policy → one service call → respond."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import fill_in_form, handing_in, queries, saving, submissions
from portfolio.assessment import rounds as planning
from portfolio.assessment.forms import ReopenForm, RoundForm
from portfolio.assessment.inputs import (
    NOTE_LIMIT,
    REASON_LIMIT,
    REFLECTION_FIELD,
    REFLECTION_LIMIT,
    FillInAction,
    FillInInput,
    InputError,
    parse_fill_in_form,
)
from portfolio.assessment.models import Round, RoundState, SelfAssessment
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.dates import date_text
from portfolio.evidence.views import file_store
from portfolio.extensions import db
from portfolio.feedback import queries as feedback_queries
from portfolio.i18n import current_language
from portfolio.inputs import REFUSED_MESSAGE, page_number, refused_fields
from portfolio.markdown import render_markdown
from portfolio.reviews.views import board_for_reflections, review_context
from portfolio.versioning import Conflict, SaveResult

bp = Blueprint("assessment", __name__)

Page = str | Response | tuple[str | Response, int]


def _load_round(round_id: int) -> Round:
    """A round with its cohort (one query); 404 when there is none."""
    return db.get_or_404(Round, round_id, options=[joinedload(Round.cohort)])


def _url_prefix(endpoint: str, last: str, **values: Any) -> str:
    """The address of ``endpoint`` without its last part, ``last``: the page adds an id per
    row, so the address is built once per page, not once per row."""
    values[last] = 0
    url = url_for(endpoint, **values)
    assert url.endswith("/0"), url
    return url[:-1]


def _require_manage_rounds(cohort: Cohort) -> None:
    """403 for those who see the cohort but may not plan its rounds, 404 for the others."""
    if policy.can_manage_rounds(current_user, cohort):
        return  # those who manage rounds see the cohort: one check is enough
    policy.require_view(policy.can_view_cohort(current_user, cohort))
    policy.require(False)


# --- rounds (trainers) ------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/rounds", methods=["GET", "POST"])
@login_required
def rounds(cohort_id: int) -> Page:
    """A cohort's assessment rounds; trainers plan new ones."""
    cohort = db.get_or_404(Cohort, cohort_id)
    _require_manage_rounds(cohort)
    form = RoundForm()
    refused = False
    if form.validate_on_submit():
        version = planning.current_framework_version(current_framework())
        if version is None:
            flash(
                _(
                    "The competence framework is not loaded yet. Ask the administrator to run "
                    "'flask framework load'; nothing was created."
                ),
                "error",
            )
        else:
            try:
                planning.create_round(
                    current_user, cohort, version=version, today=today(), **form.planned()
                )
            except planning.RoundRefused as refusal:
                form.show_refusal(refusal.problems)
                refused = True
            else:
                db.session.commit()
                flash(
                    _("Round planned. Trainees see it on their overview when it opens."), "success"
                )
                return redirect(url_for("assessment.rounds", cohort_id=cohort.id), code=303)
    if not refused:
        form.hide_confirmation()
    return render_template(
        "assessment/rounds.html",
        cohort=cohort,
        rounds=queries.cohort_rounds(cohort.id, today()),
        form=form,
    )


def _managed_round(round_id: int) -> Round:
    round_ = _load_round(round_id)
    _require_manage_rounds(round_.cohort)
    return round_


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit_round(round_id: int) -> Page:
    """Change a round's name or dates (for example to give more time)."""
    round_ = _managed_round(round_id)
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        try:
            planning.update_round(current_user, round_, today=today(), **form.planned())
        except planning.RoundRefused as refusal:
            form.show_refusal(refusal.problems)
            return render_template("assessment/round_form.html", form=form, round=round_)
        db.session.commit()
        flash(_("The round is saved."), "success")
        return redirect(url_for("assessment.rounds", cohort_id=round_.cohort_id), code=303)
    form.hide_confirmation()
    return render_template("assessment/round_form.html", form=form, round=round_)


@bp.route("/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@login_required
def delete_round(round_id: int) -> Page:
    """Delete a round nobody has started (a confirmation page first)."""
    round_ = _managed_round(round_id)
    if request.method == "POST":
        cohort_id, title = round_.cohort_id, round_.title
        try:
            planning.delete_round(current_user, round_)
        except planning.RoundStarted:
            return _round_end(round_, "delete", started=True), 409
        db.session.commit()
        flash(_("The round “%(title)s” is deleted.", title=title), "success")
        return redirect(url_for("assessment.rounds", cohort_id=cohort_id), code=303)
    return _round_end(round_, "delete", started=planning.has_answers(round_))


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@login_required
def close_round(round_id: int) -> Page:
    """Close a round now, keeping every answer (a confirmation page first)."""
    round_ = _managed_round(round_id)
    if request.method == "POST":
        try:
            planning.close_round(current_user, round_, today=today())
        except planning.RoundAlreadyClosed:
            return _round_end(round_, "close", started=planning.has_answers(round_)), 409
        db.session.commit()
        flash(
            _(
                "The round “%(title)s” is closed. Trainees can read what they saved but no "
                "longer change it.",
                title=round_.title,
            ),
            "success",
        )
        return redirect(url_for("assessment.rounds", cohort_id=round_.cohort_id), code=303)
    return _round_end(round_, "close", started=planning.has_answers(round_))


def _round_end(round_: Round, action: str, *, started: bool) -> str:
    return render_template(
        "assessment/round_end.html",
        round=round_,
        started=started,
        action=action,
        closed=round_.state(today()) == RoundState.CLOSED,
        today=today(),
    )


@bp.get("/rounds/<int:round_id>/progress")
@login_required
def round_progress(round_id: int) -> str:
    """Where every trainee of the cohort stands in this round."""
    round_ = _load_round(round_id)
    _require_manage_rounds(round_.cohort)
    return render_template(
        "assessment/round_progress.html",
        round=round_,
        state=round_.state(today()),
        overview=queries.round_progress(round_, page_number()),
        trainee_url=_url_prefix("assessment.view_assessment", "user_id", round_id=round_.id),
    )


# --- a trainee's own self-assessment ---------------------------------------------------------


def _own_round(round_id: int) -> Round:
    round_ = _load_round(round_id)
    policy.require_view(policy.can_fill_in(current_user, round_))
    return round_


@bp.get("/rounds/<int:round_id>")
@login_required
def overview(round_id: int) -> str:
    """My self-assessment in this round: progress per competency, what is missing, submit."""
    round_ = _own_round(round_id)
    page = queries.overview_page(round_, current_user.id, today())
    return render_template(
        "assessment/overview.html",
        round=round_,
        state=round_.state(today()),
        page=page,
        assessment=page.assessment,
        reopening=page.reopening,
        progress=page.progress,
        work=page.work,
        feedback=feedback_queries.round_summary(round_.id, current_user.id),
    )


def _is_fetch(data: FillInInput | None = None) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or bool(data and data.wants_json)


def _fill_in_page(round_: Round, key: str) -> queries.FillInPage:
    page = queries.fill_in_page(round_, current_user.id, key, today(), current_language())
    if page is None:
        abort(404)
    return page


@bp.route("/rounds/<int:round_id>/competencies/<key>", methods=["GET", "POST"])
@login_required
def fill_in(round_id: int, key: str) -> Page:
    """Rate every indicator of one competency and reflect on it."""
    round_ = _own_round(round_id)
    page = _fill_in_page(round_, key)
    if request.method == "GET":
        return _render_fill_in(round_, page)
    data = parse_fill_in_form(
        request.form,
        [i.id for i in page.indicators],
        current_framework().rating_scale.values,
        refused_fields(),
    )
    if data.tampered:
        return _refuse_tampered(round_, page, data)
    try:
        assessment, result = saving.save_answers(
            current_user,
            round_,
            page.competency.id,
            {i.id: i for i in page.indicators},
            data,
            today=today(),
        )
    except saving.NotEditable as refusal:
        return _refuse_save(round_, page, data, refusal.reason)
    db.session.commit()
    return _saved(round_, page, assessment, data, result)


def _refuse_tampered(round_: Round, page: queries.FillInPage, data: FillInInput) -> Page:
    """Hidden fields came back with values this page never writes: save nothing, say so (400).

    What the person typed is shown again, on top of what is stored now, so that saving
    once more is a deliberate choice made on a page the server wrote.
    """
    fields = ", ".join(data.tampered)
    if _is_fetch():
        message = _(
            "Not saved: this page sent back values that it did not write itself (in: "
            "%(fields)s). Press Save to get the page back with what you typed.",
            fields=fields,
        )
        return jsonify(status="refused", message=message, fields=data.tampered), 400
    flash(
        _(
            "This page sent back values that it did not write itself (in: %(fields)s), so "
            "nothing was saved. This can happen when a browser extension or another program "
            "changes the page. What you typed is shown below: check it and save again.",
            fields=fields,
        ),
        "error",
    )
    reflection = data.reflection
    return (
        _render_fill_in(
            round_,
            page,
            editable=page.editable,
            rows=fill_in_form.rows(page, inputs=data.ratings),
            reflection=fill_in_form.reflection_field(
                page, typed=reflection.text if reflection else None
            ),
            unsaved=not page.editable,
        ),
        400,
    )


def _refuse_save(
    round_: Round, page: queries.FillInPage, data: FillInInput, reason: saving.Locked
) -> Page:
    """The round closed or was handed in meanwhile: say so, and keep what was typed on screen."""
    if reason == saving.Locked.HANDED_IN:
        message = _(
            "This self-assessment has been handed in, so it can no longer be changed. "
            "Your last changes are shown below but were not saved; copy what you need, "
            "or ask your trainer to reopen it."
        )
    else:
        message = _(
            "This round is not open (it runs from %(start)s to %(end)s), so nothing was "
            "saved. Your text is shown below: copy what you need, or ask your trainer "
            "for more time.",
            start=date_text(round_.opens_on),
            end=date_text(round_.closes_on),
        )
    if _is_fetch(data):
        return jsonify(status="locked", message=message), 409
    flash(message, "error")
    reflection = data.reflection
    return (
        _render_fill_in(
            round_,
            page,
            editable=False,
            rows=fill_in_form.rows(page, inputs=data.ratings),
            reflection=fill_in_form.reflection_field(
                page, typed=reflection.text if reflection else "", base=reflection
            ),
            unsaved=True,
        ),
        409,
    )


def _saved(
    round_: Round,
    page: queries.FillInPage,
    assessment: SelfAssessment,
    data: FillInInput,
    result: SaveResult,
) -> Page:
    """The answer to a save: JSON for autosave, the page again with conflicts or errors, or
    on to where the button leads."""
    errors = result.errors
    messages = {name: _error_message(kind) for name, kind in errors.items()}
    if _is_fetch(data):
        return jsonify(
            status="conflict" if result.conflicts else ("invalid" if errors else "saved"),
            saved=result.saved,
            versions={name: list(v) for name, v in result.versions.items()},
            conflicts=[c.field for c in result.conflicts],
            errors=messages,
            cleaned=sorted(name for name, kind in errors.items() if kind == InputError.CONTROL),
            progress=_progress_json(queries.progress(assessment.id)),
        )
    reflection = data.reflection
    if result.conflicts or errors:
        fresh = _fill_in_page(round_, page.competency.key)
        conflict = next((c for c in result.conflicts if c.field == REFLECTION_FIELD), None)
        return (
            _render_fill_in(
                round_,
                fresh,
                editable=True,
                rows=fill_in_form.rows(fresh, inputs=data.ratings, result=result, errors=messages),
                reflection=fill_in_form.reflection_field(
                    fresh,
                    typed=reflection.text if reflection else None,
                    base=reflection if REFLECTION_FIELD in messages else None,
                    conflict=conflict,
                ),
                reflection_conflict=conflict,
                reflection_error=messages.get(REFLECTION_FIELD),
                errors=messages,
            ),
            409 if result.conflicts else 400,
        )
    here = url_for("assessment.fill_in", round_id=round_.id, key=page.competency.key)
    if data.action == FillInAction.STARR and not (reflection.text if reflection else "").strip():
        return redirect(
            url_for("assessment.fill_in", round_id=round_.id, key=page.competency.key, starr=1)
            + "#reflection",
            code=303,
        )
    if data.action == FillInAction.PREVIEW:
        return redirect(
            url_for("assessment.fill_in", round_id=round_.id, key=page.competency.key, preview=1)
            + "#reflection",
            code=303,
        )
    if data.action == FillInAction.NEXT:
        following = _next_competency(page)
        if following is not None:
            name = localized(following.name, current_language())
            flash(_("Saved. Next: %(name)s.", name=name), "success")
            return redirect(
                url_for("assessment.fill_in", round_id=round_.id, key=following.key), code=303
            )
        flash(_("Saved. You have been through every competency."), "success")
        return redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    flash(_("Saved."), "success")
    return redirect(here, code=303)


def _error_message(kind: str) -> str:
    messages: dict[str, str] = {
        InputError.LEVEL: _("Choose one of the levels, or “Cannot judge (yet)”."),
        InputError.NOTE: _(
            "The note is too long: keep it to %(n)s characters or fewer.",
            n=format_number(NOTE_LIMIT),
        ),
        InputError.REASON: _(
            "The explanation is too long: keep it to %(n)s characters or fewer.",
            n=format_number(REASON_LIMIT),
        ),
        InputError.REFLECTION: _(
            "The reflection is too long: keep it to %(n)s characters or fewer.",
            n=format_number(REFLECTION_LIMIT),
        ),
        InputError.CONTROL: str(REFUSED_MESSAGE),
    }
    return messages.get(kind) or str(_("This value could not be saved."))


def _next_competency(page: queries.FillInPage) -> queries.CompetencyRef | None:
    """The next current competency after this page's, in framework order."""
    following = [
        c.competency
        for c in page.progress.competencies
        if c.competency.number > page.competency.number
    ]
    return following[0] if following else None


def _progress_json(report: queries.Progress) -> dict[str, object]:
    return {
        "answered": report.answered,
        "total": report.total,
        "percent": report.percent,
        "competencies": {
            c.competency.key: {"answered": c.answered, "total": c.total}
            for c in report.competencies
        },
    }


def _render_fill_in(
    round_: Round,
    page: queries.FillInPage,
    *,
    editable: bool | None = None,
    rows: list[fill_in_form.Row] | None = None,
    reflection: fill_in_form.ReflectionField | None = None,
    reflection_conflict: Conflict | None = None,
    reflection_error: str | None = None,
    errors: dict[str, str] | None = None,
    unsaved: bool = False,
) -> str:
    language = current_language()
    starr = queries.reflection_template(language)
    scale = current_framework().rating_scale
    if reflection is None:
        asked = bool(request.args.get("starr"))
        reflection = fill_in_form.reflection_field(page, template=starr if asked else None)
    level_labels = {level.value: localized(level.label, language) for level in scale.levels}
    # What every row repeats is put into words once per page: the tabs' addresses and names,
    # the scale's radio values and labels.
    tab_url = _url_prefix("assessment.fill_in", "key", round_id=round_.id)
    tabs = [
        FillInTab(
            url=tab_url + quote(item.competency.key, safe=""),
            number=item.competency.number,
            name=localized(item.competency.name, language),
            answered=item.answered,
            total=item.total,
            current=item.competency.key == page.competency.key,
        )
        for item in page.progress.competencies
    ]
    return render_template(
        "assessment/fill_in.html",
        page=page,
        evidence=page.evidence,
        round=round_,
        assessment=page.assessment,
        reopening=page.reopening,
        competency=page.competency,
        competency_name=localized(page.competency.name, language),
        tabs=tabs,
        rows=rows if rows is not None else fill_in_form.rows(page),
        scale=scale,
        level_labels=level_labels,
        scale_options=[(str(value), label) for value, label in level_labels.items()],
        nj_label=localized(scale.not_judgeable.label, language),
        evidence_url=_url_prefix("evidence.show", "item_id"),
        new_evidence_url=url_for("evidence.new"),
        editable=page.editable if editable is None else editable,
        previous_round=page.previous_round,
        reflection_text=reflection.text,
        reflection_version=reflection.version,
        reflection_fp=reflection.fingerprint,
        reflection_conflict=reflection_conflict,
        reflection_error=reflection_error,
        preview=render_markdown(reflection.text) if request.args.get("preview") else None,
        progress=page.progress,
        errors=errors or {},
        unsaved=unsaved,
        starr=starr,
    )


@dataclass(frozen=True)
class FillInTab:
    """A competency's tab above the fill-in page."""

    url: str
    number: int
    name: str
    answered: int
    total: int
    current: bool


def _hand_in_refusal(refusal: handing_in.NotReady, missing: int) -> tuple[str, str]:
    """The message (and its category) for a refused hand-in."""
    if refusal == handing_in.NotReady.ALREADY_HANDED_IN:
        return _("This self-assessment was already handed in."), "info"
    if refusal == handing_in.NotReady.ROUND_NOT_OPEN:
        return _("This round is not open, so it cannot be handed in now."), "error"
    return (
        ngettext(
            "Not handed in yet: %(num)d indicator still needs an answer (a level, or "
            "“Cannot judge (yet)”). The competencies below show where.",
            "Not handed in yet: %(num)d indicators still need an answer (a level, or "
            "“Cannot judge (yet)”). The competencies below show where.",
            missing,
        ),
        "error",
    )


@bp.route("/rounds/<int:round_id>/submit", methods=["GET", "POST"])
@login_required
def submit(round_id: int) -> Page:
    """GET: what handing in means, and a button to confirm. POST: hand in; it becomes read-only."""
    round_ = _own_round(round_id)
    assessment = saving.find_assessment(round_.id, current_user.id)
    back = redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    if request.method == "GET":
        check = handing_in.hand_in_check(round_, assessment, today())
        if check.refusal is not None:
            flash(*_hand_in_refusal(check.refusal, check.missing))
            return back
        assert assessment is not None
        return render_template(
            "assessment/submit_confirm.html",
            round=round_,
            assessment=assessment,
            evidence_count=submissions.evidence_to_freeze(assessment),
            reopened=assessment.is_reopened,
        )
    try:
        handing_in.submit(current_user, round_, assessment, today=today(), store=file_store())
    except handing_in.HandInRefused as refused:
        flash(*_hand_in_refusal(refused.reason, refused.missing))
        return back
    db.session.commit()
    flash(
        _(
            "Handed in. Your trainers and the governance group can now see this "
            "self-assessment as you handed it in."
        ),
        "success",
    )
    return back


# --- viewing someone's self-assessment ---------------------------------------------------------


def _visible_assessment(round_id: int, user_id: int) -> tuple[Round, User, SelfAssessment]:
    """Load a trainee's self-assessment in a round; 404 unless the current user may see it."""
    round_ = _load_round(round_id)
    trainee = db.get_or_404(User, user_id)
    assessment = saving.find_assessment(round_.id, trainee.id)
    if assessment is None:
        policy.not_found()
    policy.require_view(policy.can_view_self_assessment(current_user, assessment))
    return round_, trainee, assessment


def _render_view(
    round_: Round, trainee: User, assessment: SelfAssessment, form: ReopenForm
) -> str | Response:
    work = queries.handed_in_work(assessment)
    if work is None:  # only the trainee gets this far: nothing handed in yet
        return redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    return render_template(
        "assessment/view.html",
        round=round_,
        trainee=trainee,
        assessment=assessment,
        reopening=queries.reopening(assessment),
        work=work,
        can_reopen=assessment.is_submitted and policy.can_reopen(current_user, assessment),
        form=form,
        review=board_for_reflections(assessment),
        **review_context(),
    )


@bp.get("/rounds/<int:round_id>/trainees/<int:user_id>")
@login_required
def view_assessment(round_id: int, user_id: int) -> str | Response:
    """What was last handed in, read-only: for the trainee, and for the trainers and the
    governance group of the round's cohort."""
    round_, trainee, assessment = _visible_assessment(round_id, user_id)
    return _render_view(round_, trainee, assessment, ReopenForm())


@bp.post("/rounds/<int:round_id>/trainees/<int:user_id>/reopen")
@login_required
def reopen(round_id: int, user_id: int) -> Page:
    """Give a handed-in self-assessment back to the trainee, with a reason (trainers)."""
    round_, trainee, assessment = _visible_assessment(round_id, user_id)
    policy.require(policy.can_reopen(current_user, assessment))
    form = ReopenForm()
    reason = (form.reason.data or "") if form.validate_on_submit() else ""
    try:
        handing_in.reopen(current_user, assessment, reason)
    except handing_in.ReopenRefused as refused:
        if refused.reason != handing_in.CannotReopen.NOT_HANDED_IN:
            return _render_view(round_, trainee, assessment, form), 400
        flash(_("This self-assessment is not handed in, so there is nothing to reopen."), "info")
    else:
        db.session.commit()
        flash(
            _(
                "Reopened. %(name)s sees your reason and can change the self-assessment, "
                "then hand it in again.",
                name=trainee.name,
            ),
            "success",
        )
    return redirect(
        url_for("assessment.view_assessment", round_id=round_.id, user_id=trainee.id), code=303
    )


@bp.post("/markdown/preview")
@login_required
def markdown_preview() -> Response:
    """Sanitised HTML for a Markdown text, for the live preview."""
    text = request.form.get("text", "")[:REFLECTION_LIMIT]
    return jsonify(html=str(render_markdown(text)))
