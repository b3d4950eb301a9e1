"""The final portfolio's pages: load → check policy → one service or query call → respond."""

from __future__ import annotations

import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from portfolio import jobs, policy
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.evidence.views import file_store
from portfolio.extensions import db
from portfolio.i18n import current_language
from portfolio.judging import queries as judging_queries
from portfolio.judging.services import find_assessment
from portfolio.portfolios import content as layout
from portfolio.portfolios import exports, queries, services
from portfolio.portfolios.content import Missing, Problem
from portfolio.portfolios.document import Document, build_document
from portfolio.portfolios.forms import HandInForm, ReturnForm, TextForm
from portfolio.portfolios.models import Portfolio, PortfolioSnapshot
from portfolio.reviews import queries as review_queries
from portfolio.reviews.views import review_context, threads_on_text
from portfolio.versioning import fingerprint, read_fingerprint, read_version

bp = Blueprint("portfolios", __name__)

Page = str | Response | tuple[str | Response, int]


def _feedback_groups() -> int:
    return max(0, int(current_app.config["HAND_IN_FEEDBACK_GROUPS"]))


def _own_cohort(cohort_id: int) -> Cohort:
    """A cohort the current user writes a portfolio in; 404 for any other."""
    cohort = db.get_or_404(Cohort, cohort_id, options=[joinedload(Cohort.organisation)])
    policy.require_view(policy.can_write_portfolio(current_user, cohort))
    return cohort


def _document(portfolio: Portfolio | None, cohort: Cohort) -> Document:
    """The live portfolio as a document (an empty one when none was started)."""
    framework = current_framework()
    if portfolio is None:
        portfolio = Portfolio(id=None, cohort_id=cohort.id, trainee_id=current_user.id)
    data = queries.live_content(portfolio, framework, today())
    return build_document(data, current_language(), framework, feedback_groups=_feedback_groups())


def problem_text(problem: Problem, document: Document | None = None) -> str:
    """A readiness problem in words, saying where and how to fix it."""
    names = {s.key: f"{s.number}. {s.name}" for s in (document.sections if document else ())}
    where = names.get(problem.where, problem.where)
    if problem.kind == Missing.INTRODUCTION:
        return _("Write your introduction: your learning goals and how you developed.")
    if problem.kind == Missing.JUSTIFICATION:
        return _("Write the justification of %(competency)s.", competency=where)
    if problem.kind == Missing.NO_CITATION:
        return _(
            "The justification of %(competency)s cites no evidence: choose evidence for it "
            "and cite it by its number, for example [E1].",
            competency=where,
        )
    if problem.kind == Missing.UNKNOWN_CITATION:
        return _(
            "The justification of %(competency)s cites %(numbers)s, which is not in your "
            "portfolio: choose that evidence for a competency or correct the number.",
            competency=where,
            numbers=", ".join(problem.detail),
        )
    if problem.kind == Missing.ROUND_NOT_HANDED_IN:
        return _("Hand in your self-assessment of “%(round)s”.", round=problem.detail[0])
    answered, needed = (int(n) for n in problem.detail)
    return ngettext(
        "Feedback has come from %(answered)s group of raters; %(num)d are needed. Ask "
        "people from another group (fellow trainees, trainers, colleagues, clients).",
        "Feedback has come from %(answered)s groups of raters; %(num)d are needed. Ask "
        "people from another group (fellow trainees, trainers, colleagues, clients).",
        needed,
        answered=answered,
    )


def problem_url(problem: Problem, cohort_id: int) -> str | None:
    """Where the trainee fixes ``problem``."""
    if problem.kind == Missing.INTRODUCTION:
        return url_for("portfolios.introduction", cohort_id=cohort_id)
    if problem.kind in (Missing.JUSTIFICATION, Missing.NO_CITATION, Missing.UNKNOWN_CITATION):
        return url_for("portfolios.justification", cohort_id=cohort_id, key=problem.where)
    if problem.kind == Missing.ROUND_NOT_HANDED_IN:
        return url_for("assessment.overview", round_id=int(problem.where))
    return None


@bp.get("/portfolio")
@login_required
def start() -> Page:
    """The way in: straight to the portfolio of one's only cohort, or a choice."""
    cohorts = queries.trainee_cohorts(current_user.id)
    if len(cohorts) == 1:
        return redirect(url_for("portfolios.overview", cohort_id=cohorts[0][0]))
    return render_template("portfolios/start.html", cohorts=cohorts)


@bp.get("/cohorts/<int:cohort_id>/portfolio")
@login_required
def overview(cohort_id: int) -> str:
    """Where the portfolio stands: each part, what is missing, the hand-ins, the next step."""
    cohort = _own_cohort(cohort_id)
    portfolio = queries.find_portfolio(cohort.id, current_user.id)
    document = _document(portfolio, cohort)
    snapshots = queries.snapshots_of(portfolio.id) if portfolio else []
    return render_template(
        "portfolios/overview.html",
        cohort=cohort,
        portfolio=portfolio,
        document=document,
        snapshots=snapshots,
        problem_text=problem_text,
        problem_url=problem_url,
        open_comments=review_queries.open_by_part(current_user.id, cohort.id),
    )


def _text_form(stored: queries.TextState | None) -> TextForm:
    body = stored.body if stored else ""
    form = TextForm(
        formdata=None,
        text=body,
        version=str(stored.version if stored else 0),
        fingerprint=fingerprint(body),
    )
    return form


def _item_ids() -> list[int] | None:
    """The evidence ticked on the page (None when a value is not an id this page writes)."""
    values = request.form.getlist("evidence")
    if not all(v.isascii() and v.isdigit() and len(v) < 10 for v in values):
        return None
    return sorted({int(v) for v in values})


@bp.route("/cohorts/<int:cohort_id>/portfolio/introduction", methods=["GET", "POST"])
@login_required
def introduction(cohort_id: int) -> Page:
    """Write the introduction."""
    return _edit(_own_cohort(cohort_id), layout.INTRODUCTION)


@bp.route("/cohorts/<int:cohort_id>/portfolio/competencies/<key>", methods=["GET", "POST"])
@login_required
def justification(cohort_id: int, key: str) -> Page:
    """Write a competency's justification and choose its evidence."""
    cohort = _own_cohort(cohort_id)
    if key not in {c.key for c in current_framework().competencies}:
        abort(404)
    return _edit(cohort, key)


def _edit(cohort: Cohort, key: str) -> Page:
    framework = current_framework()
    portfolio = queries.find_portfolio(cohort.id, current_user.id)
    stored = queries.texts_of(portfolio.id if portfolio else None).get(key)
    locked = portfolio is not None and portfolio.is_handed_in
    if request.method == "GET":
        return _render_edit(cohort, key, portfolio, _text_form(stored), locked=locked)
    form = TextForm()
    tampered: list[str] = []
    base_version = read_version(request.form, "version", tampered)
    base_fingerprint = read_fingerprint(request.form, "fingerprint", tampered)
    item_ids = _item_ids() if key != layout.INTRODUCTION else None
    if key != layout.INTRODUCTION and item_ids is None:
        tampered.append("evidence")
    if tampered:
        flash(
            _(
                "This page sent back values that it did not write itself (in: %(fields)s), so "
                "nothing was saved. What you typed is shown below: check it and save again.",
                fields=", ".join(tampered),
            ),
            "error",
        )
        return _render_edit(cohort, key, portfolio, _typed(form, stored), chosen=item_ids), 400
    if not form.validate():
        return _render_edit(cohort, key, portfolio, _typed(form, stored), chosen=item_ids), 400
    data = services.TextInput(form.text.data or "", base_version, base_fingerprint)
    try:
        portfolio, result = services.save_section(
            current_user, cohort, key, data, item_ids, framework
        )
    except services.PortfolioRefused as refused:
        db.session.rollback()
        if refused.reason == services.Refusal.HANDED_IN:
            flash(
                _(
                    "Your portfolio is handed in, so it can no longer be changed. What you "
                    "typed is shown below but was not saved: copy what you need, or ask a "
                    "trainer to return it for revision."
                ),
                "error",
            )
            return (
                _render_edit(
                    cohort, key, portfolio, _typed(form, stored), locked=True, unsaved=True
                ),
                409,
            )
        flash(_("One of the chosen evidence items is not in your library any more."), "error")
        return _render_edit(cohort, key, portfolio, _typed(form, stored)), 400
    db.session.commit()
    if result.conflicts:
        theirs = queries.texts_of(portfolio.id).get(key)
        flash(
            _(
                "This text was changed in another tab or on another device since you opened "
                "this page. Both versions are shown: keep what you want in the box and save "
                "again to replace the other version."
            ),
            "error",
        )
        form = TextForm(
            formdata=None,
            text=data.body,
            version=str(theirs.version if theirs else 0),
            fingerprint=fingerprint(theirs.body if theirs else ""),
        )
        return (
            _render_edit(cohort, key, portfolio, form, conflict=theirs.body if theirs else ""),
            409,
        )
    flash(_("Saved."), "success")
    if request.form.get("action") == "preview":
        return redirect(url_for("portfolios.preview", cohort_id=cohort.id), code=303)
    return redirect(request.path, code=303)


def _typed(form: TextForm, stored: queries.TextState | None) -> TextForm:
    """The form with what was typed, based on what the page was based on."""
    body = form.text.data or ""
    again = TextForm(
        formdata=None,
        text=body,
        version=request.form.get("version", str(stored.version if stored else 0)),
        fingerprint=request.form.get("fingerprint", fingerprint(stored.body if stored else "")),
    )
    again.text.errors = list(form.text.errors)
    return again


def _render_edit(
    cohort: Cohort,
    key: str,
    portfolio: Portfolio | None,
    form: TextForm,
    *,
    locked: bool = False,
    unsaved: bool = False,
    conflict: str | None = None,
    chosen: list[int] | None = None,
) -> str:
    framework = current_framework()
    language = current_language()
    competency = next((c for c in framework.competencies if c.key == key), None)
    choices: list[queries.EvidenceChoice] = []
    if competency is not None:
        choices = queries.evidence_choices(
            current_user.id,
            portfolio.id if portfolio else None,
            key,
            [i.key for i in competency.ratable()],
        )
        if chosen is not None:
            ticked = set(chosen)
            choices = [
                queries.EvidenceChoice(
                    c.id, c.title, c.kind, c.occurred_on, c.number, c.id in ticked, c.linked
                )
                for c in choices
            ]
    form.text.label.text = _("Your introduction") if competency is None else _("Your justification")
    return render_template(
        "portfolios/edit.html",
        cohort=cohort,
        key=key,
        competency=competency,
        form=form,
        choices=choices,
        locked=locked,
        unsaved=unsaved,
        conflict=conflict,
        words=layout.word_count(form.text.data or ""),
        recommended=layout.RECOMMENDED_WORDS,
        language=language,
        localized=localized,
        review=threads_on_text(portfolio, key),
        **review_context(),
    )


@bp.get("/cohorts/<int:cohort_id>/portfolio/preview")
@login_required
def preview(cohort_id: int) -> Page:
    """The whole portfolio as an assessor will read it."""
    cohort = _own_cohort(cohort_id)
    portfolio = queries.find_portfolio(cohort.id, current_user.id)
    if portfolio is not None and portfolio.is_handed_in:
        latest = services.latest_snapshot(portfolio.id)
        if latest is not None:  # what the assessors read is the hand-in itself
            return redirect(url_for("portfolios.snapshot", snapshot_id=latest.id))
    return render_template(
        "portfolios/document_page.html",
        cohort=cohort,
        document=_document(portfolio, cohort),
        snapshot=None,
        problem_text=problem_text,
        problem_url=problem_url,
        return_form=None,
    )


@bp.route("/cohorts/<int:cohort_id>/portfolio/hand-in", methods=["GET", "POST"])
@login_required
def hand_in(cohort_id: int) -> Page:
    """Check readiness, confirm, and hand the portfolio in."""
    cohort = _own_cohort(cohort_id)
    portfolio = queries.find_portfolio(cohort.id, current_user.id)
    form = HandInForm()
    if request.method == "POST" and form.validate() and portfolio is not None:
        try:
            snapshot = services.hand_in(
                current_user,
                portfolio,
                current_framework(),
                today=today(),
                feedback_groups=_feedback_groups(),
                store=file_store(),
            )
        except services.PortfolioRefused as refused:
            db.session.rollback()
            if refused.reason == services.Refusal.HANDED_IN:
                flash(_("Your portfolio is already handed in."), "info")
                return redirect(url_for("portfolios.overview", cohort_id=cohort.id), code=303)
        else:
            db.session.commit()
            flash(
                _(
                    "Handed in. Your trainers can now read this version of your portfolio; it "
                    "no longer changes, whatever you edit later."
                ),
                "success",
            )
            return prepare_pdf_after(
                redirect(url_for("portfolios.snapshot", snapshot_id=snapshot.id), code=303),
                snapshot,
            )
    if portfolio is not None and portfolio.is_handed_in:
        flash(_("Your portfolio is already handed in."), "info")
        return redirect(url_for("portfolios.overview", cohort_id=cohort.id), code=303)
    document = _document(portfolio, cohort)
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "portfolios/hand_in.html",
            cohort=cohort,
            document=document,
            form=form,
            problem_text=problem_text,
            problem_url=problem_url,
        ),
        status,
    )


def visible_snapshot(snapshot_id: int) -> PortfolioSnapshot:
    """A hand-in the current user may read, with its portfolio, cohort and trainee; 404 for
    any other (also used by the final assessment's pages)."""
    snapshot = db.get_or_404(
        PortfolioSnapshot,
        snapshot_id,
        options=[
            joinedload(PortfolioSnapshot.portfolio).joinedload(Portfolio.cohort),
            joinedload(PortfolioSnapshot.portfolio).joinedload(Portfolio.trainee),
        ],
    )
    policy.require_view(policy.can_view_snapshot(current_user, snapshot))
    return snapshot


def _render_snapshot(snapshot: PortfolioSnapshot, form: ReturnForm | None = None) -> str:
    data = layout.submission_content(snapshot.content)
    document = build_document(data, current_language(), current_framework(), sha256=snapshot.sha256)
    rows = queries.snapshots_of(snapshot.portfolio_id)
    this = next(r for r in rows if r.id == snapshot.id)
    assessment = find_assessment(snapshot.id)
    can_return = (
        rows[0].id == snapshot.id
        and snapshot.portfolio.is_handed_in
        and not (assessment is not None and assessment.is_locked)
        and policy.can_return_portfolio(current_user, snapshot)
    )
    verdict = (
        judging_queries.verdict_of(snapshot.id)
        if policy.can_read_verdict(current_user, assessment)
        else None
    )
    return render_template(
        "portfolios/document_page.html",
        verdict=verdict,
        assessment_stage=assessment.stage if assessment else None,
        can_assess=policy.can_run_assessment(current_user, snapshot),
        framework=current_framework(),
        language=current_language(),
        localized=localized,
        cohort=snapshot.portfolio.cohort,
        document=document,
        snapshot=this,
        snapshots=rows,
        return_form=(form or ReturnForm()) if can_return else None,
        snapshot_owner=snapshot.portfolio.trainee_id == current_user.id,
        problem_text=problem_text,
        problem_url=problem_url,
    )


@bp.get("/portfolio-snapshots/<int:snapshot_id>")
@login_required
def snapshot(snapshot_id: int) -> str:
    """A handed-in portfolio, exactly as it was handed in, with its SHA-256."""
    return _render_snapshot(visible_snapshot(snapshot_id))


def _export_language() -> str:
    """The language asked for in the address (one the application speaks), else the page's."""
    language = request.args.get("language", "")
    return language if language in current_app.config["LANGUAGES"] else current_language()


@bp.get("/portfolio-snapshots/<int:snapshot_id>/export.<fmt>")
@login_required
def export(snapshot_id: int, fmt: str) -> Response:
    """A hand-in as a file: PDF, one HTML file, Markdown, JSON or a ZIP bundle of them."""
    snapshot = visible_snapshot(snapshot_id)
    if fmt not in exports.FORMATS:
        abort(404)
    language = _export_language()
    made = exports.export_of(snapshot)
    data = exports.cached_render(
        made,
        fmt,
        language,
        current_framework(),
        exports.file_reader(file_store(), made),
        current_app.config["EXPORT_CACHE_FOLDER"],
    )
    name = f"{made.file_stem()}.{fmt}"
    return Response(
        data,
        mimetype=exports.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _made_file(snapshot: PortfolioSnapshot, fmt: str, language: str) -> Path:
    return exports.cache_path(
        exports.export_of(snapshot),
        fmt,
        language,
        current_framework(),
        current_app.config["EXPORT_CACHE_FOLDER"],
    )


def prepare_after(
    response: Response, snapshot_id: int, fmt: str, language: str, path: Path
) -> Response:
    """Have the file made once ``response`` has gone out (on the job queue when there is
    one), unless it is being made already."""
    if not exports.mark_preparing(path):
        return response
    return jobs.submit_after(
        response, "portfolios.prepare_export", snapshot_id=snapshot_id, fmt=fmt, language=language
    )


def prepare_pdf_after(response: Response, snapshot: PortfolioSnapshot) -> Response:
    """After a hand-in or a locked verdict: have its PDF made in the trainee's language, so
    the first download does not wait (unless ``PREPARE_EXPORTS_ON_HAND_IN`` is off)."""
    if not current_app.config["PREPARE_EXPORTS_ON_HAND_IN"]:
        return response
    trainee = snapshot.portfolio.trainee
    language = trainee.language or str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if language not in current_app.config["LANGUAGES"]:
        language = str(current_app.config["BABEL_DEFAULT_LOCALE"])
    return prepare_after(
        response, snapshot.id, "pdf", language, _made_file(snapshot, "pdf", language)
    )


@bp.get("/portfolio-snapshots/<int:snapshot_id>/downloads/<fmt>")
@login_required
def download(snapshot_id: int, fmt: str) -> Response | str:
    """The way to a slow file (PDF, ZIP): straight to it when it is made; otherwise it is
    made in the background and this page shows how far it is and offers it when ready.
    Asking again while it is being made starts nothing new."""
    snapshot = visible_snapshot(snapshot_id)
    if fmt not in exports.FORMATS:
        abort(404)
    language = _export_language()
    file_url = url_for("portfolios.export", snapshot_id=snapshot.id, fmt=fmt, language=language)
    if fmt not in exports.CACHED:
        return redirect(file_url, code=303)
    path = _made_file(snapshot, fmt, language)
    state = exports.preparation(path, time.time())
    if state.state == exports.Preparation.READY:
        return redirect(file_url, code=303)
    start = state.state == exports.Preparation.ABSENT or (
        state.state == exports.Preparation.FAILED and request.args.get("again") == "1"
    )
    page = render_template(
        "portfolios/preparing.html",
        snapshot=snapshot,
        fmt=fmt,
        language=language,
        failed=state.state == exports.Preparation.FAILED and not start,
        file_url=file_url,
        status_url=url_for(
            "portfolios.download_status", snapshot_id=snapshot.id, fmt=fmt, language=language
        ),
    )
    response = Response(page, mimetype="text/html")
    return prepare_after(response, snapshot.id, fmt, language, path) if start else response


@bp.get("/portfolio-snapshots/<int:snapshot_id>/downloads/<fmt>/status")
@login_required
def download_status(snapshot_id: int, fmt: str) -> Response:
    """How far the making of a slow file is, as JSON, for the waiting page to ask."""
    snapshot = visible_snapshot(snapshot_id)
    if fmt not in exports.CACHED:
        abort(404)
    language = _export_language()
    state = exports.preparation(_made_file(snapshot, fmt, language), time.time())
    return jsonify(
        {
            "state": state.state.value,
            "url": url_for(
                "portfolios.export", snapshot_id=snapshot.id, fmt=fmt, language=language
            ),
        }
    )


@bp.post("/portfolio-snapshots/<int:snapshot_id>/return")
@login_required
def return_snapshot(snapshot_id: int) -> Page:
    """A trainer gives the latest hand-in back for revision, saying what to revise."""
    snapshot = visible_snapshot(snapshot_id)
    policy.require(policy.can_return_portfolio(current_user, snapshot))
    form = ReturnForm()
    if not form.validate():
        return _render_snapshot(snapshot, form), 400
    try:
        services.return_for_revision(current_user, snapshot, form.reason.data or "")
    except services.PortfolioRefused as refused:
        db.session.rollback()
        if refused.reason == services.Refusal.JUDGED:
            flash(
                _(
                    "This hand-in has a locked verdict, which is final: it cannot be returned. "
                    "Nothing changed."
                ),
                "error",
            )
        else:
            flash(
                _(
                    "This hand-in is not the latest one or was already returned, so nothing "
                    "changed."
                ),
                "info",
            )
    else:
        db.session.commit()
        flash(
            _(
                "Returned. %(name)s sees your reason and can revise the portfolio, then hand "
                "it in again.",
                name=snapshot.portfolio.trainee.name,
            ),
            "success",
        )
    return redirect(url_for("portfolios.snapshot", snapshot_id=snapshot.id), code=303)


@bp.get("/cohorts/<int:cohort_id>/portfolios")
@login_required
def cohort_portfolios(cohort_id: int) -> str:
    """The trainers' list: each trainee's portfolio and its latest hand-in."""
    cohort = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_view_cohort(current_user, cohort))
    policy.require(policy.can_view_cohort_portfolios(current_user, cohort))
    return render_template(
        "portfolios/cohort.html",
        cohort=cohort,
        rows=queries.cohort_portfolios(cohort.id),
        stages=judging_queries.cohort_stages(cohort.id),
        open_comments=review_queries.open_counts(cohort.id),
    )
