"""The evidence library: a trainee's items from practice, linked to indicators and tools.

Every view loads the item (404 when it does not exist), asks :mod:`portfolio.policy`
(404 when the item may not be seen, 403 when it may be seen but not changed), then acts.

Deleting has a confirmation step that needs no JavaScript: ``GET /evidence/<id>/delete``
shows what will be removed and a form that POSTs to the same address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
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
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from portfolio import policy
from portfolio.accounts.models import User
from portfolio.assessment import submissions, uploads
from portfolio.assessment.evidence_forms import (
    KIND_SHORT_LABELS,
    EvidenceForm,
)
from portfolio.assessment.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceVersion,
    evidence_indicators,
)
from portfolio.assessment.quota import quota_for
from portfolio.audit import Action, record
from portfolio.clock import utcnow
from portfolio.competencies import current_framework
from portfolio.competencies.models import Competency, Indicator
from portfolio.competencies.texts import localized
from portfolio.downloads import send_attachment
from portfolio.extensions import db
from portfolio.framework.model import Tool
from portfolio.i18n import current_language
from portfolio.markdown import render_markdown

log = logging.getLogger(__name__)

bp = Blueprint("evidence", __name__)


# --- helpers ------------------------------------------------------------------------------------


def file_store() -> uploads.FileStore:
    """Where uploaded evidence files are kept (``UPLOAD_FOLDER``, outside static/)."""
    return uploads.FileStore(current_app.config["UPLOAD_FOLDER"])


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


def tool_choices(current_key: str | None = None) -> list[SelectChoice]:
    """'No tool', then the toolbox in the current language; a tool with parts is a group."""
    choices = [SelectChoice("", _("No tool"))]

    def parts(tools: list[Tool], group: str, prefix: str) -> None:
        for tool in tools:
            label = prefix + localized(tool.name, current_language())
            choices.append(SelectChoice(tool.key, label, optgroup=group))
            parts(tool.parts, group, label + " › ")

    for tool in current_framework().toolbox:
        name = localized(tool.name, current_language())
        if not tool.parts:
            choices.append(SelectChoice(tool.key, name))
            continue
        choices.append(SelectChoice(tool.key, _("%(tool)s as a whole", tool=name), optgroup=name))
        parts(list(tool.parts), name, "")
    if current_key and current_key not in {choice.value for choice in choices}:
        choices.append(
            SelectChoice(current_key, _("%(key)s (no longer in the framework)", key=current_key))
        )
    return choices


def tool_label(key: str | None) -> tuple[str, bool]:
    """The name of a tool or part in the current language, and whether it still exists."""
    if not key:
        return "", True
    for tool in current_framework().tools():
        if tool.key == key:
            parent = next((t for t in current_framework().tools() if tool in t.parts), None)
            name = localized(tool.name, current_language())
            return (
                f"{localized(parent.name, current_language())} › {name}" if parent else name
            ), True
    return key, False


@dataclass
class Option:
    """One indicator checkbox."""

    key: str
    text: str
    retired: bool = False

    @property
    def dom_id(self) -> str:
        """An id for the checkbox (keys contain dots)."""
        return "indicator-" + self.key.replace(".", "-")


@dataclass
class ElementGroup:
    """The indicators of one behavioural element."""

    key: str
    title: str
    options: list[Option] = field(default_factory=list)
    rated_as_whole: bool = False


@dataclass
class CompetencyGroup:
    """The elements of one competency, for one collapsible section of the form."""

    key: str
    number: int | None
    name: str
    elements: list[ElementGroup] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        """Every indicator key in the group."""
        return [o.key for e in self.elements for o in e.options]


def indicator_groups(item: EvidenceItem | None) -> list[CompetencyGroup]:
    """The indicators one can link, grouped by competency → element, in the current language.

    Only indicators that exist in the database (``flask framework load``) are offered.
    Retired indicators already linked to ``item`` stay offered, in a group of their own,
    so that saving the form does not silently drop them.
    """
    rows = {row.key: row for row in db.session.scalars(select(Indicator))}
    groups: list[CompetencyGroup] = []
    offered: set[str] = set()
    for competency in current_framework().competencies:
        group = CompetencyGroup(
            competency.key, competency.number, localized(competency.name, current_language())
        )
        for element in competency.elements:
            element_group = ElementGroup(
                element.key,
                localized(element.title, current_language()),
                rated_as_whole=element.rated_as_whole,
            )
            for indicator in element.ratable():
                row = rows.get(indicator.key)
                if row is not None and not row.is_retired:
                    element_group.options.append(
                        Option(indicator.key, localized(indicator.text, current_language()))
                    )
                    offered.add(indicator.key)
            if element_group.options:
                group.elements.append(element_group)
        if group.elements:
            groups.append(group)
    leftovers = [i for i in (item.indicators if item else []) if i.key not in offered]
    if leftovers:
        groups.append(
            CompetencyGroup(
                "retired",
                None,
                _("No longer in the framework"),
                [
                    ElementGroup(
                        "retired",
                        _("Still linked to this evidence; clear the box to unlink it."),
                        [
                            Option(i.key, localized(i.text, current_language()), retired=True)
                            for i in leftovers
                        ],
                    )
                ],
            )
        )
    return groups


@dataclass
class LinkedGroup:
    """Linked indicators of one competency, for the item page."""

    number: int | None
    name: str
    indicators: list[tuple[str, bool]]  # text, retired


def linked_groups(item: Any) -> list[LinkedGroup]:
    """The item's indicators grouped by competency, in framework order."""
    framework_keys = {indicator.key for _c, _e, indicator in current_framework().ratable()}
    by_competency: dict[int, tuple[Competency, list[tuple[int, int, str, bool]]]] = {}
    for indicator in item.indicators:
        competency = indicator.competency
        element = indicator.element
        retired = indicator.is_retired or indicator.key not in framework_keys
        entry = by_competency.setdefault(competency.id, (competency, []))
        entry[1].append(
            (
                element.position,
                indicator.position,
                localized(indicator.text, current_language()),
                retired,
            )
        )
    groups = []
    for competency, rows in sorted(by_competency.values(), key=lambda e: e[0].number):
        rows.sort()
        groups.append(
            LinkedGroup(
                competency.number,
                localized(competency.name, current_language()),
                [(text, retired) for _ep, _ip, text, retired in rows],
            )
        )
    return groups


def _competency_filter() -> tuple[str, list[tuple[str, str]]]:
    """The chosen competency key (empty for all) and the choices."""
    choices = [
        (c.key, f"{c.number}. {localized(c.name, current_language())}")
        for c in current_framework().competencies
    ]
    chosen = request.args.get("competency", "")
    return (chosen if chosen in {key for key, _label in choices} else ""), choices


def _items_of(owner: User, competency_key: str) -> tuple[list[EvidenceItem], int]:
    """The owner's items (newest first), filtered by competency; and the unfiltered count."""
    query = select(EvidenceItem).where(EvidenceItem.owner_id == owner.id)
    total = db.session.scalar(
        select(func.count(EvidenceItem.id)).where(EvidenceItem.owner_id == owner.id)
    )
    if competency_key:
        linked = (
            select(evidence_indicators.c.evidence_id)
            .join(Indicator, Indicator.id == evidence_indicators.c.indicator_id)
            .join(Competency, Competency.id == Indicator.competency_id)
            .where(Competency.key == competency_key)
        )
        query = query.where(EvidenceItem.id.in_(linked))
    query = query.options(
        selectinload(EvidenceItem.indicators).selectinload(Indicator.competency)
    ).order_by(
        EvidenceItem.occurred_on.is_(None),
        EvidenceItem.occurred_on.desc(),
        EvidenceItem.created_at.desc(),
        EvidenceItem.id.desc(),
    )
    return list(db.session.scalars(query).all()), int(total or 0)


def _library_page(owner: User, *, own: bool) -> str:
    competency_key, competency_choices = _competency_filter()
    items, total = _items_of(owner, competency_key)
    return render_template(
        "evidence/library.html",
        person=owner,
        own=own,
        items=items,
        total=total,
        competency_key=competency_key,
        competency_choices=competency_choices,
        kind_labels=KIND_SHORT_LABELS,
        tool_label=tool_label,
    )


# --- the library ------------------------------------------------------------------------------


@bp.get("/evidence")
@login_required
def library() -> str:
    """My evidence library."""
    policy.require(policy.can_edit_own_work(current_user, current_user))
    return _library_page(current_user, own=True)


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
    versions = db.session.scalars(
        select(EvidenceVersion)
        .where(
            EvidenceVersion.owner_id == person.id,
            EvidenceVersion.id.in_(policy.visible_evidence_versions(current_user)),
        )
        .order_by(
            EvidenceVersion.occurred_on.is_(None),
            EvidenceVersion.occurred_on.desc(),
            EvidenceVersion.id.desc(),
        )
    ).all()
    return render_template(
        "evidence/versions.html", person=person, versions=versions, kind_labels=KIND_SHORT_LABELS
    )


@bp.get("/evidence/<int:item_id>")
@login_required
def show(item_id: int) -> str:
    """One item: description, linked indicators, tool, link and file."""
    item = _load(item_id)
    tool, tool_exists = tool_label(item.tool_key)
    return render_template(
        "evidence/item.html",
        item=item,
        own=item.owner_id == current_user.id,
        groups=linked_groups(item),
        tool=tool,
        tool_exists=tool_exists,
        kind_label=KIND_SHORT_LABELS.get(item.kind, item.kind),
        file_type=uploads.type_of(item.content_type),
        file_size=uploads.format_size(item.file_size or 0, current_language()),
        can_edit=policy.can_edit_evidence(current_user, item),
    )


# --- adding and changing ------------------------------------------------------------------------


def _initial(item: EvidenceItem) -> dict[str, Any]:
    return {
        "title": item.title,
        "occurred_on": item.occurred_on,
        "kind": item.kind.value,
        "url": item.url,
        "description": item.description,
        "tool": item.tool_key or "",
        "indicators": [i.key for i in item.indicators],
    }


def _edit(item: EvidenceItem | None) -> str | Response:
    """The shared form of 'new' and 'edit': preview, validate, store, record."""
    initial = _initial(item) if item is not None else None
    if item is None and request.method == "GET" and request.args.get("indicator"):
        # Coming from the self-assessment page: start with that indicator ticked.
        initial = {"indicators": [request.args["indicator"]]}
    form = EvidenceForm(data=initial)
    groups = indicator_groups(item)
    form.indicators.choices = [SelectChoice(key) for group in groups for key in group.keys]
    form.tool.choices = tool_choices(item.tool_key if item else None)
    form.has_file = bool(item and item.stored_name)
    form.attached_type = uploads.type_of(item.content_type) if item else None
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
        item = _save(form, item)
        return redirect(url_for("evidence.show", item_id=item.id), code=303)

    return render_template(
        "evidence/form.html",
        form=form,
        item=item,
        groups=groups,
        selected=set(form.indicators.data or []),
        preview=preview,
        file_notice=file_notice,
        accept=uploads.accept_attribute(
            uploads.IMAGES if form.kind_value is EvidenceKind.IMAGE else uploads.ACCEPTED
        ),
        accepted_list=uploads.accepted_list(),
        max_size=uploads.format_size(form.max_size or 0, current_language()),
        max_bytes=form.max_size,
        file_size=uploads.format_size(item.file_size or 0, current_language()) if item else "",
    )


def _save(form: EvidenceForm, item: EvidenceItem | None) -> EvidenceItem:
    creating = item is None
    if item is None:
        item = EvidenceItem(owner_id=current_user.id)
        db.session.add(item)
    item.title = (form.title.data or "").strip()
    item.occurred_on = form.occurred_on.data
    item.kind = form.kind_value
    item.url = form.url.data or ""
    item.description = form.description.data or ""
    item.tool_key = form.tool.data or None
    keys = list(dict.fromkeys(form.indicators.data or []))
    item.indicators = list(db.session.scalars(select(Indicator).where(Indicator.key.in_(keys))))
    item.updated_at = utcnow()

    store = file_store()
    stored_now: str | None = None
    to_remove: str | None = None
    if form.upload is not None:
        stored_now = store.save(form.upload.data)
        to_remove = item.stored_name
        item.file_name = form.upload.file_name
        item.stored_name = stored_now
        item.content_type = form.upload.file_type.mime
        item.file_size = len(form.upload.data)
        item.file_sha256 = submissions.sha256_hex(form.upload.data)
    elif form.remove_file.data and item.stored_name:
        to_remove = item.stored_name
        item.file_name = item.stored_name = item.content_type = None
        item.file_size = None
        item.file_sha256 = None

    try:
        db.session.flush()
        record(
            Action.EVIDENCE_CREATED if creating else Action.EVIDENCE_UPDATED,
            actor=current_user,
            target=item,
            title=item.title,
            kind=item.kind.value,
            indicators=len(item.indicators),
            file=form.upload.file_type.key if form.upload else None,
            file_removed=True if (to_remove and form.upload is None) else None,
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        if stored_now:
            store.delete(stored_now)
        raise
    _remove_file(store, to_remove)
    if creating:
        flash(_("Your evidence is saved in your library."), "success")
    elif submissions.is_handed_in(item.id):
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
    return item


def _remove_file(store: uploads.FileStore, stored_name: str | None) -> None:
    """Delete a file that nothing refers to any more (no live item, no version of handed-in
    work); a failure is logged, not shown."""
    if not stored_name or submissions.file_in_use(stored_name):
        return
    try:
        store.delete(stored_name)
    except OSError:
        log.exception("Could not delete evidence file %s", stored_name)


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
    handed_in = submissions.is_handed_in(item.id)
    if request.method == "GET":
        return render_template("evidence/delete.html", item=item, handed_in=handed_in)
    title = item.title
    stored_name = item.stored_name
    record(Action.EVIDENCE_DELETED, actor=current_user, target=item, title=title)
    db.session.delete(item)
    db.session.commit()
    _remove_file(file_store(), stored_name)
    if handed_in:
        flash(
            _(
                "“%(title)s” is deleted from your library. The version you handed in stays "
                "with that work.",
                title=title,
            ),
            "success",
        )
    else:
        flash(_("“%(title)s” is deleted.", title=title), "success")
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
        name=uploads.download_name(file_name, content_type, fallback),
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
    indicators = list(
        db.session.scalars(select(Indicator).where(Indicator.key.in_(found.indicator_keys)))
    )
    tool, tool_exists = tool_label(found.tool_key)
    return render_template(
        "evidence/version.html",
        version=found,
        owner=db.session.get(User, found.owner_id),
        own=found.owner_id == current_user.id,
        groups=linked_groups(_Linked(indicators)),
        tool=tool,
        tool_exists=tool_exists,
        kind_label=KIND_SHORT_LABELS.get(found.kind, found.kind),
        file_type=uploads.type_of(found.content_type),
        file_size=uploads.format_size(found.file_size or 0, current_language()),
    )


@bp.get("/evidence/versions/<int:version_id>/file")
@login_required
def version_file(version_id: int) -> Response:
    """The file of an evidence version, as an attachment, after the policy check."""
    found = _load_version(version_id)
    return _send_stored(
        found.stored_name, found.file_name, found.content_type, f"evidence-v{found.id}"
    )


@dataclass
class _Linked:
    """Something with indicators, for :func:`linked_groups`."""

    indicators: list[Indicator]
