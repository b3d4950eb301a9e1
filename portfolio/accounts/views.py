"""Signing in and out, password reset, and your own account."""

from __future__ import annotations

import math

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from portfolio import jobs
from portfolio.accounts import services
from portfolio.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
)
from portfolio.accounts.session import load_user, signed_in_user
from portfolio.extensions import db, limiter, login_manager
from portfolio.mail import mail_configured
from portfolio.security import safe_next

bp = Blueprint("accounts", __name__)


login_manager.user_loader(load_user)

find_user = services.find_user


def _wait_in_words(seconds: int) -> str:
    if seconds < 120:
        return str(ngettext("%(num)d second", "%(num)d seconds", seconds))
    return str(ngettext("%(num)d minute", "%(num)d minutes", math.ceil(seconds / 60)))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """Sign in with e-mail address and password.

    Only failures count towards the waiting time (``accounts.throttle``): per account and,
    with a much higher threshold, per address.
    """
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        outcome = services.sign_in(
            form.email.data or "", form.password.data or "", request.remote_addr or ""
        )
        if outcome.refused is not None:
            db.session.commit()
            page = render_template(
                "accounts/sign_in.html",
                form=form,
                refused=outcome.refused,
                wait=_wait_in_words(outcome.refused.seconds),
            )
            return page, 429, {"Retry-After": str(outcome.refused.seconds)}
        if outcome.user is not None:
            login_user(outcome.user, remember=bool(form.remember.data))
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
        db.session.commit()
        failed = True
    status = 401 if failed else 200
    return render_template("accounts/sign_in.html", form=form, failed=failed), status


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """Sign out: this session and every other session of the account end, on the server."""
    services.sign_out_everywhere(signed_in_user())
    db.session.commit()
    logout_user()
    flash(_("You are signed out, on this device and on any other."), "success")
    return redirect(url_for("main.index"), code=303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5/minute;20/hour", methods=["POST"])
def forgot_password() -> str | Response:
    """Ask for a password-reset link.

    The answer is the same, and takes the same time, whether the address exists: the
    request only records that it was made; looking the address up, making the link and
    sending it happen after the answer has gone out (``portfolio.deferred``).
    """
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = form.email.data or ""
        services.request_reset(email)
        db.session.commit()
        language = str(get_locale() or "en")
        response = make_response(
            render_template(
                "accounts/forgot_sent.html", email=email, mail_configured=mail_configured()
            )
        )

        return jobs.submit_after(
            response, "accounts.reset_requested", email=email, language=language
        )
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password from a single-use link."""
    reset = services.usable_reset(token)
    if reset is None:
        return render_template("accounts/link_invalid.html"), 404
    form = ResetPasswordForm()
    form.for_person(reset.user.email, reset.user.name)
    if form.validate_on_submit():
        services.reset_password(reset, form.password.data or "")
        db.session.commit()
        logout_user()
        flash(_("Your password is changed. Sign in with your new password."), "success")
        return redirect(url_for("accounts.sign_in"), code=303)
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Your name and interface language."""
    user = signed_in_user()
    form = ProfileForm(obj=user)
    if request.method == "GET":
        form.language.data = user.language or ""
    if form.validate_on_submit():
        services.update_profile(
            user, user, name=form.name.data or "", language=form.language.data or None
        )
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute", methods=["POST"])
def change_password() -> str | Response:
    """Change your password; every other session is signed out."""
    user = signed_in_user()
    form = ChangePasswordForm()
    form.for_person(user.email, user.name)
    if form.validate_on_submit():
        try:
            services.change_password(
                user, user, current=form.current.data or "", new=form.password.data or ""
            )
        except services.AccountRefused as refused:
            form.current.errors = [refused.message]
        else:
            db.session.commit()
            # This session continues with the new version, as does "keep me signed in".
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(user, remember=remembered in request.cookies)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/change_password.html", form=form)
