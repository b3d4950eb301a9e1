"""Interface language: which one a request is rendered in (the switch is in accounts)."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale, refresh

LANGUAGE_COOKIE = "lang"
LANGUAGE_NAMES = {"nl": "Nederlands", "en": "English"}


def select_locale() -> str:
    """The user's saved choice, the language cookie, the page's own language, Accept-Language.

    A page may name the language it opens in (:func:`open_page_in`): a feedback link opens
    in the language the trainee chose for the rater, until the rater switches.
    """
    if not has_request_context():  # CLI commands and e-mails outside a request
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    languages: list[str] = current_app.config["LANGUAGES"]
    user_choice = _user_language()
    if user_choice in languages:
        return user_choice
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in languages:
        return cookie
    page_language = g.get("page_language")
    if page_language in languages:
        return str(page_language)
    return str(
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


@lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def selected_locale() -> Locale:
    """:func:`select_locale` as a Babel locale, parsed once per language (not per request)."""
    return _parsed(select_locale())


def _user_language() -> str | None:
    from flask_login import current_user

    language = getattr(current_user, "language", None) if current_user else None
    return language if isinstance(language, str) else None


def open_page_in(language: str) -> None:
    """Render this request in ``language`` unless the person chose a language themselves."""
    g.page_language = language
    refresh()


def current_language() -> str:
    """The language code the current request is rendered in."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    """Expose language helpers to templates."""
    app.jinja_env.globals.update(
        current_language=current_language,
        language_names=LANGUAGE_NAMES,
    )
