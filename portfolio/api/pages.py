"""The page where people make, list and revoke their personal access tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.session import signed_in_user
from portfolio.api import services
from portfolio.api.forms import SCOPE_CHOICES, TokenForm
from portfolio.api.models import AccessToken, TokenScope
from portfolio.api.queries import tokens_of
from portfolio.api.v1 import spec
from portfolio.clock import today, utcnow
from portfolio.extensions import db

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")
#: The API's readable reference: outside /api/, where every answer is JSON.
docs_bp = Blueprint("api_docs", __name__)


@docs_bp.get("/developers/api")
def reference() -> str:
    """A readable reference of the API, rendered here from its OpenAPI document (no CDN)."""
    return render_template("api/reference.html", spec=spec.spec)


def _page(form: TokenForm, created: services.NewToken | None = None) -> str:
    user = signed_in_user()
    day = today()
    return render_template(
        "accounts/tokens.html",
        form=form,
        tokens=tokens_of(user.id, utcnow()),
        created=created,
        scopes={c.value: c.label for c in SCOPE_CHOICES},
        latest=services.latest_expiry(day),
        earliest=day,
    )


@bp.route("", methods=["GET", "POST"])
@login_required
def index() -> str | tuple[str, int]:
    """The owner's tokens, and the form that makes a new one (shown once, on this page)."""
    user = signed_in_user()
    policy.require(policy.can_manage_tokens(user))
    form = TokenForm()
    if not form.is_submitted():
        form.expires_on.data = services.default_expiry(today())
    if form.validate_on_submit():
        try:
            created = services.create_token(
                user,
                name=form.name.data or "",
                scope=TokenScope(form.scope.data),
                expires_on=form.expires_on.data,  # type: ignore[arg-type]
                today=today(),
            )
        except services.TokenRefused as refused:
            db.session.rollback()
            form[refused.field or "name"].errors = [refused.message]
            return _page(form), 400
        db.session.commit()
        return _page(TokenForm(formdata=None, expires_on=services.default_expiry(today())), created)
    return (_page(form), 400) if form.is_submitted() else _page(form)


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int) -> str | Response:
    """Confirm, then revoke a token: it stops working at once."""
    user = signed_in_user()
    token = db.get_or_404(AccessToken, token_id)
    policy.require_view(policy.can_revoke_token(user, token))
    if request.method == "POST":  # CSRFProtect checked the form's token before the view
        if services.revoke_token(user, token):
            flash(_("The token “%(name)s” is revoked.", name=token.name), "success")
        db.session.commit()
        return redirect(url_for("tokens.index"), code=303)
    return render_template("accounts/token_revoke.html", token=token)
