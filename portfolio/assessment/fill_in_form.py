"""What the fill-in form's fields show: the stored values, or what the person just typed.

Pure functions over a :class:`~portfolio.assessment.queries.FillInPage` and the parsed
input; no database, no request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from portfolio.assessment.inputs import RatingInput, ReflectionInput, rating_field
from portfolio.assessment.queries import NO_RATING, FillInPage, PreviousRating
from portfolio.competencies.catalogue import IndicatorText
from portfolio.versioning import Conflict, SaveResult

_PARTS = ("level", "note", "reason")


@dataclass(frozen=True)
class Row:
    """One indicator on the fill-in page, with what to show in its fields."""

    indicator: IndicatorText
    choice: str
    note: str
    reason: str
    version: int
    fingerprint: str
    previous: PreviousRating | None
    error: str | None = None
    conflict: Conflict | None = None


def rows(
    page: FillInPage,
    *,
    inputs: Mapping[int, RatingInput] | None = None,
    result: SaveResult | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[Row]:
    """Each indicator's fields: stored values, or what the user typed (``errors``: messages)."""
    conflicts = {c.field: c for c in (result.conflicts if result else [])}
    errors = errors or {}
    shown = []
    for indicator in page.indicators:
        name = rating_field(indicator.id)
        stored = page.stored.get(indicator.id, NO_RATING)
        choice, note, reason = stored.choice, stored.note, stored.reason
        version, fp = stored.version, stored.fingerprint
        typed = (inputs or {}).get(indicator.id)
        error = next((errors[f"{name}-{p}"] for p in _PARTS if f"{name}-{p}" in errors), None)
        if typed is not None and (
            name in conflicts or error is not None or typed.fingerprint != typed.base_fingerprint
        ):
            # Show what the user typed. After a conflict the row carries the stored version,
            # so saving again is a deliberate choice made with both values in view.
            choice, note, reason = typed.choice, typed.note, typed.reason
            if error is not None:
                version, fp = typed.base_version, typed.base_fingerprint
            elif result and name in result.versions:
                version, fp = result.versions[name]
        shown.append(
            Row(
                indicator=indicator,
                choice=choice,
                note=note,
                reason=reason,
                version=version,
                fingerprint=fp,
                previous=page.previous.get(indicator.id),
                error=error,
                conflict=conflicts.get(name),
            )
        )
    return shown


@dataclass(frozen=True)
class ReflectionField:
    """What the reflection box shows and which version it is based on."""

    text: str
    version: int
    fingerprint: str


def reflection_field(
    page: FillInPage,
    *,
    typed: str | None = None,
    base: ReflectionInput | None = None,
    conflict: Conflict | None = None,
    template: str | None = None,
) -> ReflectionField:
    """The reflection box: what was typed (on the version it was based on, or, after a
    conflict or with the page's own fields refused, on the stored one), else what is stored
    (``template`` when it is empty and the STARR template was asked for)."""
    stored = page.reflection
    if conflict is not None or (typed is not None and base is None):
        # Both texts are shown (or the page's own fields came back wrong): saving again is
        # a deliberate choice, made on top of what is stored now.
        return ReflectionField(typed or "", stored.version, stored.fingerprint)
    if base is not None:
        return ReflectionField(typed or "", base.base_version, base.base_fingerprint)
    text = stored.body
    if template is not None and not text.strip():
        text = template
    return ReflectionField(text, stored.version, stored.fingerprint)
