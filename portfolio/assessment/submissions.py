"""Handed-in work: the frozen record of each hand-in, evidence versions, and reading them back.

A hand-in stores a :class:`~portfolio.assessment.models.Submission`: the canonical JSON
of everything handed in (ratings per indicator key, reflections per competency key, the
framework version, the evidence versions attached) and its SHA-256. Evidence attached to
the work is frozen in :class:`~portfolio.evidence.models.EvidenceVersion` rows; an item
that has not changed since its last version reuses it. Neither is ever updated.

Everyone but the trainee reads handed-in work through :func:`read_submission`, which
returns plain dataclasses built from the stored content, never the live draft; pages and
(later) exports use the same data.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from portfolio.accounts.models import User
from portfolio.assessment.models import (
    Rating,
    Reflection,
    SelfAssessment,
    Submission,
)
from portfolio.clock import utcnow
from portfolio.competencies.models import Competency, Indicator
from portfolio.evidence.models import (
    EvidenceItem,
    EvidenceKind,
    EvidenceVersion,
    evidence_indicators,
)
from portfolio.extensions import db

log = logging.getLogger(__name__)

#: Version of the layout of ``Submission.content``; bump it when the layout changes.
CONTENT_FORMAT = 1


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no whitespace, UTF-8 characters kept as they are."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: str | bytes) -> str:
    """The SHA-256 of ``data`` (text is encoded as UTF-8), in hex."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- evidence versions ------------------------------------------------------------------------


def _file_digest(item: EvidenceItem, store: Any) -> str | None:
    """The file's SHA-256: stored at upload; computed from disk for older items."""
    if not item.stored_name:
        return None
    if item.file_sha256:
        return item.file_sha256
    if store is None:
        return None
    try:
        digest = sha256_hex(store.path(item.stored_name).read_bytes())
    except (OSError, ValueError):
        log.warning("Evidence file missing on disk: item %s, %s", item.id, item.stored_name)
        return None
    item.file_sha256 = digest
    return digest


def _version_fields(item: EvidenceItem, keys: list[str], store: Any) -> dict[str, Any]:
    return {
        "title": item.title,
        "occurred_on": item.occurred_on,
        "description": item.description,
        "kind": item.kind,
        "url": item.url,
        "tool_key": item.tool_key,
        "file_name": item.file_name,
        "stored_name": item.stored_name,
        "content_type": item.content_type,
        "file_size": item.file_size,
        "file_sha256": _file_digest(item, store),
        "indicator_keys": keys,
    }


def _fields_digest(fields: dict[str, Any]) -> str:
    plain = {
        name: (value.value if isinstance(value, EvidenceKind) else value)
        for name, value in fields.items()
    }
    plain["occurred_on"] = _iso(fields["occurred_on"])
    return sha256_hex(canonical_json(plain))


def freeze_evidence(
    owner_id: int, indicator_ids: list[int], store: Any = None
) -> list[EvidenceVersion]:
    """Versions of the owner's items linked to any of ``indicator_ids`` (what the fill-in
    page shows beside them), reusing an item's latest version when nothing changed."""
    linked = (
        select(evidence_indicators.c.evidence_id)
        .where(evidence_indicators.c.indicator_id.in_(indicator_ids))
        .distinct()
    )
    return freeze_items(owner_id, linked, store)


def freeze_items(owner_id: int, item_ids: Any, store: Any = None) -> list[EvidenceVersion]:
    """Versions of the owner's items ``item_ids`` (ids, or a select of ids), in id order,
    reusing an item's latest version when nothing changed."""
    items = db.session.scalars(
        select(EvidenceItem)
        .where(EvidenceItem.owner_id == owner_id, EvidenceItem.id.in_(item_ids))
        .order_by(EvidenceItem.id)
    ).all()
    if not items:
        return []
    keys_by_item: dict[int, list[tuple[int, str]]] = {}
    for item_id, position, key in db.session.execute(
        select(evidence_indicators.c.evidence_id, Indicator.position, Indicator.key)
        .join(Indicator, Indicator.id == evidence_indicators.c.indicator_id)
        .where(evidence_indicators.c.evidence_id.in_([i.id for i in items]))
    ):
        keys_by_item.setdefault(item_id, []).append((position, key))
    latest_ids = (
        select(func.max(EvidenceVersion.id))
        .where(EvidenceVersion.item_id.in_([i.id for i in items]))
        .group_by(EvidenceVersion.item_id)
    )
    latest = {
        v.item_id: v
        for v in db.session.scalars(
            select(EvidenceVersion).where(EvidenceVersion.id.in_(latest_ids))
        )
    }
    versions = []
    for item in items:
        keys = [key for _position, key in sorted(keys_by_item.get(item.id, []))]
        fields = _version_fields(item, keys, store)
        digest = _fields_digest(fields)
        found = latest.get(item.id)
        if found is None or found.sha256 != digest:
            found = EvidenceVersion(item_id=item.id, owner_id=owner_id, sha256=digest, **fields)
            db.session.add(found)
        versions.append(found)
    db.session.flush()
    return versions


# --- handing in -------------------------------------------------------------------------------


def round_indicators(assessment: SelfAssessment) -> list[Indicator]:
    """The indicators of the work: every current one, plus retired ones it rated."""
    rated = select(Rating.indicator_id).where(Rating.self_assessment_id == assessment.id)
    return list(
        db.session.scalars(
            select(Indicator)
            .where(or_(Indicator.retired_at.is_(None), Indicator.id.in_(rated)))
            .order_by(Indicator.position)
        )
    )


def record_submission(
    assessment: SelfAssessment, actor: User, store: Any = None, *, at: datetime | None = None
) -> Submission:
    """Store what is handed in now, as submission number n + 1 (never changed afterwards).

    ``at`` is the moment of the hand-in (now unless given, e.g. for demo data).
    """
    indicators = round_indicators(assessment)
    ratings = {
        r.indicator_id: r
        for r in db.session.scalars(
            select(Rating).where(Rating.self_assessment_id == assessment.id)
        )
    }
    reflections = db.session.execute(
        select(Competency.key, Reflection.body)
        .join(Competency, Competency.id == Reflection.competency_id)
        .where(Reflection.self_assessment_id == assessment.id, func.length(Reflection.body) > 0)
    ).all()
    versions = freeze_evidence(assessment.trainee_id, [i.id for i in indicators], store)
    number = (
        db.session.scalar(
            select(func.max(Submission.number)).where(
                Submission.self_assessment_id == assessment.id
            )
        )
        or 0
    ) + 1
    moment = at or utcnow()
    round_ = assessment.round
    version = round_.framework_version
    rated: dict[str, dict[str, Any]] = {}
    for indicator in indicators:
        rating = ratings.get(indicator.id)
        rated[indicator.key] = {
            "level": rating.level if rating else None,
            "not_judgeable": bool(rating and rating.not_judgeable),
            "note": rating.note if rating else "",
            "change_reason": rating.change_reason if rating else "",
        }
    content = canonical_json(
        {
            "format": CONTENT_FORMAT,
            "self_assessment_id": assessment.id,
            "number": number,
            "trainee_id": assessment.trainee_id,
            "submitted_at": _iso(moment),
            "submitted_by_id": actor.id,
            "round": {
                "id": round_.id,
                "title": round_.title,
                "cohort_id": round_.cohort_id,
                "opens_on": _iso(round_.opens_on),
                "closes_on": _iso(round_.closes_on),
            },
            "framework_version": {
                "id": version.id,
                "content_hash": version.content_hash,
                "label": version.label,
            },
            "ratings": rated,
            "reflections": dict(reflections),
            "evidence": [
                {"version_id": v.id, "item_id": v.item_id, "sha256": v.sha256} for v in versions
            ],
        }
    )
    submission = Submission(
        self_assessment_id=assessment.id,
        number=number,
        submitted_at=moment,
        submitted_by_id=actor.id,
        answered=sum(1 for r in rated.values() if r["level"] is not None or r["not_judgeable"]),
        content=content,
        sha256=sha256_hex(content),
        evidence=versions,
    )
    db.session.add(submission)
    assessment.submitted_at = moment
    db.session.flush()
    return submission


def evidence_to_freeze(assessment: SelfAssessment) -> int:
    """How many evidence items a hand-in now would attach (for the confirmation page)."""
    rated = select(Rating.indicator_id).where(Rating.self_assessment_id == assessment.id)
    indicators = select(Indicator.id).where(
        or_(Indicator.retired_at.is_(None), Indicator.id.in_(rated))
    )
    linked = select(evidence_indicators.c.evidence_id).where(
        evidence_indicators.c.indicator_id.in_(indicators)
    )
    return (
        db.session.scalar(
            select(func.count(EvidenceItem.id)).where(
                EvidenceItem.owner_id == assessment.trainee_id, EvidenceItem.id.in_(linked)
            )
        )
        or 0
    )


def latest_submission(assessment_id: int) -> Submission | None:
    """The last hand-in of a self-assessment, if there is one."""
    return db.session.scalar(
        select(Submission)
        .where(Submission.self_assessment_id == assessment_id)
        .order_by(Submission.number.desc())
        .limit(1)
    )


# --- reading handed-in work -------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRef:
    """An evidence version as handed in."""

    version_id: int
    title: str
    kind: str
    occurred_on: date | None
    has_file: bool
    indicator_keys: tuple[str, ...]
    #: The live item it is a version of (None once the item was deleted).
    item_id: int | None = None


@dataclass(frozen=True)
class RatedIndicator:
    """One indicator with the rating handed in."""

    key: str
    text: dict[str, str]
    retired: bool
    level: int | None
    not_judgeable: bool
    note: str
    change_reason: str
    evidence: tuple[EvidenceRef, ...] = ()

    @property
    def answered(self) -> bool:
        """A level or 'cannot judge yet' was chosen."""
        return self.level is not None or self.not_judgeable


@dataclass(frozen=True)
class CompetencyWork:
    """The ratings and reflection handed in for one competency."""

    key: str
    number: int
    name: dict[str, str]
    indicators: tuple[RatedIndicator, ...]
    reflection: str


@dataclass(frozen=True)
class HandedInWork:
    """Everything in one submission, for display and export."""

    submission_id: int
    number: int
    submitted_at: datetime
    sha256: str
    round_title: str
    framework_label: str
    competencies: tuple[CompetencyWork, ...]
    evidence: tuple[EvidenceRef, ...] = field(default=())


def read_submission(submission: Submission) -> HandedInWork:
    """The submission's content as plain data, with today's texts looked up by key (3 queries)."""
    content = json.loads(submission.content)
    ratings: dict[str, dict[str, Any]] = content["ratings"]
    reflections: dict[str, str] = content["reflections"]
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.key.in_(list(ratings))).order_by(Indicator.position)
    ).all()
    competencies = db.session.scalars(select(Competency).order_by(Competency.number)).all()
    evidence = tuple(
        EvidenceRef(
            version_id=v.id,
            title=v.title,
            kind=v.kind.value,
            occurred_on=v.occurred_on,
            has_file=bool(v.stored_name),
            indicator_keys=tuple(v.indicator_keys),
            item_id=v.item_id,
        )
        for v in submission.evidence
    )
    groups = []
    for competency in competencies:
        rows = tuple(
            RatedIndicator(
                key=i.key,
                text=i.text,
                retired=i.is_retired,
                level=ratings[i.key]["level"],
                not_judgeable=ratings[i.key]["not_judgeable"],
                note=ratings[i.key]["note"],
                change_reason=ratings[i.key]["change_reason"],
                evidence=tuple(e for e in evidence if i.key in e.indicator_keys),
            )
            for i in indicators
            if i.competency_id == competency.id
        )
        if rows or reflections.get(competency.key):
            groups.append(
                CompetencyWork(
                    key=competency.key,
                    number=competency.number,
                    name=competency.name,
                    indicators=rows,
                    reflection=reflections.get(competency.key, ""),
                )
            )
    return HandedInWork(
        submission_id=submission.id,
        number=submission.number,
        submitted_at=submission.submitted_at,
        sha256=submission.sha256,
        round_title=content["round"]["title"],
        framework_label=content["framework_version"]["label"],
        competencies=tuple(groups),
        evidence=evidence,
    )
