"""The public framework page, and the framework in the formats of Mahara and Moodle."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from portfolio.competencies import current_framework
from portfolio.downloads import send_attachment
from portfolio.framework import interop
from portfolio.i18n import current_language

bp = Blueprint("competencies", __name__)

#: The formats offered for download: file name ending and media type.
EXPORTS = {
    "mahara": (".matrix", "application/json; charset=utf-8"),
    "moodle": ("-moodle.csv", "text/csv; charset=utf-8"),
}


@bp.get("/framework")
def framework() -> str:
    """Every competency, element and indicator of the profile."""
    return render_template("competencies/framework.html", framework=current_framework())


@bp.get("/framework/export/<fmt>")
def framework_export(fmt: str) -> ResponseReturnValue:
    """The framework as a Mahara SmartEvidence matrix or a Moodle competency framework CSV,
    in the language asked for (``?language=nl``; by default the page's language)."""
    framework = current_framework()
    if fmt not in EXPORTS:
        abort(404)
    languages = framework.meta.languages
    wanted = request.args.get("language") or current_language()
    language = wanted if wanted in languages else None
    if language is None:
        if "language" in request.args:
            abort(404)
        language = framework.meta.source_language
    text = (
        interop.mahara_matrix_text(framework, language)
        if fmt == "mahara"
        else interop.moodle_csv_text(framework, language)
    )
    ending, media_type = EXPORTS[fmt]
    name = f"{framework.meta.key}-{framework.meta.version}-{language}{ending}"
    return send_attachment(
        io.BytesIO(text.encode("utf-8")), name=name, content_type=media_type, fallback=name
    )
