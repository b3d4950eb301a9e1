"""The trainee's evidence beside the indicators of the fill-in page.

This read belongs to the evidence feature; when it has its own package the fill-in page
imports :func:`evidence_by_indicator` from there instead (one import line in
:mod:`portfolio.assessment.queries`).
"""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from portfolio.assessment.models import EvidenceItem, evidence_indicators
from portfolio.extensions import db


class EvidenceLink(NamedTuple):
    """An evidence item as a link beside an indicator."""

    id: int
    title: str


def evidence_by_indicator(owner_id: int, indicator_ids: list[int]) -> dict[int, list[EvidenceLink]]:
    """The owner's evidence items linked to each of ``indicator_ids`` (one query)."""
    rows = db.session.execute(
        select(evidence_indicators.c.indicator_id, EvidenceItem.id, EvidenceItem.title)
        .join(EvidenceItem, EvidenceItem.id == evidence_indicators.c.evidence_id)
        .where(
            EvidenceItem.owner_id == owner_id,
            evidence_indicators.c.indicator_id.in_(indicator_ids),
        )
        .order_by(EvidenceItem.occurred_on.desc(), EvidenceItem.id.desc())
    ).all()
    found: dict[int, list[EvidenceLink]] = {}
    for indicator_id, item_id, title in rows:
        found.setdefault(indicator_id, []).append(EvidenceLink(item_id, title))
    return found
