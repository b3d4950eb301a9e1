"""Reads of the evidence library for pages, as plain frozen data.

Each function answers one page-sized question with a fixed number of SQL statements,
however many items, indicators or versions there are. Texts from the framework come in the
``language`` given (builders and jobs have no request).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, exists, func, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import submission_evidence
from portfolio.competencies import current_framework
from portfolio.competencies.models import BehaviouralElement, Competency, Indicator
from portfolio.competencies.texts import localized
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceVersion,
    evidence_indicators,
)
from portfolio.extensions import db

# --- small facts ---------------------------------------------------------------------------


def file_in_use(stored_name: str | None) -> bool:
    """True when a live item or a version of handed-in work still names the stored file."""
    if not stored_name:
        return False
    return bool(
        db.session.scalar(
            select(
                or_(
                    exists().where(EvidenceVersion.stored_name == stored_name),
                    exists().where(EvidenceItem.stored_name == stored_name),
                )
            )
        )
    )


def is_handed_in(item_id: int) -> bool:
    """The item was handed in with some work (a version of it belongs to a submission)."""
    return bool(
        db.session.scalar(
            select(
                exists()
                .where(EvidenceVersion.item_id == item_id)
                .where(submission_evidence.c.evidence_version_id == EvidenceVersion.id)
            )
        )
    )


@dataclass(frozen=True)
class ToolLabel:
    """A tool or tool part as people read it, and whether the framework still has it."""

    text: str
    exists: bool = True


def tool_label(key: str | None, language: str) -> ToolLabel:
    """The name of a tool or part ("Parent › part"); the bare key when it is gone."""
    if not key:
        return ToolLabel("")
    tools = list(current_framework().tools())
    for tool in tools:
        if tool.key == key:
            parent = next((t for t in tools if tool in t.parts), None)
            name = localized(tool.name, language)
            if parent is not None:
                return ToolLabel(f"{localized(parent.name, language)} › {name}")
            return ToolLabel(name)
    return ToolLabel(key, exists=False)


# --- the fill-in page ------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink:
    """An item as the fill-in page links to it."""

    id: int
    title: str


def evidence_by_indicator(
    owner_id: int, indicator_ids: Collection[int]
) -> dict[int, list[EvidenceLink]]:
    """The owner's evidence items linked to each of ``indicator_ids``, newest first (one query)."""
    rows = db.session.execute(
        select(evidence_indicators.c.indicator_id, EvidenceItem.id, EvidenceItem.title)
        .join(EvidenceItem, EvidenceItem.id == evidence_indicators.c.evidence_id)
        .where(
            EvidenceItem.owner_id == owner_id,
            evidence_indicators.c.indicator_id.in_(list(indicator_ids)),
        )
        .order_by(EvidenceItem.occurred_on.desc(), EvidenceItem.id.desc())
    ).all()
    found: dict[int, list[EvidenceLink]] = {}
    for indicator_id, item_id, title in rows:
        found.setdefault(indicator_id, []).append(EvidenceLink(item_id, title))
    return found


# --- the library -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LibraryRow:
    """One card of a person's own library."""

    id: int
    title: str
    kind: EvidenceKind
    occurred_on: date | None
    indicator_count: int
    #: The numbers of the competencies its indicators belong to, in order.
    competency_numbers: tuple[int, ...]
    tool: ToolLabel
    has_file: bool
    #: The tool's framework key (None: no tool named).
    tool_key: str | None = None


@dataclass(frozen=True)
class Library:
    """A person's library, filtered by competency, and how many items it holds in all."""

    rows: tuple[LibraryRow, ...]
    total: int


def competency_choices(language: str) -> tuple[tuple[str, str], ...]:
    """The competencies to filter by: (key, "1. Name")."""
    return tuple(
        (c.key, f"{c.number}. {localized(c.name, language)}")
        for c in current_framework().competencies
    )


def library(owner_id: int, competency_key: str, language: str) -> Library:
    """The owner's items, newest first, linked to ``competency_key`` (all when empty).

    Three statements: the count, the items, and their indicators' competencies.
    """
    total = db.session.scalar(
        select(func.count(EvidenceItem.id)).where(EvidenceItem.owner_id == owner_id)
    )
    query = select(
        EvidenceItem.id,
        EvidenceItem.title,
        EvidenceItem.kind,
        EvidenceItem.occurred_on,
        EvidenceItem.tool_key,
        EvidenceItem.stored_name,
    ).where(EvidenceItem.owner_id == owner_id)
    if competency_key:
        linked = (
            select(evidence_indicators.c.evidence_id)
            .join(Indicator, Indicator.id == evidence_indicators.c.indicator_id)
            .join(Competency, Competency.id == Indicator.competency_id)
            .where(Competency.key == competency_key)
        )
        query = query.where(EvidenceItem.id.in_(linked))
    query = query.order_by(
        EvidenceItem.occurred_on.is_(None),
        EvidenceItem.occurred_on.desc(),
        EvidenceItem.created_at.desc(),
        EvidenceItem.id.desc(),
    )
    items = db.session.execute(query).all()
    links: dict[int, list[int]] = {}
    for evidence_id, number in db.session.execute(
        select(evidence_indicators.c.evidence_id, Competency.number)
        .join(Indicator, Indicator.id == evidence_indicators.c.indicator_id)
        .join(Competency, Competency.id == Indicator.competency_id)
        .where(evidence_indicators.c.evidence_id.in_(query.with_only_columns(EvidenceItem.id)))
    ):
        links.setdefault(evidence_id, []).append(number)
    rows = tuple(
        LibraryRow(
            id=item_id,
            title=title,
            kind=kind,
            occurred_on=occurred_on,
            indicator_count=len(links.get(item_id, [])),
            competency_numbers=tuple(sorted(set(links.get(item_id, [])))),
            tool=tool_label(tool_key, language),
            has_file=stored_name is not None,
            tool_key=tool_key,
        )
        for item_id, title, kind, occurred_on, tool_key, stored_name in items
    )
    return Library(rows, int(total or 0))


@dataclass(frozen=True)
class VersionRow:
    """One card of the evidence a trainee handed in, as others see it."""

    id: int
    title: str
    kind: EvidenceKind
    occurred_on: date | None
    indicator_count: int
    has_file: bool


def trainee_library(owner_id: int, visible_versions: Select[tuple[int]]) -> tuple[VersionRow, ...]:
    """The owner's evidence versions among ``visible_versions`` (a select of version ids, as
    :func:`portfolio.policy.visible_evidence_versions` gives), newest first; one statement."""
    versions = db.session.execute(
        select(
            EvidenceVersion.id,
            EvidenceVersion.title,
            EvidenceVersion.kind,
            EvidenceVersion.occurred_on,
            EvidenceVersion.indicator_keys,
            EvidenceVersion.stored_name,
        )
        .where(EvidenceVersion.owner_id == owner_id, EvidenceVersion.id.in_(visible_versions))
        .order_by(
            EvidenceVersion.occurred_on.is_(None),
            EvidenceVersion.occurred_on.desc(),
            EvidenceVersion.id.desc(),
        )
    ).all()
    return tuple(
        VersionRow(id_, title, kind, occurred_on, len(keys or []), stored_name is not None)
        for id_, title, kind, occurred_on, keys, stored_name in versions
    )


# --- one item or version ---------------------------------------------------------------------


@dataclass(frozen=True)
class LinkedGroup:
    """Linked indicators of one competency, for the item page."""

    number: int | None
    name: str
    #: (text, retired) in framework order.
    indicators: tuple[tuple[str, bool], ...]


@dataclass(frozen=True)
class EvidencePage:
    """An item, or a version of one, as its page shows it."""

    id: int
    owner_id: int
    owner_name: str
    title: str
    kind: EvidenceKind
    occurred_on: date | None
    description: str
    url: str
    has_file: bool
    file_name: str | None
    content_type: str | None
    file_size: int
    created_at: datetime | None
    updated_at: datetime | None
    groups: tuple[LinkedGroup, ...]
    tool: ToolLabel
    #: For a version: the live item it was taken from, if that still exists.
    item_id: int | None = None


def _linked_groups(where: ColumnElement[bool], language: str) -> tuple[LinkedGroup, ...]:
    """Indicators matching ``where``, grouped by competency in framework order (one query)."""
    framework_keys = {indicator.key for _c, _e, indicator in current_framework().ratable()}
    rows = db.session.execute(
        select(
            Competency.number,
            Competency.name,
            BehaviouralElement.position,
            Indicator.position,
            Indicator.text,
            Indicator.key,
            Indicator.retired_at,
        )
        .join(Competency, Competency.id == Indicator.competency_id)
        .join(BehaviouralElement, BehaviouralElement.id == Indicator.element_id)
        .where(where)
        .order_by(Competency.number, BehaviouralElement.position, Indicator.position)
    ).all()
    groups: dict[int, tuple[dict[str, str], list[tuple[str, bool]]]] = {}
    for number, name, _element, _position, text, key, retired_at in rows:
        retired = retired_at is not None or key not in framework_keys
        groups.setdefault(number, (name, []))[1].append((localized(text, language), retired))
    return tuple(
        LinkedGroup(number, localized(name, language), tuple(indicators))
        for number, (name, indicators) in groups.items()
    )


def item_page(item: EvidenceItem, language: str) -> EvidencePage:
    """What the page of a live item shows (two statements: owner, indicators)."""
    linked = select(evidence_indicators.c.indicator_id).where(
        evidence_indicators.c.evidence_id == item.id
    )
    return _page(item, Indicator.id.in_(linked), language, updated_at=item.updated_at)


def version_page(version: EvidenceVersion, language: str) -> EvidencePage:
    """What the page of a handed-in version shows (two statements: owner, indicators)."""
    keys = Indicator.key.in_(list(version.indicator_keys or []))
    return _page(version, keys, language, item_id=version.item_id)


def _page(
    shown: EvidenceItem | EvidenceVersion,
    indicators: ColumnElement[bool],
    language: str,
    *,
    updated_at: datetime | None = None,
    item_id: int | None = None,
) -> EvidencePage:
    """The page of a live item or of a handed-in version: the fields both have."""
    owner_name = db.session.scalar(select(User.name).where(User.id == shown.owner_id)) or ""
    return EvidencePage(
        id=shown.id,
        owner_id=shown.owner_id,
        owner_name=owner_name,
        title=shown.title,
        kind=shown.kind,
        occurred_on=shown.occurred_on,
        description=shown.description,
        url=shown.url,
        has_file=shown.stored_name is not None,
        file_name=shown.file_name,
        content_type=shown.content_type,
        file_size=shown.file_size or 0,
        created_at=shown.created_at,
        updated_at=updated_at,
        groups=_linked_groups(indicators, language),
        tool=tool_label(shown.tool_key, language),
        item_id=item_id,
    )


# --- the form ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRef:
    """An indicator as the form offers it."""

    key: str
    text: str


def live_indicator_keys() -> frozenset[str]:
    """Keys of the indicators in the database that are not retired (one statement)."""
    return frozenset(
        db.session.scalars(select(Indicator.key).where(Indicator.retired_at.is_(None)))
    )


def linked_indicators(item_id: int | None, language: str) -> tuple[IndicatorRef, ...]:
    """The indicators linked to an item, in framework order (none for a new item)."""
    if item_id is None:
        return ()
    rows = db.session.execute(
        select(Indicator.key, Indicator.text)
        .join(evidence_indicators, evidence_indicators.c.indicator_id == Indicator.id)
        .where(evidence_indicators.c.evidence_id == item_id)
        .order_by(Indicator.position)
    ).all()
    return tuple(IndicatorRef(key, localized(text, language)) for key, text in rows)
