"""Database copy of the competence framework.

The YAML file is the source of truth for texts; the database keeps one row per
framework version and one row per competency, element and indicator key, so that
ratings keep pointing at the same indicator when its text is edited, and survive
when it is retired.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portfolio.extensions import Model

LocalizedText = dict[str, str]


class FrameworkVersion(Model):
    """One loaded version of ``competencies.yaml``, identified by its content hash."""

    __tablename__ = "framework_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(64))
    #: When this version was last loaded into the database copy (every load stamps it):
    #: the latest one is the copy's current version (see competencies.catalogue).
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    changes: Mapped[str] = mapped_column(Text, default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)

    @property
    def short_hash(self) -> str:
        """The first eight characters of the hash, for display."""
        return self.content_hash[:8]


class _Retirable:
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), default=None)

    @property
    def is_retired(self) -> bool:
        """True when the item is no longer in the current framework."""
        return self.retired_at is not None


class Competency(_Retirable, Model):
    """A competency of the profile."""

    __tablename__ = "competencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[LocalizedText] = mapped_column(JSON)
    statement: Mapped[LocalizedText] = mapped_column(JSON)

    elements: Mapped[list[BehaviouralElement]] = relationship(
        back_populates="competency", order_by="BehaviouralElement.position"
    )


class BehaviouralElement(_Retirable, Model):
    """A behavioural element: a group of indicators."""

    __tablename__ = "behavioural_elements"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[LocalizedText] = mapped_column(JSON)

    competency: Mapped[Competency] = relationship(back_populates="elements")
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="element", order_by="Indicator.position"
    )


class Indicator(_Retirable, Model):
    """A ratable item: a behavioural indicator, or an element rated as a whole."""

    __tablename__ = "indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    competency_id: Mapped[int] = mapped_column(ForeignKey("competencies.id"), index=True)
    element_id: Mapped[int] = mapped_column(ForeignKey("behavioural_elements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[LocalizedText] = mapped_column(JSON)
    points: Mapped[list[LocalizedText]] = mapped_column(JSON, default=list)
    rated_as_whole: Mapped[bool] = mapped_column(default=False)
    added_in_id: Mapped[int | None] = mapped_column(ForeignKey("framework_versions.id"))

    element: Mapped[BehaviouralElement] = relationship(back_populates="indicators")
    competency: Mapped[Competency] = relationship()
