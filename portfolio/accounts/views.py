"""Signing in and out, password reset, and your own account."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash
from werkzeug.wrappers import Response

from portfolio.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    ProfileForm,
    ResetPasswordForm,
    SignInForm,
)
from portfolio.accounts.models import PasswordReset, User, hash_token, utcnow
from portfolio.audit import record
from portfolio.extensions import db, limiter, login_manager
from portfolio.i18n import safe_next
from portfolio.mail import send_mail

bp = Blueprint("accounts", __name__)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the e-mail address is unknown, so both answers take equally long."""
    return generate_password_hash("not-a-real-password")


def _email_key() -> str:
    return "email:" + (request.form.get("email") or "").strip().lower()


@login_manager.user_loader
def load_user(identity: str) -> User | None:
    """Find the session's user; a session from before a password change is refused."""
    user_id, _sep, version = identity.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def _retire_resets(user: User) -> None:
    """Make every unused password-reset link of ``user`` stop working."""
    for reset in db.session.scalars(
        select(PasswordReset).where(
            PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None)
        )
    ):
        reset.used_at = utcnow()


def find_user(email: str) -> User | None:
    """The account with this e-mail address (case-insensitive), if any."""
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config.get("SIGN_IN_LIMIT", "10/minute;40/hour"), methods=["POST"]
)
@limiter.limit(
    lambda: current_app.config.get("SIGN_IN_LIMIT", "10/minute;40/hour"),
    key_func=_email_key,
    methods=["POST"],
)
def sign_in() -> str | Response:
    """Sign in with e-mail address and password."""
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        password = form.password.data or ""
        # One hash check whatever the account's state, so the time taken reveals nothing.
        if user is None:
            check_password_hash(_dummy_hash(), password)
        elif user.check_password(password) and user.active:
            login_user(user, remember=bool(form.remember.data))
            user.last_sign_in_at = utcnow()
            record("sign_in", actor=user, target=user)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"), url_for("main.dashboard")))
        record("sign_in_failed", actor_label=form.email.data or "", target=user)
        db.session.commit()
        failed = True
    status = 401 if failed else 200
    return render_template("accounts/sign_in.html", form=form, failed=failed), status  # type: ignore[return-value]


@bp.post("/sign-out")
@login_required
def sign_out() -> Response:
    """Sign out of this browser."""
    record("sign_out", actor=current_user, target=current_user)
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "success")
    return redirect(url_for("main.index"), code=303)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5/minute;20/hour", methods=["POST"])
def forgot_password() -> str | Response:
    """Ask for a password-reset link; the answer is the same whether the address exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user = find_user(form.email.data or "")
        link = None
        if user is not None and user.active:
            reset, token = PasswordReset.issue(user, timedelta(hours=2))
            db.session.add(reset)
            record("password_reset_requested", actor=user, target=user)
            db.session.commit()
            # Built on BASE_URL, never on the request's Host header: anyone may ask for a
            # reset of anyone's account, and a forged Host would mail the victim a link
            # (with a valid token) to the attacker's site.
            link = current_app.config["BASE_URL"].rstrip("/") + url_for(
                "accounts.reset_password", token=token
            )
            body = render_template("mail/password_reset.txt", user=user, link=link)
            sent = send_mail(user.email, _("Choose a new password"), body)
            if sent:
                link = None
            else:
                current_app.logger.info("Password reset link for %s: %s", user.email, link)
        return render_template("accounts/forgot_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


def _usable_reset(token: str) -> PasswordReset | None:
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_token(token))
    )
    return reset if reset is not None and reset.usable else None


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("20/minute", methods=["GET", "POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    """Choose a new password from a single-use link."""
    reset = _usable_reset(token)
    if reset is None:
        return render_template("accounts/link_invalid.html"), 404
    form = ResetPasswordForm()
    form._email = reset.user.email
    form._name = reset.user.name
    if form.validate_on_submit():
        user = reset.user
        user.set_password(form.password.data or "")
        _retire_resets(user)  # this link, and any other one still out there
        record("password_reset", actor=user, target=user)
        db.session.commit()
        logout_user()
        flash(_("Your password is changed. Sign in with your new password."), "success")
        return redirect(url_for("accounts.sign_in"), code=303)
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/account", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    """Your name and interface language."""
    form = ProfileForm(obj=current_user)
    if request.method == "GET":
        form.language.data = current_user.language or ""
    if form.validate_on_submit():
        current_user.name = (form.name.data or "").strip()
        current_user.language = form.language.data or None
        record("profile_changed", actor=current_user, target=current_user)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/profile.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit("10/minute", methods=["POST"])
def change_password() -> str | Response:
    """Change your password; every other session is signed out."""
    form = ChangePasswordForm()
    form._email = current_user.email
    form._name = current_user.name
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data or ""):
            form.current.errors = [_("This is not your current password.")]
        else:
            current_user.set_password(form.password.data or "")
            _retire_resets(current_user)
            record("password_changed", actor=current_user, target=current_user)
            db.session.commit()
            # This session continues with the new version, as does "keep me signed in".
            remembered = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            login_user(current_user._get_current_object(), remember=remembered in request.cookies)
            flash(_("Your password is changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.profile"), code=303)
    return render_template("accounts/change_password.html", form=form)
