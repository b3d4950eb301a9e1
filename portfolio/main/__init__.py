"""The start page, each person's dashboard, and a trainee's overview."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import aliased
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment.services import total_items, trainee_rounds
from portfolio.clock import today
from portfolio.cohorts.models import (
    Cohort,
    CohortMembership,
    CohortRole,
    GovernanceMembership,
    Organisation,
)
from portfolio.competencies import current_framework
from portfolio.extensions import db

bp = Blueprint("main", __name__)


@bp.app_context_processor
def navigation() -> dict[str, object]:
    """What the navigation needs to know about the signed-in person (one query, on demand)."""

    def is_trainee() -> bool:
        if not current_user.is_authenticated:
            return False
        return bool(
            db.session.scalar(
                select(CohortMembership.id)
                .where(
                    CohortMembership.user_id == current_user.id,
                    CohortMembership.role == CohortRole.TRAINEE,
                )
                .limit(1)
            )
        )

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
    trainees = aliased(CohortMembership)
    trainee_count = (
        select(func.count(trainees.id))
        .where(trainees.cohort_id == Cohort.id, trainees.role == CohortRole.TRAINEE)
        .correlate(Cohort)
        .scalar_subquery()
    )
    memberships = db.session.execute(
        select(CohortMembership.role, Cohort, trainee_count)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.user_id == current_user.id)
        .order_by(Cohort.starts_on.desc(), Cohort.name)
    ).all()
    governed = db.session.scalars(
        select(Organisation)
        .join(GovernanceMembership, GovernanceMembership.organisation_id == Organisation.id)
        .where(GovernanceMembership.user_id == current_user.id)
        .order_by(Organisation.name)
    ).all()
    open_rounds = [
        (row.round, row.assessment, row.answered)
        for row in trainee_rounds(current_user.id)
        if row.round.is_open(today())
    ]
    handed_in = [r for r in open_rounds if r[1] is not None and r[1].is_submitted]
    return render_template(
        "main/dashboard.html",
        open_rounds=[r for r in open_rounds if r not in handed_in],
        handed_in_rounds=handed_in,
        total=total_items(),
        training=[(c, n) for role, c, n in memberships if role == CohortRole.TRAINER],
        learning=[c for role, c, _n in memberships if role == CohortRole.TRAINEE],
        governed=governed,
        is_admin=policy.is_admin(current_user),
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
    query = (
        select(Cohort)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == person.id, CohortMembership.role == CohortRole.TRAINEE)
        .order_by(Cohort.name)
    )
    if visible is not None:
        query = query.where(Cohort.id.in_(visible))
    return render_template(
        "main/trainee.html",
        person=person,
        cohorts=db.session.scalars(query).all(),
        rounds=trainee_rounds(person.id, visible),
        total=total_items(),
        today=today(),
        is_self=is_self,
    )
