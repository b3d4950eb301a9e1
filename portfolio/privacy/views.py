"""The privacy page, and the download of one's own data."""

from __future__ import annotations

import io

from flask import Blueprint, current_app, render_template
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.session import signed_in_user
from portfolio.clock import today
from portfolio.competencies import current_framework
from portfolio.downloads import send_attachment
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db, limiter
from portfolio.i18n import current_language
from portfolio.inputs import Form
from portfolio.privacy import services

bp = Blueprint("privacy", __name__)


class DownloadForm(Form):
    """The download button (CSRF protection only)."""


def _per_person() -> str:
    """Downloads are counted per person, not per address (colleagues share an office's)."""
    return f"person:{current_user.get_id()}"


@bp.get("/privacy")
def privacy() -> str:
    """What the application stores about whom, why, for how long, who sees it, and how to
    use one's rights."""
    config = current_app.config
    return render_template(
        "privacy/privacy.html",
        contact_days=int(config["FEEDBACK_CONTACT_RETENTION_DAYS"]),
        link_days=int(config["FEEDBACK_LINK_DAYS"]),
    )


@bp.get("/account/data")
@login_required
def my_data() -> str:
    """What the download of one's own data holds, and the button."""
    policy.require(policy.can_download_personal_data(current_user, signed_in_user()))
    return render_template("privacy/my_data.html", form=DownloadForm())


@bp.post("/account/data")
@login_required
@limiter.limit("5/hour", key_func=_per_person)
def download_my_data() -> Response | tuple[str, int]:
    """The ZIP with everything about the signed-in person."""
    person = signed_in_user()
    policy.require(policy.can_download_personal_data(current_user, person))
    form = DownloadForm()
    if not form.validate_on_submit():
        return render_template("privacy/my_data.html", form=form), 400
    data = services.download_personal_data(
        person,
        person,
        FileStore(current_app.config["UPLOAD_FOLDER"]),
        current_framework(),
        today=today(),
        language=current_language(),
    )
    db.session.commit()
    name = f"personal-data-{today().isoformat()}.zip"
    return send_attachment(io.BytesIO(data), name=name, content_type="application/zip")
