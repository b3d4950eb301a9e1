"""Bring the database copy of the framework in line with a loaded :class:`Framework`.

New items are added, changed texts updated, items no longer in the file retired
(never deleted: their ratings must survive), and items that come back restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from portfolio.competencies.models import (
    BehaviouralElement,
    Competency,
    FrameworkVersion,
    Indicator,
)
from portfolio.extensions import db
from portfolio.framework import Framework, framework_hash


@dataclass
class SyncReport:
    """What a sync changed, as lines for people to read."""

    version: FrameworkVersion
    new_version: bool
    lines: list[str] = field(default_factory=list)

    def note(self, sign: str, kind: str, key: str, what: str) -> None:
        """Record one change."""
        self.lines.append(f"{sign} {kind} {key}: {what}")

    @property
    def summary(self) -> str:
        """All changes, one per line, or a sentence saying there were none."""
        return "\n".join(self.lines) if self.lines else "No changes."


def sync_framework(framework: Framework) -> SyncReport:
    """Store ``framework`` in the database; flushes, the caller commits."""
    digest = framework_hash(framework)
    version = db.session.scalar(
        select(FrameworkVersion).where(FrameworkVersion.content_hash == digest)
    )
    report = SyncReport(version=version, new_version=version is None)  # type: ignore[arg-type]
    if version is None:
        version = FrameworkVersion(
            content_hash=digest,
            label=framework.meta.version,
            snapshot=framework.model_dump(mode="json"),
        )
        db.session.add(version)
        db.session.flush()
        report.version = version

    now = datetime.now(UTC)
    # The stamp of this load: pages cache the copy per stamp (competencies.catalogue) and see
    # that it changed, in every process, on their next request.
    version.loaded_at = now
    competencies = _by_key(Competency)
    elements = _by_key(BehaviouralElement)
    indicators = _by_key(Indicator)
    seen: dict[str, set[str]] = {"competency": set(), "element": set(), "indicator": set()}

    position = 0
    for competency in framework.competencies:
        c_row = _upsert(
            report,
            competencies,
            Competency,
            "competency",
            competency.key,
            {
                "number": competency.number,
                "name": dict(competency.name),
                "statement": dict(competency.statement),
            },
        )
        seen["competency"].add(competency.key)
        for e_pos, element in enumerate(competency.elements):
            e_row = _upsert(
                report,
                elements,
                BehaviouralElement,
                "element",
                element.key,
                {"competency": c_row, "position": e_pos, "title": dict(element.title)},
            )
            seen["element"].add(element.key)
            for indicator in element.ratable():
                position += 1
                row = _upsert(
                    report,
                    indicators,
                    Indicator,
                    "indicator",
                    indicator.key,
                    {
                        "competency": c_row,
                        "element": e_row,
                        "position": position,
                        "text": dict(indicator.text),
                        "points": [dict(p) for p in indicator.points],
                        "rated_as_whole": element.rated_as_whole,
                    },
                )
                if row.added_in_id is None:
                    row.added_in_id = version.id
                seen["indicator"].add(indicator.key)

    for kind, rows in (
        ("competency", competencies),
        ("element", elements),
        ("indicator", indicators),
    ):
        for key, row in rows.items():
            if key not in seen[kind] and row.retired_at is None:
                row.retired_at = now
                report.note("-", kind, key, "retired (its ratings are kept)")

    if report.new_version:
        version.changes = report.summary
    db.session.flush()
    return report


def _by_key(model: Any) -> dict[str, Any]:
    return {row.key: row for row in db.session.scalars(select(model))}


def _upsert(
    report: SyncReport,
    rows: dict[str, Any],
    model: Any,
    kind: str,
    key: str,
    values: dict[str, Any],
) -> Any:
    """Create or update one row, noting what changed."""
    row = rows.get(key)
    if row is None:
        row = model(key=key, **values)
        db.session.add(row)
        rows[key] = row
        report.note("+", kind, key, "added")
        return row
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if row.retired_at is not None:
        row.retired_at = None
        report.note("+", kind, key, "restored")
    texts = [n for n in changed if n in ("name", "statement", "title", "text", "points")]
    if texts:
        report.note("~", kind, key, "text changed (" + ", ".join(texts) + ")")
    if "element" in changed or ("competency" in changed and kind == "element"):
        report.note("~", kind, key, "moved")
    return row
