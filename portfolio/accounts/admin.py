"""Administrators look after accounts: find, close and reopen them, make reset links."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts import queries, services
from portfolio.accounts.models import User
from portfolio.extensions import db
from portfolio.inputs import page_number
from portfolio.links import row_url
from portfolio.mail import mail_configured

bp = Blueprint("users", __name__)

PER_PAGE = 50


@bp.get("/users")
@login_required
def index() -> str:
    """Every account, searchable by name or e-mail address, 50 a page."""
    policy.require(policy.can_manage_accounts(current_user))
    q = request.args.get("q", "").strip()[:200]  # control characters: see portfolio.inputs
    page = queries.people_page(q, page_number(), PER_PAGE)
    return render_template(
        "accounts/admin_users.html", page=page, q=q, user_url=row_url("users.show", "user_id")
    )


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.get("/users/<int:user_id>")
@login_required
def show(user_id: int) -> str:
    """One account: its state, where it is a member, and what an administrator can do."""
    policy.require(policy.can_manage_accounts(current_user))
    user = _user_or_404(user_id)
    places = queries.memberships(user)
    return render_template(
        "accounts/admin_user.html",
        user=user,
        cohorts=places.cohorts,
        governance=places.governance,
        mail_configured=mail_configured(),
        can_deactivate=policy.can_deactivate(current_user, user),
        can_issue_reset_link=policy.can_issue_reset_link(current_user, user),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@login_required
def deactivate(user_id: int) -> str | Response:
    """Close an account, after a confirmation page: its sessions end at once."""
    policy.require(policy.can_manage_accounts(current_user))
    user = _user_or_404(user_id)
    policy.require(policy.can_deactivate(current_user, user))
    if request.method == "GET":
        return render_template("accounts/admin_deactivate.html", user=user)
    if services.deactivate(current_user, user):
        db.session.commit()
        flash(
            _("The account of %(name)s is closed; it is signed out everywhere.", name=user.name),
            "success",
        )
    return redirect(url_for("users.show", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/reactivate")
@login_required
def reactivate(user_id: int) -> Response:
    """Open a closed account again."""
    policy.require(policy.can_manage_accounts(current_user))
    user = _user_or_404(user_id)
    policy.require(policy.can_deactivate(current_user, user))
    if services.reactivate(current_user, user):
        db.session.commit()
        flash(_("The account of %(name)s is open again.", name=user.name), "success")
    return redirect(url_for("users.show", user_id=user.id), code=303)


@bp.post("/users/<int:user_id>/reset-link")
@login_required
def reset_link(user_id: int) -> str | Response:
    """Send a password-reset link to the person, or, without a mail server, show it."""
    policy.require(policy.can_manage_accounts(current_user))
    user = _user_or_404(user_id)
    policy.require(policy.can_issue_reset_link(current_user, user))
    issued = services.issue_reset(current_user, user)
    db.session.commit()
    if issued.mailed:
        flash(
            _("A link to choose a new password is sent to %(email)s.", email=user.email), "success"
        )
        return redirect(url_for("users.show", user_id=user.id), code=303)
    return render_template(
        "accounts/admin_reset_link.html",
        user=user,
        issued=issued,
        mail_configured=mail_configured(),
    )
