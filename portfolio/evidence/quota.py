"""How much room a person has for evidence files (``UPLOAD_QUOTA``), counted in SQL."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select, union

from portfolio.evidence.models import EvidenceItem, EvidenceVersion
from portfolio.evidence.uploads.checks import Quota
from portfolio.extensions import db


def used_bytes(owner_id: int, *, except_item: int | None = None) -> int:
    """The bytes of the owner's stored evidence files (leaving out one item's file).

    Files kept on disk for handed-in evidence versions count too, even when the live item
    has a new file or is gone; a file shared by an item and its versions counts once.
    """
    live = select(EvidenceItem.stored_name, EvidenceItem.file_size).where(
        EvidenceItem.owner_id == owner_id, EvidenceItem.stored_name.is_not(None)
    )
    if except_item is not None:
        live = live.where(EvidenceItem.id != except_item)
    kept = select(EvidenceVersion.stored_name, EvidenceVersion.file_size).where(
        EvidenceVersion.owner_id == owner_id, EvidenceVersion.stored_name.is_not(None)
    )
    files = union(live, kept).subquery()
    query = select(func.coalesce(func.sum(files.c.file_size), 0))
    return int(db.session.scalar(query) or 0)


def quota_for(owner_id: int, *, replacing: EvidenceItem | None = None) -> Quota | None:
    """The owner's quota for a new file; the file of ``replacing`` does not count, as the new
    file takes its place. None when there is no quota (``UPLOAD_QUOTA`` is 0)."""
    limit = int(current_app.config.get("UPLOAD_QUOTA") or 0)
    if limit <= 0:
        return None
    except_item = replacing.id if replacing is not None and replacing.id is not None else None
    return Quota(limit=limit, used=used_bytes(owner_id, except_item=except_item))
