"""The evidence library: live items, and the frozen versions handed in with work.

Table and column names are those of the first migrations (the models lived in
``portfolio.assessment.models`` until the evidence feature got its own package).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.accounts.models import User
from portfolio.clock import utcnow
from portfolio.competencies.models import Indicator
from portfolio.extensions import Model, db, enum_column, refuse_updates


class EvidenceKind(enum.StrEnum):
    """What sort of evidence an item is."""

    DOCUMENT = "document"
    LINK = "link"
    TEXT = "text"
    IMAGE = "image"


evidence_indicators = Table(
    "evidence_indicators",
    db.metadata,
    Column("evidence_id", ForeignKey("evidence_items.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True),
)


class EvidenceItem(Model):
    """Something from practice that shows a competency; reusable across rounds."""

    __tablename__ = "evidence_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind), default=EvidenceKind.TEXT)
    url: Mapped[str] = mapped_column(String(2000), default="")
    tool_key: Mapped[str | None] = mapped_column(String(120))
    # An uploaded file lives outside static/ under a random name; these describe it.
    file_name: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    owner: Mapped[User] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        secondary=evidence_indicators, order_by="Indicator.position"
    )


class EvidenceVersion(Model):
    """A frozen copy of an evidence item, as it was when it was handed in with some work.

    Never changed after insert. ``item_id`` becomes NULL when the live item is deleted;
    the version (and the file it names) stays as long as handed-in work refers to it.
    Several versions may name the same stored file.
    """

    __tablename__ = "evidence_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int | None] = mapped_column(
        ForeignKey("evidence_items.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    occurred_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind))
    url: Mapped[str] = mapped_column(String(2000), default="")
    tool_key: Mapped[str | None] = mapped_column(String(120))
    file_name: Mapped[str | None] = mapped_column(String(255))
    stored_name: Mapped[str | None] = mapped_column(String(64), index=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    file_size: Mapped[int | None] = mapped_column(Integer)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    #: The linked indicators' stable keys, in framework order (a JSON list).
    indicator_keys: Mapped[list[str]] = mapped_column(JSON)
    #: SHA-256 of the canonical JSON of the fields above: an unchanged item reuses its version.
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


refuse_updates(EvidenceVersion)
