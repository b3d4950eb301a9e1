"""The public framework page."""

from __future__ import annotations

from flask import Blueprint, render_template

from portfolio.competencies import current_framework

bp = Blueprint("competencies", __name__)


@bp.get("/framework")
def framework() -> str:
    """Every competency, element and indicator of the profile."""
    return render_template("competencies/framework.html", framework=current_framework())
