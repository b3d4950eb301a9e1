"""Peer feedback pages: load → check policy → one service call → respond.

Two kinds of visitor answer a request: a cohort member signed in (``/feedback/asked/<id>``)
and anyone holding the request's personal link (``/f/<token>``). Both reach the same view
functions through :class:`RaterAccess`, which says who is acting and how to link onwards.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
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

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment.models import Round
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.dates import date_text
from portfolio.downloads import send_attachment
from portfolio.extensions import db, limiter
from portfolio.feedback import notices, queries, services
from portfolio.feedback.forms import (
    SOMEONE_ELSE,
    AskForm,
    DeclineForm,
    RaterDataForm,
    RaterReplyForm,
    ReplyForm,
)
from portfolio.feedback.inputs import (
    NARRATIVE_LIMIT,
    AnswerAction,
    AnswerError,
    AnswerInput,
    ReplyInput,
    parse_answer_form,
)
from portfolio.feedback.models import FeedbackRequest, RequestStatus
from portfolio.feedback.services import FeedbackRefused, Refusal, RequestInput
from portfolio.i18n import LANGUAGE_NAMES, current_language, open_page_in
from portfolio.inputs import page_number, refused_fields
from portfolio.mail import mail_configured
from portfolio.policy import LinkHolder, LinkPurpose, Viewer
from portfolio.versioning import SaveResult

bp = Blueprint("feedback", __name__)

Page = str | Response | tuple[str | Response, int]


def _load_round(round_id: int) -> Round:
    return db.get_or_404(Round, round_id, options=[joinedload(Round.cohort)])


def _load_request(request_id: int) -> FeedbackRequest:
    return db.get_or_404(
        FeedbackRequest,
        request_id,
        options=[joinedload(FeedbackRequest.round), joinedload(FeedbackRequest.trainee)],
    )


def refusal_message(reason: Refusal) -> str:
    """A refusal in words, with what to do next."""
    messages = {
        Refusal.ROUND_CLOSED: _("This round is closed, so no more feedback can be asked for it."),
        Refusal.ASKING_ONESELF: _("You cannot ask yourself for feedback: choose someone else."),
        Refusal.DUPLICATE: _(
            "You already asked this person in this round and they have not answered yet. "
            "Send the request again anyway, or remind them from your list instead."
        ),
        Refusal.WITHDRAWN: _("This request was withdrawn."),
        Refusal.EXPIRED: _("The time to answer this request has run out."),
        Refusal.ANSWERED: _("This request has been answered."),
        Refusal.DECLINED: _("This request was declined."),
        Refusal.TOO_SOON: _("You reminded this person less than a day ago: give them some time."),
        Refusal.TOO_MANY: ngettext(
            "You have reminded this person %(num)d time already.",
            "You have reminded this person %(num)d times already.",
            services.REMINDER_LIMIT,
        ),
        Refusal.NOT_STARTED: _(
            "There is nothing to send yet: choose a level for at least one indicator, or "
            "write what you saw."
        ),
        Refusal.NO_REPLY_YET: _("There is no reply to answer yet."),
        Refusal.ALREADY_REPLIED: _("You already answered this reply."),
        Refusal.NOT_SHOWN: _("This feedback cannot be replied to here."),
        Refusal.CONFLICT: _(
            "Your reply was changed in another tab or on another device after you opened "
            "this page. Nothing was overwritten: the page shows the stored reply."
        ),
    }
    return messages[reason]


# --- The trainee: asking and reading --------------------------------------------------------


def _own_round(round_id: int) -> Round:
    round_ = _load_round(round_id)
    policy.require_view(policy.can_ask_feedback(current_user, round_))
    return round_


def _trainee_page(round_: Round, trainee: User, *, own: bool, status: int = 200) -> Page:
    framework = current_framework()
    seen = queries.feedback_seen(round_.id, trainee.id, framework)
    return (
        render_template(
            "feedback/round.html",
            round=round_,
            trainee=trainee,
            own=own,
            requests=queries.requests_of(round_.id, trainee.id) if own else [],
            feedback=seen,
            view=_feedback_view(framework, round_, seen),
            reply_form=ReplyForm(formdata=None),
            framework=framework,
            breadth_target=2,
        ),
        status,
    )


@dataclass(frozen=True)
class _FeedbackView:
    """Names the template needs around the feedback: indicators, competencies, groups."""

    indicators: dict[int, queries.IndicatorRef]
    competencies: list[queries.CompetencyBlock]
    groups: dict[str, str]
    tools: dict[str, str]


def _feedback_view(framework: Any, round_: Round, seen: queries.FeedbackSeen) -> _FeedbackView:
    language = current_language()
    blocks = queries.asked_competencies([c.key for c in framework.competencies])
    groups = {g.key: localized(g.label, language) for g in framework.feedback.rater_groups}
    groups["others"] = _("Other groups together")
    return _FeedbackView(
        {i.id: i for b in blocks for i in b.indicators},
        blocks,
        groups,
        {t.key: localized(t.name, language) for t in framework.tools()},
    )


@bp.route("/rounds/<int:round_id>/feedback")
@login_required
def round_feedback(round_id: int) -> Page:
    """The trainee's requests in a round and the feedback that came back."""
    round_ = _own_round(round_id)
    return _trainee_page(round_, current_user, own=True)


@bp.route("/rounds/<int:round_id>/feedback/ask", methods=["GET", "POST"])
@login_required
def ask(round_id: int) -> Page:
    """Ask one person (a cohort member or anyone by e-mail) for feedback."""
    round_ = _own_round(round_id)
    framework = current_framework()
    members = queries.askable_members(round_.cohort, current_user.id)
    form = AskForm()
    form.fill(
        framework,
        members,
        current_language(),
        current_app.config["LANGUAGES"],
        LANGUAGE_NAMES,
    )
    duplicate = False
    if form.validate_on_submit():
        rater_user = None
        if form.who.data != SOMEONE_ELSE:
            rater_user = db.session.get(User, int(form.who.data))
            if rater_user is None or not any(m.id == rater_user.id for m in members):
                abort(400)
        data = RequestInput(
            rater_group=form.rater_group.data,
            competency_keys=form.competencies.data or [],
            anonymous=form.anonymous.data == "anonymous",
            language=(rater_user.language if rater_user and rater_user.language else None)
            or form.language.data,
            rater_user=rater_user,
            rater_name=form.rater_name.data or "",
            rater_email=form.rater_email.data or "",
            situation_date=form.situation_date.data,
            situation=form.situation.data or "",
            tool_key=form.tool.data or None,
            message=form.message.data or "",
            share_self_ratings=bool(form.share_self_ratings.data),
        )
        try:
            asked = services.ask(
                current_user,
                round_,
                data,
                framework,
                today=today(),
                confirm_duplicate=form.confirm_duplicate.data == "yes",
            )
        except FeedbackRefused as refusal:
            if refusal.reason == Refusal.DUPLICATE:
                duplicate = True
                form.confirm_duplicate.data = "yes"
            else:
                flash(refusal_message(refusal.reason), "error")
        else:
            db.session.commit()
            return _sent_page(round_, asked.request, asked.link, reminder=False)
    status = 200 if request.method == "GET" or duplicate else 400
    return (
        render_template(
            "feedback/ask.html",
            round=round_,
            form=form,
            duplicate=duplicate,
            has_members=bool(members),
            threshold=queries.threshold(),
        ),
        status,
    )


def _sent_page(
    round_: Round, feedback_request: FeedbackRequest, link: str, *, reminder: bool
) -> str:
    return render_template(
        "feedback/sent.html",
        round=round_,
        feedback_request=feedback_request,
        link=link,
        mailed=mail_configured(),
        reminder=reminder,
    )


def _managed_request(request_id: int) -> FeedbackRequest:
    feedback_request = _load_request(request_id)
    policy.require_view(policy.can_manage_feedback_request(current_user, feedback_request))
    return feedback_request


@bp.route("/feedback/requests/<int:request_id>/withdraw", methods=["POST"])
@login_required
def withdraw(request_id: int) -> Response:
    """Take a request back: its link opens nothing any more."""
    feedback_request = _managed_request(request_id)
    try:
        services.withdraw(current_user, feedback_request)
    except FeedbackRefused as refusal:
        flash(refusal_message(refusal.reason), "error")
    else:
        db.session.commit()
        flash(
            _("The request to %(name)s is withdrawn.", name=feedback_request.rater_name), "success"
        )
    return redirect(url_for("feedback.round_feedback", round_id=feedback_request.round_id), 303)


@bp.route("/feedback/requests/<int:request_id>/remind", methods=["POST"])
@login_required
def remind(request_id: int) -> Page:
    """Send the request again, with a new link."""
    feedback_request = _managed_request(request_id)
    try:
        token = services.remind(current_user, feedback_request, current_framework())
    except FeedbackRefused as refusal:
        flash(refusal_message(refusal.reason), "error")
        return redirect(url_for("feedback.round_feedback", round_id=feedback_request.round_id), 303)
    db.session.commit()
    link = notices.rater_link(feedback_request, token)
    return _sent_page(feedback_request.round, feedback_request, link, reminder=True)


def _reply_input(form: ReplyForm) -> ReplyInput:
    version = form.version.data or "0"
    return ReplyInput(
        (form.takeaway.data or "").strip(),
        (form.try_next.data or "").strip(),
        (form.question.data or "").strip(),
        int(version) if version.isdigit() else -1,
    )


@bp.route("/feedback/requests/<int:request_id>/reply", methods=["POST"])
@login_required
def reply(request_id: int) -> Page:
    """The trainee replies to an identified answer."""
    feedback_request = _managed_request(request_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _reply_refused(feedback_request.round, form, f"reply-{request_id}")
    try:
        services.reply_to_answer(current_user, feedback_request, _reply_input(form))
    except FeedbackRefused as refusal:
        flash(refusal_message(refusal.reason), "error")
        return _trainee_page(feedback_request.round, current_user, own=True, status=409)
    db.session.commit()
    flash(
        _("Your reply is saved; %(name)s can read it.", name=feedback_request.rater_name), "success"
    )
    return redirect(
        url_for(
            "feedback.round_feedback",
            round_id=feedback_request.round_id,
            _anchor=f"answer-{request_id}",
        ),
        303,
    )


@bp.route("/rounds/<int:round_id>/feedback/groups/<group_key>/reply", methods=["POST"])
@login_required
def reply_group(round_id: int, group_key: str) -> Page:
    """The trainee replies to an anonymous group summary."""
    round_ = _own_round(round_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _reply_refused(round_, form, f"group-{group_key}")
    seen = queries.feedback_seen(round_.id, current_user.id, current_framework())
    try:
        services.reply_to_group(
            current_user, round_, group_key, _reply_input(form), seen.seen.shown_group_keys
        )
    except FeedbackRefused as refusal:
        if refusal.reason == Refusal.NOT_SHOWN:
            abort(404)
        flash(refusal_message(refusal.reason), "error")
        return _trainee_page(round_, current_user, own=True, status=409)
    db.session.commit()
    flash(_("Your reply is saved."), "success")
    return redirect(
        url_for("feedback.round_feedback", round_id=round_id, _anchor=f"group-{group_key}"), 303
    )


def _reply_refused(round_: Round, form: ReplyForm, anchor: str) -> Page:
    """A reply with a mistake: the page again, with what was typed and the message."""
    framework = current_framework()
    seen = queries.feedback_seen(round_.id, current_user.id, framework)
    return (
        render_template(
            "feedback/round.html",
            round=round_,
            trainee=current_user,
            own=True,
            requests=queries.requests_of(round_.id, current_user.id),
            feedback=seen,
            view=_feedback_view(framework, round_, seen),
            reply_form=ReplyForm(formdata=None),
            failed_reply=(anchor, form),
            framework=framework,
            breadth_target=2,
        ),
        400,
    )


# --- Trainers ---------------------------------------------------------------------------------


@bp.route("/rounds/<int:round_id>/feedback/trainees/<int:trainee_id>")
@login_required
def trainee_feedback(round_id: int, trainee_id: int) -> Page:
    """A trainee's feedback in a round, for their trainers (under the anonymity rule)."""
    round_ = _load_round(round_id)
    trainee = db.get_or_404(User, trainee_id)
    policy.require_view(policy.can_read_feedback(current_user, round_, trainee))
    return _trainee_page(round_, trainee, own=trainee.id == current_user.id)


@bp.route("/rounds/<int:round_id>/feedback/cohort")
@login_required
def cohort_feedback(round_id: int) -> Page:
    """Per trainee of the cohort: feedback asked, answered and still outstanding."""
    round_ = _load_round(round_id)
    policy.require_view(policy.can_view_cohort_feedback(current_user, round_))
    rows = queries.cohort_feedback(round_, page_number())
    return render_template("feedback/cohort.html", round=round_, rows=rows)


@bp.route("/feedback/given")
@login_required
def given() -> str:
    """The feedback the signed-in person gave others, and requests still waiting for them."""
    return render_template(
        "feedback/given.html",
        asked=queries.asked_of(current_user.id),
        given=queries.given_by(current_user.id),
    )


@bp.route("/feedback/given/<int:request_id>/evidence", methods=["POST"])
@login_required
def given_as_evidence(request_id: int) -> Response:
    """Add feedback the signed-in person gave to their evidence library, then edit it there."""
    feedback_request = _load_request(request_id)
    policy.require_view(policy.can_answer_feedback(current_user, feedback_request))
    language = current_language()
    round_title = feedback_request.round.title
    if feedback_request.anonymous:
        text = services.GivenFeedbackText(
            _("Anonymous feedback I gave (%(round)s)", round=round_title),
            _(
                "I gave anonymous feedback to someone in my training. What I wrote stays "
                "anonymous, so it is not copied here: describe what you learned from giving it."
            ),
        )
    else:
        names = {
            b.id: localized(b.name, language)
            for b in queries.asked_competencies(feedback_request.competency_keys)
        }
        parts = [
            f"**{names.get(cid, '')}**\n\n"
            + (f"{_('What works:')} {works}\n\n" if works else "")
            + (f"{_('What could grow:')} {grow}" if grow else "")
            for cid, works, grow in services.narratives_given(feedback_request)
        ]
        text = services.GivenFeedbackText(
            _(
                "Feedback I gave to %(name)s (%(round)s)",
                name=feedback_request.trainee.name,
                round=round_title,
            ),
            "\n\n".join(parts) or _("I gave feedback through the portfolio."),
        )
    try:
        item = services.given_as_evidence(current_user, feedback_request, text, current_framework())
    except FeedbackRefused as refusal:
        flash(refusal_message(refusal.reason), "error")
        return redirect(url_for("feedback.given"), 303)
    db.session.commit()
    flash(_("Added to your evidence: add what you learned from giving this feedback."), "success")
    return redirect(url_for("evidence.edit", item_id=item.id), 303)


# --- Raters -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RaterAccess:
    """Who answers a request and how: signed in, or holding its personal link."""

    request: FeedbackRequest
    viewer: Viewer
    token: str | None

    def url(self, page: str) -> str:
        """The address of one of the rater's pages (landing, answer, decline, reply)."""
        if self.token is not None:
            return url_for(f"feedback.{page}", token=self.token)
        return url_for(f"feedback.{page}_member", request_id=self.request.id)


def _by_token(token: str) -> RaterAccess:
    """The request behind a link; a link that matches none is a plain 404 page."""
    if len(token) > 100:
        abort(404)
    feedback_request = services.find_by_token(token)
    if feedback_request is None:
        abort(404)
    holder = LinkHolder(feedback_request.id, LinkPurpose.FEEDBACK_RESPONSE, feedback_request.id)
    policy.require_view(policy.can_answer_feedback(holder, feedback_request))
    open_page_in(feedback_request.language)
    return RaterAccess(feedback_request, holder, token)


def _by_member(request_id: int) -> RaterAccess:
    feedback_request = _load_request(request_id)
    policy.require_view(policy.can_answer_feedback(current_user, feedback_request))
    return RaterAccess(feedback_request, current_user, None)


def _no_referrer(page: Page) -> Response:
    """Pages behind a personal link never pass the link on in a Referer header."""
    response = make_response(page)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _finished_page(access: RaterAccess, reason: Refusal) -> Page:
    """A link that cannot be used any more: a clear page, the right status, no data."""
    status = 200 if reason == Refusal.ANSWERED else 410
    framework = current_framework()
    return (
        render_template(
            "feedback/link_closed.html",
            access=access,
            reason=reason,
            message=refusal_message(reason),
            replies=(
                queries.rater_replies(access.request.id)
                if reason == Refusal.ANSWERED and not access.request.anonymous
                else {}
            ),
            reply_form=RaterReplyForm(formdata=None),
            data_form=RaterDataForm(formdata=None),
            framework=framework,
        ),
        status,
    )


def _landing(access: RaterAccess) -> Page:
    refused = services.refusal_for_rater(access.request)
    if refused is not None:
        return _finished_page(access, refused)
    services.mark_opened(access.request)
    db.session.commit()
    framework = current_framework()
    group = framework.feedback.group(access.request.rater_group)
    tool = next((t for t in framework.tools() if t.key == access.request.tool_key), None)
    return render_template(
        "feedback/landing.html",
        access=access,
        group=localized(group.label, current_language()) if group else "",
        tool=localized(tool.name, current_language()) if tool else "",
        threshold=queries.threshold(),
        retention_days=int(current_app.config["FEEDBACK_CONTACT_RETENTION_DAYS"]),
        competencies=[c for c in framework.competencies if c.key in access.request.competency_keys],
        data_form=RaterDataForm(formdata=None),
    )


@bp.route("/f/<token>")
@limiter.limit("60/minute")
def landing(token: str) -> Response:
    """What a rater with a link sees first: who asks, what is visible to whom, decline."""
    return _no_referrer(_landing(_by_token(token)))


def _per_link() -> str:
    """Downloads through a link are counted per link."""
    return "link:" + str((request.view_args or {}).get("token", ""))[:100]


@bp.post("/f/<token>/my-data")
@limiter.limit("10/hour", key_func=_per_link)
def rater_data(token: str) -> Response:
    """Everything the application holds about the rater of this link, as a JSON file
    (a POST: the download is written to the audit log)."""
    from portfolio.privacy import services as privacy

    access = _by_token(token)
    policy.require_view(policy.can_download_rater_data(access.viewer, access.request))
    form = RaterDataForm()
    if not form.validate_on_submit():
        abort(400)
    data = privacy.download_rater_data(access.viewer, access.request)
    db.session.commit()
    response = send_attachment(
        io.BytesIO(data),
        name=f"feedback-{access.request.id}-my-data.json",
        content_type="application/json; charset=utf-8",
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/feedback/asked/<int:request_id>")
@login_required
def landing_member(request_id: int) -> Page:
    """The same page for a cohort member, signed in."""
    return _landing(_by_member(request_id))


def _answer(access: RaterAccess) -> Page:
    refused = services.refusal_for_rater(access.request)
    if refused is not None:
        if _is_fetch():
            return jsonify(status="locked", message=refusal_message(refused)), 409
        return _finished_page(access, refused)
    framework = current_framework()
    blocks = queries.asked_competencies(access.request.competency_keys)
    indicators = {i.id: i for b in blocks for i in b.indicators}
    if request.method == "GET":
        services.mark_opened(access.request)
        db.session.commit()
        return _render_answer(access, blocks)
    data = parse_answer_form(
        request.form,
        list(indicators),
        [b.id for b in blocks],
        framework.rating_scale.values,
        [s.key for s in framework.feedback.sectors],
        refused_fields(),
    )
    if data.tampered:
        if _is_fetch(data):
            return jsonify(status="refused", message=_tampered_message(data)), 400
        flash(_tampered_message(data), "error")
        return _render_answer(access, blocks, typed=data, status=400)
    try:
        result = services.save_answer(
            access.viewer, access.request, data, set(indicators), {b.id for b in blocks}
        )
        if data.action == AnswerAction.SUBMIT and not result.conflicts and not result.errors:
            services.submit_answer(access.viewer, access.request)
    except FeedbackRefused as refusal:
        db.session.rollback()
        message = refusal_message(refusal.reason)
        if _is_fetch(data):
            return jsonify(status="locked", message=message), 409
        flash(message, "error")
        if refusal.reason == Refusal.NOT_STARTED:
            return _render_answer(access, blocks, typed=data, status=400)
        return _finished_page(access, refusal.reason)
    db.session.commit()
    return _answer_saved(access, blocks, data, result)


def _tampered_message(data: AnswerInput) -> str:
    return _(
        "This page sent back values that it did not write itself (in: %(fields)s), so "
        "nothing was saved. What you typed is shown below: check it and save again.",
        fields=", ".join(data.tampered),
    )


def _is_fetch(data: AnswerInput | None = None) -> bool:
    return (data is not None and data.wants_json) or request.headers.get(
        "X-Requested-With"
    ) == "fetch"


def _error_text(kind: AnswerError) -> str:
    return {
        AnswerError.LEVEL: _("Choose one of the levels shown, or “not observed”."),
        AnswerError.TOO_LONG: _(
            "This is longer than %(max)d characters: shorten it; nothing was cut.",
            max=NARRATIVE_LIMIT,
        ),
        AnswerError.CONTROL: _(
            "This text held characters that cannot be stored (invisible control "
            "characters); they were removed. Check the text and save again."
        ),
        AnswerError.SECTOR: _("Choose a sector from the list, or describe it in your own words."),
    }[kind]


def _answer_saved(
    access: RaterAccess,
    blocks: list[queries.CompetencyBlock],
    data: AnswerInput,
    result: SaveResult,
) -> Page:
    messages = {name: _error_text(kind) for name, kind in data.errors.items()}
    if _is_fetch(data):
        return jsonify(
            status="conflict" if result.conflicts else ("invalid" if messages else "saved"),
            saved=result.saved,
            versions={name: list(v) for name, v in result.versions.items()},
            errors=messages,
            cleaned=sorted(refused_fields()),
        )
    if result.conflicts or messages:
        return _render_answer(
            access,
            blocks,
            typed=data,
            errors=messages,
            conflicts=result,
            status=409 if result.conflicts else 400,
        )
    if access.request.status == RequestStatus.ANSWERED:
        return redirect(access.url("landing"), 303)  # the thank-you page
    flash(_("Your answer is saved as a draft. Send it when you are ready."), "success")
    return redirect(access.url("answer"), 303)


def _render_answer(
    access: RaterAccess,
    blocks: list[queries.CompetencyBlock],
    *,
    typed: AnswerInput | None = None,
    errors: dict[str, str] | None = None,
    conflicts: SaveResult | None = None,
    status: int = 200,
) -> Page:
    framework = current_framework()
    draft = queries.rater_draft(access.request.id)
    return (
        render_template(
            "feedback/answer.html",
            access=access,
            blocks=blocks,
            draft=draft,
            typed=typed,
            errors=errors or {},
            conflicts={c.field: c for c in conflicts.conflicts} if conflicts else {},
            scale=framework.rating_scale,
            not_observed=framework.feedback.not_observed,
            sectors=framework.feedback.sectors,
            self_ratings=queries.shared_self_ratings(access.request),
            limit=NARRATIVE_LIMIT,
            fingerprint_empty=services.rating_fingerprint(""),
            narrative_empty=services.narrative_fingerprint("", "", ""),
        ),
        status,
    )


@bp.route("/f/<token>/answer", methods=["GET", "POST"])
@limiter.limit("120/minute")
def answer(token: str) -> Response:
    """The rater's form, through the link."""
    return _no_referrer(_answer(_by_token(token)))


@bp.route("/feedback/asked/<int:request_id>/answer", methods=["GET", "POST"])
@login_required
def answer_member(request_id: int) -> Page:
    """The rater's form, signed in."""
    return _answer(_by_member(request_id))


def _decline(access: RaterAccess) -> Page:
    refused = services.refusal_for_rater(access.request)
    if refused is not None and refused != Refusal.DECLINED:
        return _finished_page(access, refused)
    form = DeclineForm()
    if refused is None and form.validate_on_submit():
        services.decline(access.viewer, access.request, form.reason.data or "")
        db.session.commit()
        return redirect(access.url("landing"), 303)
    if refused == Refusal.DECLINED:
        return _finished_page(access, Refusal.DECLINED)
    return (
        render_template("feedback/decline.html", access=access, form=form),
        400 if form.errors else 200,
    )


@bp.route("/f/<token>/decline", methods=["GET", "POST"])
@limiter.limit("30/minute")
def decline(token: str) -> Response:
    """Say no to a request, through the link."""
    return _no_referrer(_decline(_by_token(token)))


@bp.route("/feedback/asked/<int:request_id>/decline", methods=["GET", "POST"])
@login_required
def decline_member(request_id: int) -> Page:
    """Say no to a request, signed in."""
    return _decline(_by_member(request_id))


def _rater_reply(access: RaterAccess) -> Page:
    form = RaterReplyForm()
    if not form.validate_on_submit():
        flash(
            " ".join(str(e) for e in form.body.errors)
            or _("Write your answer, or leave the page."),
            "error",
        )
        return redirect(access.url("landing"), 303)
    try:
        services.rater_answers(access.viewer, access.request, form.body.data or "")
    except FeedbackRefused as refusal:
        flash(refusal_message(refusal.reason), "error")
        return redirect(access.url("landing"), 303)
    db.session.commit()
    flash(
        _("Your answer is saved; %(name)s can read it.", name=access.request.trainee.name),
        "success",
    )
    return redirect(access.url("landing"), 303)


@bp.route("/f/<token>/reply", methods=["POST"])
@limiter.limit("30/minute")
def rater_reply(token: str) -> Response:
    """The identified rater answers the trainee's reply, through the link."""
    return _no_referrer(_rater_reply(_by_token(token)))


@bp.route("/feedback/asked/<int:request_id>/reply", methods=["POST"])
@login_required
def rater_reply_member(request_id: int) -> Page:
    """The identified rater answers the trainee's reply, signed in."""
    return _rater_reply(_by_member(request_id))


def expires_text(feedback_request: FeedbackRequest) -> str:
    """Until when a link works, in words."""
    return date_text(feedback_request.expires_at.date())
