"""The evidence library: a trainee's items from practice, linked to indicators and tools.

Every view loads the item (404 when it does not exist), asks :mod:`portfolio.policy`
(404 when the item may not be seen, 403 when it may be seen but not changed), then reads
through :mod:`portfolio.evidence.queries` or makes one call to
:mod:`portfolio.evidence.services`, commits, and answers.

Deleting has a confirmation step that needs no JavaScript: ``GET /evidence/<id>/delete``
shows what will be removed and a form that POSTs to the same address.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.downloads import send_attachment
from portfolio.evidence import queries, services
from portfolio.evidence.forms import (
    KIND_SHORT_LABELS,
    EvidenceForm,
    indicator_groups,
    tool_choices,
)
from portfolio.evidence.models import EvidenceItem, EvidenceKind, EvidenceVersion
from portfolio.evidence.quota import quota_for
from portfolio.evidence.uploads.filetypes import ACCEPTED, IMAGES, accept_attribute, type_of
from portfolio.evidence.uploads.messages import accepted_list, format_size, type_name
from portfolio.evidence.uploads.names import download_name
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db
from portfolio.i18n import current_language
from portfolio.inputs import SelectChoice
from portfolio.markdown import render_markdown

log = logging.getLogger(__name__)

bp = Blueprint("evidence", __name__)


# --- helpers ------------------------------------------------------------------------------------


def file_store() -> FileStore:
    """Where uploaded evidence files are kept (``UPLOAD_FOLDER``, outside static/)."""
    return FileStore(current_app.config["UPLOAD_FOLDER"])


def _load(item_id: int) -> EvidenceItem:
    """The item, when the current user may see it; 404 otherwise."""
    item = db.get_or_404(EvidenceItem, item_id)
    policy.require_view(policy.can_view_evidence(current_user, item))
    return item


def _load_for_change(item_id: int) -> EvidenceItem:
    """The item, when the current user may change it; 404 or 403 otherwise."""
    item = _load(item_id)
    policy.require(policy.can_edit_evidence(current_user, item))
    return item


def _file_type_name(content_type: str | None) -> str:
    """The stored file's type for people ("PDF"), or empty when it is not one we know."""
    file_type = type_of(content_type)
    return type_name(file_type) if file_type is not None else ""


def _competency_filter(language: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The chosen competency key (empty for all) and the choices."""
    choices = queries.competency_choices(language)
    chosen = request.args.get("competency", "")
    return (chosen if chosen in {key for key, _label in choices} else ""), choices


# --- the library ------------------------------------------------------------------------------


@bp.get("/evidence")
@login_required
def library() -> str:
    """My evidence library."""
    policy.require(policy.can_edit_own_work(current_user, current_user))
    language = current_language()
    competency_key, competency_choices = _competency_filter(language)
    found = queries.library(current_user.id, competency_key, language)
    return render_template(
        "evidence/library.html",
        person=current_user,
        own=True,
        items=found.rows,
        total=found.total,
        competency_key=competency_key,
        competency_choices=competency_choices,
        kind_labels=KIND_SHORT_LABELS,
    )


@bp.get("/trainees/<int:user_id>/evidence")
@login_required
def trainee_library(user_id: int) -> str | Response:
    """The evidence a trainee handed in, as it was handed in, for those who may see that work.

    The live library is the owner's alone; others see only the versions attached to
    submissions of the cohorts they train or govern.
    """
    person = db.get_or_404(User, user_id)
    policy.require_view(policy.can_view_trainee(current_user, person))
    if person.id == current_user.id:
        return redirect(
            url_for("evidence.library", competency=request.args.get("competency") or None)
        )
    versions = queries.trainee_library(person.id, policy.visible_evidence_versions(current_user))
    return render_template(
        "evidence/versions.html", person=person, versions=versions, kind_labels=KIND_SHORT_LABELS
    )


@bp.get("/evidence/<int:item_id>")
@login_required
def show(item_id: int) -> str:
    """One item: description, linked indicators, tool, link and file."""
    item = _load(item_id)
    language = current_language()
    page = queries.item_page(item, language)
    return _render_page(
        "evidence/item.html",
        page,
        language,
        item=page,
        can_edit=policy.can_edit_evidence(current_user, item),
    )


def _render_page(template: str, page: queries.EvidencePage, language: str, **extra: object) -> str:
    """An item's or a version's page, with the words every such page shows."""
    return render_template(
        template,
        own=page.owner_id == current_user.id,
        kind_label=KIND_SHORT_LABELS.get(page.kind, page.kind),
        file_type_name=_file_type_name(page.content_type),
        file_size=format_size(page.file_size, language),
        **extra,
    )


# --- adding and changing ------------------------------------------------------------------------


def _initial(item: EvidenceItem, linked: tuple[queries.IndicatorRef, ...]) -> dict[str, Any]:
    return {
        "title": item.title,
        "occurred_on": item.occurred_on,
        "kind": item.kind.value,
        "url": item.url,
        "description": item.description,
        "tool": item.tool_key or "",
        "indicators": [ref.key for ref in linked],
    }


def _edit(item: EvidenceItem | None) -> str | Response:
    """The shared form of 'new' and 'edit': preview, validate, save."""
    language = current_language()
    linked = queries.linked_indicators(item.id if item else None, language)
    initial = _initial(item, linked) if item is not None else None
    if item is None and request.method == "GET" and request.args.get("indicator"):
        # Coming from the self-assessment page: start with that indicator ticked.
        initial = {"indicators": [request.args["indicator"]]}
    form = EvidenceForm(data=initial)
    groups = indicator_groups(queries.live_indicator_keys(), linked, language)
    form.indicators.choices = [SelectChoice(key) for group in groups for key in group.keys]
    form.tool.choices = tool_choices(language, item.tool_key if item else None)
    form.has_file = bool(item and item.stored_name)
    form.attached_type = type_of(item.content_type) if item else None
    form.attached_name = (item.file_name or "") if item else ""
    form.max_size = current_app.config["UPLOAD_MAX_SIZE"]
    if request.method == "POST":
        form.quota = quota_for(item.owner_id if item else current_user.id, replacing=item)

    preview = None
    file_notice = None
    if request.method == "POST" and request.form.get("preview"):
        preview = render_markdown(form.description.data or "")
        if form.chosen_file() is not None:
            file_notice = _(
                "The preview does not keep files: choose the file again before you save."
            )
    elif form.validate_on_submit():
        return _save(item, form)

    return render_template(
        "evidence/form.html",
        form=form,
        item=item,
        groups=groups,
        selected=set(form.indicators.data or []),
        preview=preview,
        file_notice=file_notice,
        accept=accept_attribute(IMAGES if form.kind_value is EvidenceKind.IMAGE else ACCEPTED),
        accepted_list=accepted_list(),
        max_size=format_size(form.max_size or 0, language),
        max_bytes=form.max_size,
        file_size=format_size(item.file_size or 0, language) if item else "",
    )


def _save(item: EvidenceItem | None, form: EvidenceForm) -> Response:
    store = file_store()
    saved = services.save_evidence(current_user, item, form.evidence_data(), store)
    with services.settle_files(store, saved.files):
        _commit()
    if saved.created:
        flash(_("Your evidence is saved in your library."), "success")
    elif saved.handed_in:
        flash(
            _(
                "Your changes are saved. Work you handed in earlier keeps the version it was "
                "handed in with; your trainers see the new version only when you hand it in "
                "with new work."
            ),
            "success",
        )
    else:
        flash(_("Your changes are saved."), "success")
    return redirect(url_for("evidence.show", item_id=saved.item.id), code=303)


def _commit() -> None:
    """Commit, or roll back and raise."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


@bp.route("/evidence/new", methods=["GET", "POST"])
@login_required
def new() -> str | Response:
    """Add an item to my library."""
    policy.require(policy.can_edit_own_work(current_user, current_user))
    return _edit(None)


@bp.route("/evidence/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int) -> str | Response:
    """Change an item (its owner only)."""
    return _edit(_load_for_change(item_id))


@bp.route("/evidence/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete(item_id: int) -> str | Response:
    """GET: what will be deleted, and a button to confirm. POST: delete item and file."""
    item = _load_for_change(item_id)
    if request.method == "GET":
        return render_template(
            "evidence/delete.html", item=item, handed_in=queries.is_handed_in(item.id)
        )
    store = file_store()
    deleted = services.delete_evidence(current_user, item)
    with services.settle_files(store, deleted.files):
        _commit()
    if deleted.handed_in:
        flash(
            _(
                "“%(title)s” is deleted from your library. The version you handed in stays "
                "with that work.",
                title=deleted.title,
            ),
            "success",
        )
    else:
        flash(_("“%(title)s” is deleted.", title=deleted.title), "success")
    return redirect(url_for("evidence.library"), code=303)


@bp.get("/evidence/<int:item_id>/file")
@login_required
def download(item_id: int) -> Response:
    """The item's file, as an attachment, after the policy check."""
    item = _load(item_id)
    return _send_stored(item.stored_name, item.file_name, item.content_type, f"evidence-{item.id}")


def _send_stored(
    stored_name: str | None, file_name: str | None, content_type: str | None, fallback: str
) -> Response:
    """A stored evidence file as an attachment that is never cached nor run; 404 without one."""
    if not stored_name:
        abort(404)
    path = file_store().path(stored_name)
    if not path.is_file():
        log.warning("Evidence file missing on disk: %s (%s)", fallback, stored_name)
        abort(404)
    return send_attachment(
        path,
        name=download_name(file_name, content_type, fallback),
        content_type=content_type or "application/octet-stream",
        fallback=fallback,
    )


# --- versions of handed-in evidence ---------------------------------------------------------


def _load_version(version_id: int) -> EvidenceVersion:
    """The version, when the current user may see it (owner, or through a submission)."""
    version = db.get_or_404(EvidenceVersion, version_id)
    policy.require_view(policy.can_view_evidence_version(current_user, version))
    return version


@bp.get("/evidence/versions/<int:version_id>")
@login_required
def version(version_id: int) -> str:
    """An evidence item as it was handed in."""
    found = _load_version(version_id)
    language = current_language()
    page = queries.version_page(found, language)
    return _render_page("evidence/version.html", page, language, version=page)


@bp.get("/evidence/versions/<int:version_id>/file")
@login_required
def version_file(version_id: int) -> Response:
    """The file of an evidence version, as an attachment, after the policy check."""
    found = _load_version(version_id)
    return _send_stored(
        found.stored_name, found.file_name, found.content_type, f"evidence-v{found.id}"
    )
