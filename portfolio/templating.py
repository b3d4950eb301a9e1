"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from babel.numbers import get_decimal_symbol
from flask import Flask
from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from portfolio.assessment.inputs import NOT_JUDGEABLE
from portfolio.assessment.models import RoundState
from portfolio.audit import action_label
from portfolio.cohorts import role_label
from portfolio.competencies import current_framework
from portfolio.competencies.texts import localized
from portfolio.dates import date_text, datetime_text, day_span_text, long_date_text
from portfolio.i18n import current_language
from portfolio.markdown import render_markdown


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank-line-separated paragraphs as escaped ``<p>`` elements."""
    if not text:
        return Markup("")
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(p)) for p in parts)


ROUND_STATES: dict[str, LazyString] = {
    RoundState.UPCOMING: _l("upcoming"),
    RoundState.OPEN: _l("open"),
    RoundState.CLOSED: _l("closed"),
}


def round_state_label(state: str) -> str:
    """upcoming / open / closed in the interface language."""
    return str(ROUND_STATES.get(state, state))


def choice_label(choice: str, scale: Any) -> str:
    """A rating choice ('3', 'nj' or '') in words."""
    language = current_language()
    if choice == NOT_JUDGEABLE:
        return localized(scale.not_judgeable.label, language)
    level = scale.level(int(choice)) if choice.isdigit() else None
    if level is None:
        return str(_l("no answer"))
    return f"{level.value} {localized(level.label, language)}"


def localized_here(texts: dict[str, str] | None) -> str:
    """A framework text in the language of the page being rendered (template global)."""
    return localized(texts, current_language())


def reject_key(mapping: dict[str, object], key: str) -> dict[str, object]:
    """A copy of ``mapping`` without ``key``."""
    return {k: v for k, v in mapping.items() if k != key}


@lru_cache(maxsize=16)
def _decimal_symbol(locale: str) -> str:
    return str(get_decimal_symbol(locale))


def one_decimal(value: float) -> str:
    """A number with one decimal, in the page's locale (2.5 / 2,5).

    Written out directly rather than through Babel's pattern formatter: a chart page shows
    hundreds of these, and each pattern call costs more than the rest of the cell.
    """
    text = f"{value:.1f}"
    if text == "-0.0":
        text = "0.0"
    return text.replace(".", _decimal_symbol(str(get_locale() or "en")))


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["reject_key"] = reject_key
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["one_decimal"] = one_decimal
    app.jinja_env.globals["current_framework"] = current_framework
    app.jinja_env.globals["localized"] = localized_here
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals["action_label"] = action_label
    app.jinja_env.globals["round_state_label"] = round_state_label
    app.jinja_env.globals["choice_label"] = choice_label
    app.jinja_env.filters["date"] = date_text
    app.jinja_env.filters["long_date"] = long_date_text
    app.jinja_env.filters["day_span"] = day_span_text
    app.jinja_env.filters["datetime"] = datetime_text
    # Babel's own format_date/format_datetime are deliberately not template globals: their
    # default formats are ambiguous ("12/1/26"). Use the filters above.
