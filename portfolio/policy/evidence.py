"""Evidence: the live library is its owner's alone; others see handed-in versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, select

from portfolio.assessment.models import submission_evidence
from portfolio.evidence.models import EvidenceItem, EvidenceVersion
from portfolio.extensions import db
from portfolio.policy.assessment import visible_submissions
from portfolio.policy.trainees import can_edit_own_work
from portfolio.policy.viewers import Viewer, signed_in


def can_view_evidence(viewer: Viewer, item: EvidenceItem) -> bool:
    """A live evidence item is its owner's alone; others see versions that were handed in."""
    user = signed_in(viewer)
    return user is not None and user.id == item.owner_id


def can_edit_evidence(viewer: Viewer, item: EvidenceItem) -> bool:
    """Only the owner changes or deletes an evidence item."""
    return can_edit_own_work(viewer, item.owner)


def visible_evidence_versions(viewer: Viewer) -> Select[Any]:
    """Ids of the evidence versions attached to submissions ``viewer`` may see."""
    return select(submission_evidence.c.evidence_version_id).where(
        submission_evidence.c.submission_id.in_(visible_submissions(viewer))
    )


def can_view_evidence_version(viewer: Viewer, version: EvidenceVersion) -> bool:
    """The owner; others when the version is attached to a submission they may see."""
    user = signed_in(viewer)
    if user is None:
        return False
    if user.id == version.owner_id:
        return True
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    submission_evidence.c.evidence_version_id == version.id,
                    submission_evidence.c.submission_id.in_(visible_submissions(viewer)),
                )
            )
        )
    )
