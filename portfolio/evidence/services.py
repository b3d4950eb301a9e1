"""Every change to the evidence library, with the person who makes it.

Each operation checks the domain rules, writes the audit event and flushes; the caller
commits. Files are written to the :class:`~portfolio.evidence.uploads.storage.FileStore`
during the operation, but removed only once the commit is known: an operation returns a
:class:`FileChange`, and the caller commits inside :func:`settle_files`, which takes a file
this write stored away again when the commit fails, and removes a file the write let go
of once nothing else names it (handed-in versions keep theirs).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.competencies.models import Indicator
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.evidence.queries import file_in_use, is_handed_in
from portfolio.evidence.uploads.filetypes import FileType
from portfolio.evidence.uploads.storage import FileStore
from portfolio.extensions import db

log = logging.getLogger(__name__)


class EvidenceRefused(Exception):
    """A change to the evidence library that the domain rules do not allow."""


class NotTheOwner(EvidenceRefused):
    """Live evidence is its owner's alone: nobody else changes or deletes it."""


class Incomplete(StrEnum):
    """What an item must have, whoever saves it (the form says the same in words)."""

    NO_TITLE = "no-title"
    NO_INDICATOR = "no-indicator"
    NEEDS_FILE = "needs-file"  # a document or an image has a file
    HAS_FILE = "has-file"  # text only and a link have none
    NEEDS_URL = "needs-url"  # a link has a web address


class IncompleteEvidence(EvidenceRefused):
    """The item would break one of the rules of :class:`Incomplete`."""

    def __init__(self, problems: tuple[Incomplete, ...]) -> None:
        self.problems = problems
        super().__init__(*problems)


#: Kinds that have a file, and kinds that never do.
KINDS_WITH_FILE = frozenset({EvidenceKind.DOCUMENT, EvidenceKind.IMAGE})
KINDS_WITHOUT_FILE = frozenset({EvidenceKind.TEXT, EvidenceKind.LINK})


@dataclass(frozen=True)
class Upload:
    """A chosen file that passed the checks, waiting to be stored."""

    file_name: str
    file_type: FileType
    data: bytes


@dataclass(frozen=True)
class EvidenceData:
    """What an item should say after a save (the form's fields, checked)."""

    title: str
    kind: EvidenceKind
    occurred_on: date | None = None
    url: str = ""
    description: str = ""
    tool_key: str | None = None
    indicator_keys: tuple[str, ...] = ()
    #: A new file to attach (it replaces the item's file, if any).
    upload: Upload | None = None
    #: Remove the item's file (ignored when ``upload`` is given).
    remove_file: bool = False


@dataclass(frozen=True)
class FileChange:
    """The files a write leaves to be dealt with once the commit is known."""

    #: Stored by this write; removed again when the write is not committed.
    written: str | None = None
    #: No longer named by the item; removed after the commit when nothing else names it.
    released: str | None = None


@dataclass(frozen=True)
class SavedEvidence:
    """The result of :func:`save_evidence`."""

    item: EvidenceItem
    created: bool
    #: Some earlier hand-in has a version of the item (it keeps that version).
    handed_in: bool
    files: FileChange


@dataclass(frozen=True)
class DeletedEvidence:
    """The result of :func:`delete_evidence`."""

    title: str
    #: A version of the item stays with handed-in work.
    handed_in: bool
    files: FileChange


def incomplete(item: EvidenceItem | None, data: EvidenceData) -> tuple[Incomplete, ...]:
    """What would be wrong with ``item`` (None: a new one) after saving ``data``."""
    has_file = data.upload is not None or bool(
        item is not None and item.stored_name and not data.remove_file
    )
    checks = (
        (Incomplete.NO_TITLE, not data.title.strip()),
        (Incomplete.NO_INDICATOR, not data.indicator_keys),
        (Incomplete.NEEDS_FILE, data.kind in KINDS_WITH_FILE and not has_file),
        (Incomplete.HAS_FILE, data.kind in KINDS_WITHOUT_FILE and has_file),
        (Incomplete.NEEDS_URL, data.kind is EvidenceKind.LINK and not data.url),
    )
    return tuple(problem for problem, failed in checks if failed)


def save_evidence(
    actor: User, item: EvidenceItem | None, data: EvidenceData, store: FileStore
) -> SavedEvidence:
    """Create an item in ``actor``'s library (``item`` is None) or change their ``item``.

    Refuses with :class:`NotTheOwner` or :class:`IncompleteEvidence` before changing anything.
    """
    if item is not None and item.owner_id != actor.id:
        raise NotTheOwner(item.id)
    problems = incomplete(item, data)
    if problems:
        raise IncompleteEvidence(problems)
    creating = item is None
    if item is None:
        item = EvidenceItem(owner_id=actor.id)
        db.session.add(item)
    item.title = data.title.strip()
    item.occurred_on = data.occurred_on
    item.kind = data.kind
    item.url = data.url
    item.description = data.description
    item.tool_key = data.tool_key or None
    keys = list(dict.fromkeys(data.indicator_keys))
    item.indicators = list(db.session.scalars(select(Indicator).where(Indicator.key.in_(keys))))
    item.updated_at = utcnow()

    written: str | None = None
    released: str | None = None
    if data.upload is not None:
        written = store.save(data.upload.data)
        released = item.stored_name
        item.file_name = data.upload.file_name
        item.stored_name = written
        item.content_type = data.upload.file_type.mime
        item.file_size = len(data.upload.data)
        item.file_sha256 = hashlib.sha256(data.upload.data).hexdigest()
    elif data.remove_file and item.stored_name:
        released = item.stored_name
        item.file_name = item.stored_name = item.content_type = None
        item.file_size = None
        item.file_sha256 = None

    try:
        db.session.flush()
        record(
            Action.EVIDENCE_CREATED if creating else Action.EVIDENCE_UPDATED,
            actor=actor,
            target=item,
            title=item.title,
            kind=item.kind.value,
            indicators=len(item.indicators),
            file=data.upload.file_type.key if data.upload else None,
            file_removed=True if (released and data.upload is None) else None,
        )
        db.session.flush()
    except Exception:
        if written:
            store.delete(written)
        raise
    handed_in = not creating and is_handed_in(item.id)
    return SavedEvidence(item, creating, handed_in, FileChange(written, released))


def delete_evidence(actor: User, item: EvidenceItem) -> DeletedEvidence:
    """Delete ``actor``'s item; versions handed in with work stay (their ``item_id`` is NULL).

    The item's file is released: :func:`settle_files` removes it after the commit unless a
    handed-in version still names it.
    """
    if item.owner_id != actor.id:
        raise NotTheOwner(item.id)
    handed_in = is_handed_in(item.id)
    title = item.title
    stored_name = item.stored_name
    record(Action.EVIDENCE_DELETED, actor=actor, target=item, title=title)
    db.session.delete(item)
    db.session.flush()
    return DeletedEvidence(title, handed_in, FileChange(released=stored_name))


@contextmanager
def settle_files(store: FileStore, change: FileChange) -> Iterator[None]:
    """Commit inside this block: the files of ``change`` follow what the commit did.

    When the block raises, the file the write stored is removed again; when it succeeds, the
    file the write let go of is removed unless a live item or a handed-in version names it.
    """
    try:
        yield
    except BaseException:
        if change.written:
            store.delete(change.written)
        raise
    remove_unused_file(store, change.released)


def remove_unused_file(store: FileStore, stored_name: str | None) -> bool:
    """Delete a file nothing refers to any more; a failure is logged, not raised.

    True when a file was removed.
    """
    if not stored_name or file_in_use(stored_name):
        return False
    try:
        return store.delete(stored_name)
    except OSError:
        log.exception("Could not delete evidence file %s", stored_name)
        return False
