"""The language switch: a cookie for everyone, and the profile of whoever is signed in.

The blueprint keeps the name ``i18n`` so that its endpoint reads ``i18n.switch_language``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, request
from flask_login import current_user
from werkzeug.wrappers import Response

from portfolio.accounts import services
from portfolio.extensions import db
from portfolio.i18n import LANGUAGE_COOKIE
from portfolio.security import safe_next

bp = Blueprint("i18n", __name__)


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
    if getattr(current_user, "is_authenticated", False):
        services.choose_language(current_user._get_current_object(), lang)
        db.session.commit()
