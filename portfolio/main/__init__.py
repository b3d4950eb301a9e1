"""The start page, each person's dashboard, and a trainee's overview."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.accounts.session import signed_in_roles, signed_in_user
from portfolio.clock import today
from portfolio.cohorts.models import Cohort
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.feedback import queries as feedback_queries
from portfolio.i18n import current_language
from portfolio.inputs import page_number
from portfolio.links import row_url
from portfolio.main import cohort_progress, queries
from portfolio.main import growth as growth_queries
from portfolio.main.cohort_charts import cohort_charts
from portfolio.main.growth_charts import growth_charts
from portfolio.reviews import queries as review_queries
from portfolio.reviews.models import ReviewThread

bp = Blueprint("main", __name__)


@bp.app_context_processor
def navigation() -> dict[str, object]:
    """What the navigation needs to know about the signed-in person (loaded with them)."""

    def is_trainee() -> bool:
        if not current_user.is_authenticated:
            return False
        return signed_in_roles(signed_in_user()).is_trainee

    return {"nav_is_trainee": is_trainee}


@bp.get("/")
def index() -> str | Response:
    """What the application is for, and where to go next."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html", framework=current_framework())


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    """Everything this person works on, by role."""
    page = queries.dashboard(current_user.id, today())
    return render_template(
        "main/dashboard.html",
        open_rounds=page.open_rounds,
        handed_in_rounds=page.handed_in_rounds,
        total=page.total,
        training=page.training,
        learning=page.learning,
        governed=page.governed,
        is_admin=policy.is_admin(current_user),
        asked=feedback_queries.asked_of(current_user.id),
    )


@bp.get("/trainees/<int:user_id>")
@login_required
def trainee(user_id: int) -> str:
    """A trainee's overview: for the trainee, their trainers and their governance group.

    Others see only the rounds of the cohorts they train or govern, with what was handed in.
    """
    person = db.get_or_404(User, user_id)
    policy.require_view(policy.can_view_trainee(current_user, person))
    is_self = person.id == current_user.id
    visible = None if is_self else policy.visible_cohort_ids(current_user)
    page = queries.trainee_page(person.id, today(), visible)
    return render_template(
        "main/trainee.html",
        person=person,
        cohorts=page.cohorts,
        rounds=page.rounds,
        total=page.total,
        is_self=is_self,
        can_view_growth=policy.can_view_growth(current_user, person),
    )


@bp.get("/trainees/<int:user_id>/growth")
@login_required
def growth(user_id: int) -> str:
    """A trainee's growth: radar, lines, heat map, self vs others, and what is still open.

    For the trainee and their trainers (the rounds of the cohorts they train), with others'
    ratings only as the anonymity rule shows them.
    """
    person = db.get_or_404(User, user_id)
    policy.require_view(policy.can_view_growth(current_user, person))
    is_self = person.id == current_user.id
    cohorts = None if is_self else policy.trained_cohort_ids(current_user)
    framework = current_framework()
    data = growth_queries.growth_data(person.id, today(), framework, cohorts)
    charts = growth_charts(data, framework, request.args.get("round", type=int), current_language())
    open_comments = review_queries.open_count(
        [
            ReviewThread.trainee_id == person.id,
            ReviewThread.id.in_(policy.visible_review_threads(current_user)),
        ]
    )
    return render_template(
        "main/growth.html",
        person=person,
        is_self=is_self,
        data=data,
        charts=charts,
        open_comments=open_comments,
    )


@bp.get("/cohorts/<int:cohort_id>/dashboard")
@login_required
def cohort_dashboard(cohort_id: int) -> str:
    """A cohort's progress for its trainers: who handed in the chosen round, the spread and
    the means of the handed-in self-ratings, and who needs attention.

    Others who may see the cohort (administrators, its governance group) are refused (403):
    see :func:`portfolio.policy.can_view_cohort_dashboard`.
    """
    item = db.get_or_404(Cohort, cohort_id)
    if not policy.can_view_cohort_dashboard(current_user, item):
        policy.require_view(policy.can_view_cohort(current_user, item))
        policy.require(False)
    only_attention = request.args.get("attention") == "1"
    data = cohort_progress.cohort_dashboard(
        item.id,
        today(),
        request.args.get("round", type=int),
        only_attention=only_attention,
        page=page_number(),
    )
    charts = cohort_charts(data, current_framework(), current_language())
    return render_template(
        "main/cohort_dashboard.html",
        cohort=item,
        data=data,
        charts=charts,
        growth_url=row_url("main.growth", "user_id"),
    )
