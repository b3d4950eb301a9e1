"""Rounds and self-assessments: load → check policy → act."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import services, submissions
from portfolio.assessment.forms import ReopenForm, RoundForm
from portfolio.assessment.models import Rating, Round, SelfAssessment
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.evidence.views import file_store
from portfolio.extensions import db
from portfolio.i18n import current_language
from portfolio.inputs import REFUSED_MESSAGE, refused_fields
from portfolio.markdown import render_markdown
from portfolio.templating import date_text

bp = Blueprint("assessment", __name__)


# --- rounds (trainers) ------------------------------------------------------------------


@bp.route("/cohorts/<int:cohort_id>/rounds", methods=["GET", "POST"])
@login_required
def rounds(cohort_id: int) -> str | Response:
    """A cohort's assessment rounds; trainers plan new ones."""
    cohort = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, cohort))
    policy.require(policy.can_manage_rounds(current_user, cohort))
    form = RoundForm()
    refused = False
    if form.validate_on_submit():
        version = services.current_framework_version(current_framework())
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
                services.create_round(
                    current_user, cohort, version=version, today=today(), **form.planned()
                )
            except services.RoundRefused as refusal:
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
    listed = services.cohort_rounds(cohort.id)
    page = render_template(
        "assessment/rounds.html",
        cohort=cohort,
        rounds=listed,
        started=services.started_round_ids([r.id for r in listed]),
        form=form,
        today=today(),
    )
    return page


@bp.route("/rounds/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit_round(round_id: int) -> str | Response:
    """Change a round's name or dates (for example to give more time)."""
    round_ = _managed_round(round_id)
    form = RoundForm(obj=round_)
    if form.validate_on_submit():
        try:
            services.update_round(current_user, round_, today=today(), **form.planned())
        except services.RoundRefused as refusal:
            form.show_refusal(refusal.problems)
            return render_template("assessment/round_form.html", form=form, round=round_)
        db.session.commit()
        flash(_("The round is saved."), "success")
        return redirect(url_for("assessment.rounds", cohort_id=round_.cohort_id), code=303)
    form.hide_confirmation()
    return render_template("assessment/round_form.html", form=form, round=round_)


def _managed_round(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    policy.require_view(policy.can_view_cohort(current_user, round_.cohort))
    policy.require(policy.can_manage_rounds(current_user, round_.cohort))
    return round_


@bp.route("/rounds/<int:round_id>/delete", methods=["GET", "POST"])
@login_required
def delete_round(round_id: int) -> str | Response | tuple[str, int]:
    """Delete a round nobody has started (a confirmation page first)."""
    round_ = _managed_round(round_id)
    started = services.has_answers(round_)
    if request.method == "POST" and not started:
        cohort_id = round_.cohort_id
        services.delete_round(current_user, round_)
        db.session.commit()
        flash(_("The round “%(title)s” is deleted.", title=round_.title), "success")
        return redirect(url_for("assessment.rounds", cohort_id=cohort_id), code=303)
    page = render_template(
        "assessment/round_end.html", round=round_, started=started, action="delete", today=today()
    )
    return (page, 409) if request.method == "POST" else page


@bp.route("/rounds/<int:round_id>/close", methods=["GET", "POST"])
@login_required
def close_round(round_id: int) -> str | Response | tuple[str, int]:
    """Close a round now, keeping every answer (a confirmation page first)."""
    round_ = _managed_round(round_id)
    closed = round_.state(today()) == "closed"
    if request.method == "POST" and not closed:
        services.close_round(current_user, round_, today=today())
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
    page = render_template(
        "assessment/round_end.html",
        round=round_,
        started=services.has_answers(round_),
        action="close",
        closed=closed,
        today=today(),
    )
    return (page, 409) if request.method == "POST" else page


@bp.get("/rounds/<int:round_id>/progress")
@login_required
def round_progress(round_id: int) -> str:
    """Where every trainee of the cohort stands in this round."""
    round_ = db.get_or_404(Round, round_id)
    policy.require_view(policy.can_view_cohort(current_user, round_.cohort))
    policy.require(policy.can_manage_rounds(current_user, round_.cohort))
    return render_template(
        "assessment/round_progress.html",
        round=round_,
        rows=services.round_progress(round_),
        total=services.total_items(),
        today=today(),
    )


# --- a trainee's own self-assessment ---------------------------------------------------------


def _own_round(round_id: int) -> Round:
    round_ = db.get_or_404(Round, round_id)
    policy.require_view(policy.can_fill_in(current_user, round_))
    return round_


def _editable(round_: Round, assessment: SelfAssessment | None) -> bool:
    return round_.is_open(today()) and (assessment is None or not assessment.is_submitted)


@bp.get("/rounds/<int:round_id>")
@login_required
def overview(round_id: int) -> str:
    """My self-assessment in this round: progress per competency, what is missing, submit."""
    round_ = _own_round(round_id)
    assessment = services.find_assessment(round_.id, current_user.id)
    report = services.progress(assessment.id if assessment else None)
    last = submissions.latest_submission(assessment.id) if assessment else None
    return render_template(
        "assessment/overview.html",
        round=round_,
        assessment=assessment,
        progress=report,
        editable=_editable(round_, assessment),
        today=today(),
        last_submission=last,
        work=(
            submissions.read_submission(last)
            if last is not None and assessment is not None and assessment.is_submitted
            else None
        ),
    )


@dataclass
class Row:
    """One indicator on the fill-in page, with what to show in its fields."""

    indicator: Indicator
    choice: str
    note: str
    reason: str
    version: int
    fingerprint: str
    previous: Rating | None
    error: str | None = None
    conflict: services.Conflict | None = None


def _is_fetch(data: services.FillInInput | None = None) -> bool:
    return request.headers.get("X-Requested-With") == "fetch" or bool(data and data.wants_json)


def _parse_fill_in(indicators: list[Indicator]) -> services.FillInInput:
    """The fill-in form, hidden fields included, through one parser (see services)."""
    return services.parse_fill_in_form(
        request.form, indicators, current_framework().rating_scale.values, refused_fields()
    )


@bp.route("/rounds/<int:round_id>/competencies/<key>", methods=["GET", "POST"])
@login_required
def fill_in(round_id: int, key: str) -> Any:
    """Rate every indicator of one competency and reflect on it."""
    round_ = _own_round(round_id)
    assessment = services.find_assessment(round_.id, current_user.id)
    competency, indicators = services.competency_indicators(
        key, assessment.id if assessment else None
    )
    if competency is None or competency.is_retired:
        abort(404)
    editable = _editable(round_, assessment)
    if request.method == "POST":
        data = _parse_fill_in(indicators)
        if data.tampered:
            return _refuse_tampered(round_, assessment, competency, indicators, data, editable)
        if not editable:
            return _refuse_save(round_, assessment, competency, indicators, data)
        assessment = services.get_or_create_assessment(round_, current_user)
        return _save(round_, assessment, competency, indicators, data)
    return _render_fill_in(round_, assessment, competency, indicators, editable)


def _refuse_tampered(
    round_: Round,
    assessment: SelfAssessment | None,
    competency: Competency,
    indicators: list[Indicator],
    data: services.FillInInput,
    editable: bool,
) -> Any:
    """Hidden fields came back with values this page never writes: save nothing, say so (400).

    What the person typed is shown again, on top of what is stored now, so that saving
    once more is a deliberate choice made on a page the server wrote.
    """
    message = _(
        "This page sent back values that it did not write itself (in: %(fields)s), so "
        "nothing was saved. This can happen when a browser extension or another program "
        "changes the page. What you typed is shown below: check it and save again.",
        fields=", ".join(data.tampered),
    )
    if _is_fetch():
        message = _(
            "Not saved: this page sent back values that it did not write itself (in: "
            "%(fields)s). Press Save to get the page back with what you typed.",
            fields=", ".join(data.tampered),
        )
        return jsonify(status="refused", message=message, fields=data.tampered), 400
    rows = _rows(round_, current_user.id, assessment, indicators, inputs=data.ratings)
    flash(message, "error")
    reflection = data.reflection
    return (
        _render_fill_in(
            round_,
            assessment,
            competency,
            indicators,
            editable=editable,
            rows=rows,
            reflection_text=reflection.text if reflection else None,
            reflection_base=None,
            unsaved=not editable,
        ),
        400,
    )


def _refuse_save(
    round_: Round,
    assessment: SelfAssessment | None,
    competency: Competency,
    indicators: list[Indicator],
    data: services.FillInInput,
) -> Any:
    """The round closed or was handed in meanwhile: say so, and keep what was typed on screen."""
    if assessment is not None and assessment.is_submitted:
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
    rows = _rows(round_, current_user.id, assessment, indicators, inputs=data.ratings)
    flash(message, "error")
    return (
        _render_fill_in(
            round_,
            assessment,
            competency,
            indicators,
            editable=False,
            rows=rows,
            reflection_text=data.reflection.text if data.reflection else "",
            reflection_base=_base(data.reflection),
            unsaved=True,
        ),
        409,
    )


def _base(reflection: services.ReflectionInput | None) -> tuple[int, str] | None:
    return (reflection.base_version, reflection.base_fingerprint) if reflection else None


def _save(
    round_: Round,
    assessment: SelfAssessment,
    competency: Competency,
    indicators: list[Indicator],
    data: services.FillInInput,
) -> Any:
    inputs, errors, action = data.ratings, dict(data.errors), data.action
    skip = {int(name.split("-")[1]) for name in errors if name.startswith("r-")}
    by_id = {i.id: i for i in indicators}
    result = services.save_ratings(assessment, inputs, by_id, skip)
    reflection = data.reflection
    reflection_text = reflection.text if reflection else None
    if reflection is not None and "reflection" not in errors:
        saved = services.save_reflection(
            assessment,
            competency,
            reflection.text,
            reflection.base_version,
            reflection.base_fingerprint,
        )
        result.saved += saved.saved
        result.conflicts += saved.conflicts
        result.versions.update(saved.versions)
        errors.update(saved.errors)
    db.session.commit()

    messages = {name: _error_message(kind) for name, kind in errors.items()}
    if _is_fetch(data):
        return jsonify(
            status="conflict" if result.conflicts else ("invalid" if errors else "saved"),
            saved=result.saved,
            versions={name: list(v) for name, v in result.versions.items()},
            conflicts=[c.field for c in result.conflicts],
            errors=messages,
            cleaned=sorted(name for name, kind in errors.items() if kind == "control"),
            progress=_progress_json(assessment.id),
        )
    if result.conflicts or errors:
        rows = _rows(
            round_,
            current_user.id,
            assessment,
            indicators,
            inputs=inputs,
            result=result,
            errors=messages,
        )
        reflection_conflict = next((c for c in result.conflicts if c.field == "reflection"), None)
        return (
            _render_fill_in(
                round_,
                assessment,
                competency,
                indicators,
                editable=True,
                rows=rows,
                reflection_text=reflection_text,
                reflection_base=_base(reflection) if "reflection" in messages else None,
                reflection_conflict=reflection_conflict,
                reflection_error=messages.get("reflection"),
                errors=messages,
            ),
            409 if result.conflicts else 400,
        )
    if action == "starr" and not (reflection_text or "").strip():
        return redirect(
            url_for("assessment.fill_in", round_id=round_.id, key=competency.key, starr=1)
            + "#reflection",
            code=303,
        )
    if action == "preview":
        return redirect(
            url_for("assessment.fill_in", round_id=round_.id, key=competency.key, preview=1)
            + "#reflection",
            code=303,
        )
    if action == "next":
        nxt = _next_competency(competency)
        if nxt is not None:
            flash(_("Saved. Next: %(name)s.", name=_localized(nxt.name)), "success")
            return redirect(
                url_for("assessment.fill_in", round_id=round_.id, key=nxt.key), code=303
            )
        flash(_("Saved. You have been through every competency."), "success")
        return redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    flash(_("Saved."), "success")
    return redirect(url_for("assessment.fill_in", round_id=round_.id, key=competency.key), code=303)


def _error_message(kind: str) -> str:
    return {
        "level": _("Choose one of the levels, or “Cannot judge (yet)”."),
        "note": _(
            "The note is too long: keep it to %(n)s characters or fewer.",
            n=format_number(services.NOTE_LIMIT),
        ),
        "reason": _(
            "The explanation is too long: keep it to %(n)s characters or fewer.",
            n=format_number(services.REASON_LIMIT),
        ),
        "reflection": _(
            "The reflection is too long: keep it to %(n)s characters or fewer.",
            n=format_number(services.REFLECTION_LIMIT),
        ),
        "control": str(REFUSED_MESSAGE),
    }.get(kind, _("This value could not be saved."))


def _localized(texts: dict[str, str]) -> str:
    from portfolio.competencies.texts import localized

    return localized(texts, current_language())


def _next_competency(competency: Competency) -> Competency | None:
    return db.session.scalar(
        db.select(Competency)
        .where(Competency.number > competency.number, Competency.retired_at.is_(None))
        .order_by(Competency.number)
        .limit(1)
    )


def _progress_json(assessment_id: int) -> dict[str, Any]:
    report = services.progress(assessment_id)
    return {
        "answered": report.answered,
        "total": report.total,
        "percent": report.percent,
        "competencies": {
            c.competency.key: {"answered": c.answered, "total": c.total}
            for c in report.competencies
        },
    }


def _rows(
    round_: Round,
    trainee_id: int,
    assessment: SelfAssessment | None,
    indicators: list[Indicator],
    *,
    inputs: dict[int, services.RatingInput] | None = None,
    result: services.SaveResult | None = None,
    errors: dict[str, str] | None = None,
) -> list[Row]:
    """What each indicator's fields show: stored values, or what the user just typed."""
    stored = services.ratings_for(assessment.id) if assessment else {}
    _prev_round, previous = services.previous_ratings(round_, trainee_id)
    conflicts = {c.field: c for c in (result.conflicts if result else [])}
    rows = []
    for indicator in indicators:
        name = f"r-{indicator.id}"
        current = stored.get(indicator.id)
        row = Row(
            indicator=indicator,
            choice=services.rating_choice(current),
            note=current.note if current else "",
            reason=current.change_reason if current else "",
            version=current.version if current else 0,
            fingerprint=services.rating_fingerprint(current),
            previous=previous.get(indicator.id),
        )
        typed = (inputs or {}).get(indicator.id)
        has_error = bool(errors) and any(
            f"{name}-{p}" in errors for p in ("level", "note", "reason")
        )
        if typed is not None and (
            name in conflicts or has_error or typed.fingerprint != typed.base_fingerprint
        ):
            # Show what the user typed. After a conflict the row carries the stored version,
            # so saving again is a deliberate choice made with both values in view.
            row.choice, row.note, row.reason = typed.choice, typed.note, typed.reason
            if has_error:
                row.version, row.fingerprint = typed.base_version, typed.base_fingerprint
            elif result and name in result.versions:
                row.version, row.fingerprint = result.versions[name]
        row.conflict = conflicts.get(name)
        if has_error:
            row.error = next(
                errors[f"{name}-{part}"]
                for part in ("level", "note", "reason")
                if f"{name}-{part}" in errors  # type: ignore[operator]
            )
        rows.append(row)
    return rows


def _render_fill_in(
    round_: Round,
    assessment: SelfAssessment | None,
    competency: Competency,
    indicators: list[Indicator],
    editable: bool,
    *,
    rows: list[Row] | None = None,
    reflection_text: str | None = None,
    reflection_base: tuple[int, str] | None = None,
    reflection_conflict: services.Conflict | None = None,
    reflection_error: str | None = None,
    errors: dict[str, str] | None = None,
    unsaved: bool = False,
) -> str:
    reflection = services.reflections_for(assessment.id).get(competency.id) if assessment else None
    previous_round, _previous = services.previous_ratings(round_, current_user.id)
    stored_version = reflection.version if reflection else 0
    stored_fp = services.reflection_fingerprint(reflection)
    if reflection_conflict is not None or (reflection_text is not None and not reflection_base):
        # Both texts are shown (or the page's own fields came back wrong): saving again is
        # a deliberate choice, made on top of what is stored now.
        version, fp = stored_version, stored_fp
    elif reflection_base is not None:
        version, fp = reflection_base  # what this tab was based on, as parsed
    else:
        reflection_text, version, fp = (
            (reflection.body if reflection else ""),
            stored_version,
            stored_fp,
        )
        if request.args.get("starr") and not reflection_text.strip():
            reflection_text = services.reflection_template(current_language())
    report = services.progress(assessment.id if assessment else None)
    shown = rows if rows is not None else _rows(round_, current_user.id, assessment, indicators)
    return render_template(
        "assessment/fill_in.html",
        evidence=services.evidence_by_indicator(current_user.id, [r.indicator.id for r in shown]),
        round=round_,
        assessment=assessment,
        competency=competency,
        rows=shown,
        scale=current_framework().rating_scale,
        editable=editable,
        previous_round=previous_round,
        reflection_text=reflection_text,
        reflection_version=version,
        reflection_fp=fp,
        reflection_conflict=reflection_conflict,
        reflection_error=reflection_error,
        preview=render_markdown(reflection_text) if request.args.get("preview") else None,
        progress=report,
        errors=errors or {},
        unsaved=unsaved,
        starr=services.reflection_template(current_language()),
    )


def _not_ready_to_hand_in(
    round_: Round, assessment: SelfAssessment | None, report: services.Progress
) -> tuple[str, str] | None:
    """Why the work cannot be handed in now (message, category), or None when it can."""
    if assessment is not None and assessment.is_submitted:
        return _("This self-assessment was already handed in."), "info"
    if not round_.is_open(today()):
        return _("This round is not open, so it cannot be handed in now."), "error"
    if assessment is None or not report.complete:
        return (
            ngettext(
                "Not handed in yet: %(num)d indicator still needs an answer (a level, or "
                "“Cannot judge (yet)”). The competencies below show where.",
                "Not handed in yet: %(num)d indicators still need an answer (a level, or "
                "“Cannot judge (yet)”). The competencies below show where.",
                report.total - report.answered,
            ),
            "error",
        )
    return None


@bp.route("/rounds/<int:round_id>/submit", methods=["GET", "POST"])
@login_required
def submit(round_id: int) -> Any:
    """GET: what handing in means, and a button to confirm. POST: hand in; it becomes read-only."""
    round_ = _own_round(round_id)
    assessment = services.find_assessment(round_.id, current_user.id)
    report = services.progress(assessment.id if assessment else None)
    refusal = _not_ready_to_hand_in(round_, assessment, report)
    if refusal is not None:
        flash(*refusal)
        return redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    assert assessment is not None
    if request.method == "GET":
        return render_template(
            "assessment/submit_confirm.html",
            round=round_,
            assessment=assessment,
            evidence_count=submissions.evidence_to_freeze(assessment),
            reopened=assessment.is_reopened,
        )
    services.submit(assessment, current_user, file_store())
    db.session.commit()
    flash(
        _(
            "Handed in. Your trainers and the governance group can now see this "
            "self-assessment as you handed it in."
        ),
        "success",
    )
    return redirect(url_for("assessment.overview", round_id=round_.id), code=303)


# --- viewing someone's self-assessment ---------------------------------------------------------


def _visible_assessment(round_id: int, user_id: int) -> tuple[Round, User, SelfAssessment]:
    """Load a trainee's self-assessment in a round; 404 unless the current user may see it."""
    round_ = db.get_or_404(Round, round_id)
    trainee = db.get_or_404(User, user_id)
    assessment = services.find_assessment(round_.id, trainee.id)
    if assessment is None:
        policy.not_found()
    policy.require_view(policy.can_view_self_assessment(current_user, assessment))
    return round_, trainee, assessment


def _render_view(
    round_: Round, trainee: User, assessment: SelfAssessment, form: ReopenForm
) -> str | Response:
    last = submissions.latest_submission(assessment.id)
    if last is None:  # only the trainee gets this far: nothing handed in yet
        return redirect(url_for("assessment.overview", round_id=round_.id), code=303)
    return render_template(
        "assessment/view.html",
        round=round_,
        trainee=trainee,
        assessment=assessment,
        work=submissions.read_submission(last),
        can_reopen=policy.can_reopen(current_user, assessment) and assessment.is_submitted,
        form=form,
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
def reopen(round_id: int, user_id: int) -> Any:
    """Give a handed-in self-assessment back to the trainee, with a reason (trainers)."""
    round_, trainee, assessment = _visible_assessment(round_id, user_id)
    policy.require(policy.can_reopen(current_user, assessment))
    form = ReopenForm()
    if not assessment.is_submitted:
        flash(_("This self-assessment is not handed in, so there is nothing to reopen."), "info")
    elif form.validate_on_submit():
        services.reopen(assessment, current_user, form.reason.data or "")
        db.session.commit()
        flash(
            _(
                "Reopened. %(name)s sees your reason and can change the self-assessment, "
                "then hand it in again.",
                name=trainee.name,
            ),
            "success",
        )
    else:
        return _render_view(round_, trainee, assessment, form), 400
    return redirect(
        url_for("assessment.view_assessment", round_id=round_.id, user_id=trainee.id), code=303
    )


@bp.post("/markdown/preview")
@login_required
def markdown_preview() -> Response:
    """Sanitised HTML for a Markdown text, for the live preview."""
    text = request.form.get("text", "")[: services.REFLECTION_LIMIT]
    return jsonify(html=str(render_markdown(text)))
