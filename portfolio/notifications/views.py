"""Your notifications, marking them read, and which of them also come by e-mail."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import jobs, policy
from portfolio.accounts.session import signed_in_user
from portfolio.extensions import db
from portfolio.i18n import current_language
from portfolio.inputs import page_number
from portfolio.mail import mail_configured
from portfolio.notifications import queries, services, unread_notifications
from portfolio.notifications.forms import EmailPreferencesForm
from portfolio.notifications.mails import offered_kinds
from portfolio.notifications.models import Notification

bp = Blueprint("notifications", __name__)


@bp.after_app_request
def send_after_response(response: Response) -> Response:
    """Once the answer has gone out, send the e-mails of the notifications this request
    committed (``flask notifications send-due`` sends whatever this misses)."""
    committed = services.created_and_committed()
    if not committed or not mail_configured():
        return response
    return jobs.submit_after(response, "notifications.send", ids=committed)


def _list_page() -> int:
    value = (request.form.get("page") or "").strip()
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) < 6 else 1


@bp.get("/notifications")
@login_required
def index() -> str:
    """Your notifications, newest first."""
    page = queries.notification_page(current_user, page_number(), current_language())
    # The count the navigation shows, read with the account (no statement of its own).
    return render_template("notifications/index.html", page=page, unread=unread_notifications())


@bp.post("/notifications/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int) -> Response:
    """Mark one of your notifications read."""
    notification = db.get_or_404(Notification, notification_id)
    policy.require_view(policy.can_view_notification(current_user, notification))
    services.mark_read(signed_in_user(), notification)
    db.session.commit()
    return redirect(url_for("notifications.index", page=_list_page()), code=303)


@bp.post("/notifications/read")
@login_required
def mark_all_read() -> Response:
    """Mark all your notifications read."""
    count = services.mark_all_read(signed_in_user())
    db.session.commit()
    if count:
        flash(
            ngettext(
                "%(num)d notification marked as read.",
                "%(num)d notifications marked as read.",
                count,
            ),
            "success",
        )
    return redirect(url_for("notifications.index"), code=303)


@bp.route("/account/notifications", methods=["GET", "POST"])
@login_required
def preferences() -> str | Response:
    """Which notifications also come by e-mail (in the list they always appear)."""
    user = signed_in_user()
    policy.require(policy.can_choose_emails(current_user, user))
    kinds = offered_kinds(current_app.blueprints)
    form = EmailPreferencesForm()
    if request.method == "GET":
        form.show(services.email_preferences(user))
    if form.validate_on_submit():
        services.set_email_preferences(user, user, form.choices(kinds))
        db.session.commit()
        flash(_("Your e-mail choices are saved."), "success")
        return redirect(url_for("notifications.preferences"), code=303)
    return render_template(
        "notifications/preferences.html",
        form=form,
        fields=form.fields_of(kinds),
        mail_configured=mail_configured(),
    )
