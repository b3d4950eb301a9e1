"""Formative review's pages: load → check policy → one service call → respond.

The trainee shares their draft from the portfolio page; the trainers read it on the draft
page and comment under each text and evidence item, and under each reflection of a
handed-in round. Everyone answers and marks threads handled where the thread is shown, and
finds every thread of theirs on the comments page. A refused message comes back on a page
of its own with what was typed, the reason, and the way back.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import saving
from portfolio.assessment.models import Round, SelfAssessment
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.i18n import current_language
from portfolio.portfolios import queries as portfolio_queries
from portfolio.portfolios.content import INTRODUCTION
from portfolio.portfolios.document import build_document
from portfolio.portfolios.models import Portfolio
from portfolio.reviews import queries, services
from portfolio.reviews.forms import AnswerForm, CommentForm, ShareForm, StatusForm
from portfolio.reviews.models import ReviewPart, ReviewThread
from portfolio.reviews.parts import Target, part_label
from portfolio.reviews.queries import ThreadView
from portfolio.reviews.services import Refusal, ReviewRefused
from portfolio.security import safe_next

bp = Blueprint("reviews", __name__)

Page = str | Response | tuple[str | Response, int]

#: The most threads a list shows at once (the oldest handled ones drop off first).
LIST_LIMIT = 200


@dataclass(frozen=True)
class Board:
    """The threads of one page by part, and where a new comment on that page is sent."""

    threads: Mapping[str, Sequence[ThreadView]]
    #: Where a comment on a part of this page is posted (None: the reader cannot comment).
    comment_url: str | None
    #: This page, to come back to after a comment, an answer or a status change.
    back: str
    #: The draft's evidence: its number in the portfolio → the item's id.
    evidence: Mapping[int, int] = field(default_factory=dict)

    def on(self, anchor: str) -> Sequence[ThreadView]:
        """The threads on one part."""
        return self.threads.get(anchor, ())


def _by_anchor(threads: Sequence[ThreadView]) -> dict[str, list[ThreadView]]:
    grouped: dict[str, list[ThreadView]] = defaultdict(list)
    for thread in threads:
        grouped[thread.anchor].append(thread)
    return dict(grouped)


def board_for_reflections(assessment: SelfAssessment) -> Board | None:
    """The threads on the reflections and evidence items of a handed-in self-assessment, for
    its page: for the trainee, and for the trainers of the round's cohort, who may also
    comment (None for every other reader, who sees no threads)."""
    own = current_user.id == assessment.trainee_id
    can_comment = not own and policy.can_comment_on_hand_in(current_user, assessment)
    if not own and not can_comment:
        return None
    threads = queries.load_threads(
        [
            ReviewThread.self_assessment_id == assessment.id,
            ReviewThread.id.in_(policy.visible_review_threads(current_user)),
        ],
        current_framework(),
    )
    round_ = assessment.round
    return Board(
        threads=_by_anchor(threads),
        comment_url=url_for(
            "reviews.comment_on_reflection", round_id=round_.id, user_id=assessment.trainee_id
        )
        if can_comment
        else None,
        back=request.path,
    )


def threads_on_text(portfolio: Portfolio | None, key: str) -> Board | None:
    """The trainee's own threads on one text of their draft, for its edit page."""
    if portfolio is None:
        return None
    threads = queries.load_threads(
        [
            ReviewThread.trainee_id == current_user.id,
            ReviewThread.cohort_id == portfolio.cohort_id,
            ReviewThread.part == ReviewPart.TEXT,
            ReviewThread.key == key,
        ],
        current_framework(),
    )
    if not threads:
        return None
    return Board(threads=_by_anchor(threads), comment_url=None, back=request.path)


def thread_url(thread: ThreadView) -> str:
    """Where the part a thread is about is read (or, for its trainee, written)."""
    own = thread.trainee_id == current_user.id
    if thread.round_id is not None and (thread.names.part == ReviewPart.REFLECTION or not own):
        return url_for(
            "assessment.view_assessment", round_id=thread.round_id, user_id=thread.trainee_id
        )
    if own and thread.names.part == ReviewPart.TEXT:
        if thread.names.key == INTRODUCTION:
            return url_for("portfolios.introduction", cohort_id=thread.cohort_id)
        return url_for("portfolios.justification", cohort_id=thread.cohort_id, key=thread.names.key)
    if own and thread.anchor.startswith("evidence:"):
        return url_for("evidence.show", item_id=int(thread.anchor.split(":")[1]))
    return url_for("reviews.draft", cohort_id=thread.cohort_id, trainee_id=thread.trainee_id)


def _label(thread: ThreadView) -> str:
    return part_label(thread.names, current_language())


def review_context() -> dict[str, object]:
    """What the thread templates need besides the board (for any page that shows threads)."""
    return {"thread_url": thread_url, "part_text": _label}


@bp.get("/comments")
@login_required
def comments() -> str:
    """Every thread on one's own work, and the threads one opened as a trainer."""
    framework = current_framework()
    visible = ReviewThread.id.in_(policy.visible_review_threads(current_user))
    received = queries.load_threads(
        [ReviewThread.trainee_id == current_user.id, visible], framework, limit=LIST_LIMIT
    )
    given = queries.load_threads(
        [ReviewThread.author_id == current_user.id, visible], framework, limit=LIST_LIMIT
    )
    return render_template(
        "reviews/comments.html",
        received=received,
        given=given,
        board=Board(threads={}, comment_url=None, back=url_for("reviews.comments")),
        **review_context(),
    )


@bp.post("/cohorts/<int:cohort_id>/portfolio/sharing")
@login_required
def share(cohort_id: int) -> Response:
    """The trainee shares the draft with the cohort's trainers, or stops sharing it."""
    cohort = db.get_or_404(Cohort, cohort_id)
    policy.require_view(policy.can_write_portfolio(current_user, cohort))
    form = ShareForm()
    wanted = request.form.get("share")
    if not form.validate() or wanted not in {"on", "off"}:
        abort(400)
    services.share_draft(current_user, cohort, wanted == "on")
    db.session.commit()
    if wanted == "on":
        flash(
            _(
                "Your draft is shared: the trainers of %(cohort)s can read it and comment. "
                "You see their comments on this page and under each text.",
                cohort=cohort.name,
            ),
            "success",
        )
    else:
        flash(_("Your draft is no longer shared. Comments made so far stay."), "success")
    return redirect(url_for("portfolios.overview", cohort_id=cohort.id), code=303)


def _shared_portfolio(cohort_id: int, trainee_id: int) -> tuple[Cohort, User, Portfolio]:
    """A draft the current user may read: shared, in a cohort they train; 404 otherwise."""
    cohort = db.get_or_404(Cohort, cohort_id)
    trainee = db.get_or_404(User, trainee_id)
    portfolio = portfolio_queries.find_portfolio(cohort.id, trainee.id)
    if portfolio is None:
        policy.not_found()
    policy.require_view(policy.can_read_shared_draft(current_user, portfolio))
    return cohort, trainee, portfolio


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:trainee_id>/portfolio-draft")
@login_required
def draft(cohort_id: int, trainee_id: int) -> str:
    """A trainer reads a shared draft as it is now, with the comments under each part."""
    cohort, trainee, portfolio = _shared_portfolio(cohort_id, trainee_id)
    framework = current_framework()
    content = portfolio_queries.live_content(portfolio, framework, today())
    document = build_document(content, current_language(), framework)
    threads = queries.load_threads(
        [
            ReviewThread.trainee_id == trainee.id,
            ReviewThread.cohort_id == cohort.id,
            ReviewThread.part.in_([ReviewPart.TEXT, ReviewPart.EVIDENCE]),
            ReviewThread.id.in_(policy.visible_review_threads(current_user)),
        ],
        framework,
    )
    can_comment = policy.can_comment_on_draft(current_user, portfolio)
    board = Board(
        threads=_by_anchor(threads),
        comment_url=url_for("reviews.comment_on_draft", cohort_id=cohort.id, trainee_id=trainee.id)
        if can_comment
        else None,
        back=request.path,
        evidence=queries.draft_evidence(portfolio.id),
    )
    return render_template(
        "reviews/draft.html",
        cohort=cohort,
        trainee=trainee,
        portfolio=portfolio,
        document=document,
        review=board,
        open_threads=sum(1 for t in threads if t.is_open),
        **review_context(),
    )


def _draft_target(portfolio: Portfolio, part: str) -> Target | None:
    kind, _sep, value = part.partition(":")
    if kind == "text":
        return queries.text_target(portfolio, value, current_framework())
    if kind == "evidence" and value.isascii() and value.isdigit() and len(value) < 10:
        return queries.evidence_target(portfolio, int(value))
    return None


def _refused_message(refusal: Refusal) -> str:
    if refusal == Refusal.TOO_LONG:
        return _("Keep it to 4,000 characters or fewer: this is a short thread, not a document.")
    return _("Write something first: the box was empty (spaces alone do not count).")


def _compose(
    what: str, form: CommentForm | AnswerForm, action: str, back: str, quote: str = ""
) -> tuple[str, int]:
    """The message again, on a page of its own, with what was wrong."""
    return (
        render_template(
            "reviews/compose.html", what=what, form=form, action=action, back=back, quote=quote
        ),
        400,
    )


def _send_comment(target: Target | None, form: CommentForm, back: str) -> Page:
    if target is None:
        flash(
            _(
                "That part is no longer in the work (it may have been removed meanwhile), so "
                "the comment was not added. Your text is below: copy it if you need it."
            ),
            "error",
        )
        return _compose(_("A comment"), form, request.path, back)
    return _send(
        form,
        part_label(target.names, current_language()),
        target.quote,
        back,
        lambda body: services.open_thread(current_user, target, body).id,
        _("Comment added. The trainee is told and can answer here."),
    )


def _send(
    form: CommentForm | AnswerForm,
    what: str,
    quote: str,
    back: str,
    send: Callable[[str], int],
    done: str,
) -> Page:
    """Check the message, ``send`` it (a service call returning the thread's id) and go
    back to the thread; a refused one comes back on a page of its own with what was typed."""
    if not form.validate():
        return _compose(what, form, request.path, back, quote)
    try:
        thread_id = send(form.body.data or "")
    except ReviewRefused as refused:
        db.session.rollback()
        form.body.errors = [_refused_message(refused.reason)]
        return _compose(what, form, request.path, back, quote)
    db.session.commit()
    flash(done, "success")
    return redirect(f"{back}#thread-{thread_id}", code=303)


@bp.post("/cohorts/<int:cohort_id>/trainees/<int:trainee_id>/portfolio-draft/comments")
@login_required
def comment_on_draft(cohort_id: int, trainee_id: int) -> Page:
    """A trainer comments on a text or an evidence item of a shared draft."""
    cohort, trainee, portfolio = _shared_portfolio(cohort_id, trainee_id)
    policy.require(policy.can_comment_on_draft(current_user, portfolio))
    form = CommentForm()
    back = safe_next(
        form.next.data, url_for("reviews.draft", cohort_id=cohort.id, trainee_id=trainee.id)
    )
    return _send_comment(_draft_target(portfolio, form.part.data or ""), form, back)


@bp.post("/rounds/<int:round_id>/trainees/<int:user_id>/comments")
@login_required
def comment_on_reflection(round_id: int, user_id: int) -> Page:
    """A trainer comments on a reflection or an evidence item of a handed-in round."""
    round_ = db.get_or_404(Round, round_id)
    trainee = db.get_or_404(User, user_id)
    assessment = saving.find_assessment(round_.id, trainee.id)
    if assessment is None:
        policy.not_found()
    policy.require_view(policy.can_view_self_assessment(current_user, assessment))
    policy.require(policy.can_comment_on_hand_in(current_user, assessment))
    form = CommentForm()
    back = safe_next(
        form.next.data,
        url_for("assessment.view_assessment", round_id=round_.id, user_id=trainee.id),
    )
    # The part as the page wrote it: "reflection:<self-assessment id>:<competency key>", or
    # "evidence:<item id>" for an item the hand-in holds.
    kind, owner, key = [*(form.part.data or "").split(":", 2), "", ""][:3]
    target = None
    if kind == "reflection" and owner == str(assessment.id):
        target = queries.reflection_target(assessment, key, current_framework())
    elif kind == "evidence" and not key and owner.isascii() and owner.isdigit() and len(owner) < 10:
        target = queries.handed_in_evidence_target(assessment, int(owner))
    return _send_comment(target, form, back)


def _visible_thread(thread_id: int) -> ReviewThread:
    thread = db.get_or_404(ReviewThread, thread_id)
    policy.require_view(policy.can_view_review_thread(current_user, thread))
    policy.require(policy.can_answer_review_thread(current_user, thread))
    return thread


def _back(form: AnswerForm | StatusForm) -> str:
    return safe_next(form.next.data, url_for("reviews.comments"))


@bp.post("/review-threads/<int:thread_id>/answers")
@login_required
def answer(thread_id: int) -> Page:
    """Answer in a thread (the trainee, or a trainer of the cohort)."""
    thread = _visible_thread(thread_id)
    form = AnswerForm()
    back = _back(form)
    names = queries.names_of(thread, current_framework())
    return _send(
        form,
        part_label(names, current_language()),
        thread.quote,
        back,
        lambda body: services.answer(current_user, thread, names, body).thread_id,
        _("Answer added."),
    )


@bp.post("/review-threads/<int:thread_id>/status")
@login_required
def status(thread_id: int) -> Response:
    """Mark a thread handled, or open it again."""
    thread = _visible_thread(thread_id)
    form = StatusForm()
    wanted = request.form.get("status")
    if not form.validate() or wanted not in {"handled", "open"}:
        abort(400)
    names = queries.names_of(thread, current_framework())
    changed = services.set_handled(current_user, thread, names, wanted == "handled")
    db.session.commit()
    if not changed:
        flash(_("Nothing changed: the comment already was marked so."), "info")
    elif wanted == "handled":
        flash(_("Marked as handled."), "success")
    else:
        flash(_("Open again."), "success")
    return redirect(f"{_back(form)}#thread-{thread.id}", code=303)
