"""Interface language: choosing it, switching it, and picking framework texts."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, has_request_context, redirect, request
from flask_babel import get_locale
from werkzeug.wrappers import Response

from portfolio.security import safe_next

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}

bp = Blueprint("i18n", __name__)


def select_locale() -> str:
    """The user's saved choice, then the language cookie, then Accept-Language."""
    if not has_request_context():  # CLI commands and e-mails outside a request
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages: list[str] = current_app.config["LANGUAGES"]
    user_choice = _user_language()
    if user_choice in languages:
        return user_choice
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    return str(
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def _user_language() -> str | None:
    from flask_login import current_user

    language = getattr(current_user, "language", None) if current_user else None
    return language if isinstance(language, str) else None


def current_language() -> str:
    """The language code the current request is rendered in."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


@bp.post("/language")
def switch_language() -> Response:
    """Remember the chosen interface language and go back to where the user was."""
    lang = request.form.get("lang", "")
    target = safe_next(request.form.get("next"))
    response = redirect(target, code=303)
    if lang in current_app.config["LANGUAGES"]:
        response.set_cookie(
            LANGUAGE_COOKIE,
            lang,
            max_age=current_app.config["LANGUAGE_COOKIE_MAX_AGE"],
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        _save_user_language(lang)
    return response


def _save_user_language(lang: str) -> None:
    """Store the choice on the signed-in user's profile, when there is one."""
    from flask_login import current_user

    from portfolio.accounts import services
    from portfolio.extensions import db

    if getattr(current_user, "is_authenticated", False):
        services.choose_language(current_user._get_current_object(), lang)
        db.session.commit()


def init_app(app: Flask) -> None:
    """Expose language helpers to templates."""
    app.jinja_env.globals.update(
        current_language=current_language,
        language_names=LANGUAGE_NAMES,
    )
