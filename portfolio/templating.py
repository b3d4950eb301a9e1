"""Jinja filters and globals shared by every template."""

from __future__ import annotations

from flask import Flask
from flask_babel import format_date, format_datetime
from markupsafe import Markup, escape

from portfolio.cohorts import role_label
from portfolio.competencies import current_framework


def paragraphs(text: str | None) -> Markup:
    """Plain text with blank-line-separated paragraphs as escaped ``<p>`` elements."""
    if not text:
        return Markup("")
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return Markup("\n").join(Markup("<p>{}</p>").format(escape(p)) for p in parts)


def reject_key(mapping: dict[str, object], key: str) -> dict[str, object]:
    """A copy of ``mapping`` without ``key``."""
    return {k: v for k, v in mapping.items() if k != key}


def init_app(app: Flask) -> None:
    """Register the filters and globals."""
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["reject_key"] = reject_key
    app.jinja_env.globals["current_framework"] = current_framework
    app.jinja_env.globals["role_label"] = role_label
    app.jinja_env.globals.update(format_date=format_date, format_datetime=format_datetime)
