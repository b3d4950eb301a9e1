"""Saving what people edit concurrently without lost updates, and without locks.

A versioned row has a ``version`` column that grows by one with every save. A page that
shows a value also sends, per field, the version it was loaded at and a fingerprint of what
it showed. A save then:

1. skips a field the page did not change (its fingerprint is still the one it loaded);
2. accepts a field already stored with the same content (another tab, or a retry);
3. reports a conflict when the stored version moved on since the page loaded;
4. otherwise writes ``UPDATE … WHERE version = :base`` (or ``INSERT … ON CONFLICT DO
   NOTHING`` for a new row), and when that touches no row — another save got there in
   between — re-reads the row and reports a conflict with both values.

:func:`save_versioned` is that sequence, once, for any model with a ``version`` column:
ratings and reflections now; feedback answers, portfolio justifications and judgements next.
Services flush; the caller commits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import CursorResult, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portfolio.extensions import Base, db

Row = TypeVar("Row", bound=Base)


_VERSION = re.compile(r"[0-9]{1,9}")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")


def read_version(form: Mapping[str, str], name: str, tampered: list[str]) -> int:
    """The version a page sent back in its hidden field ``name`` (0 when absent).

    A value the page never writes is added to ``tampered`` (then nothing is saved).
    """
    value = form.get(name, "0")
    if not _VERSION.fullmatch(value):
        tampered.append(name)
        return 0
    return int(value)


def read_fingerprint(form: Mapping[str, str], name: str, tampered: list[str]) -> str:
    """The fingerprint a page sent back in its hidden field ``name`` ('' when absent)."""
    value = form.get(name, "")
    if value and not _FINGERPRINT.fullmatch(value):
        tampered.append(name)
        return ""
    return value


def fingerprint(*values: object) -> str:
    """A short digest of what a page showed, so the server can tell what the page changed."""
    joined = "\x1f".join("" if v is None else str(v) for v in values)
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def insert_ignoring_duplicates(model: type[Base], **values: object) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when the row was inserted.

    Both SQLite (3.35 and later) and PostgreSQL support it, and unlike catching
    IntegrityError it needs no savepoint, so the surrounding transaction stays usable.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    key = model.__table__.primary_key
    statement = insert(model).values(**values).on_conflict_do_nothing().returning(*key)
    # RETURNING, not the row count: psycopg reports -1 rows for a skipped insert.
    return db.session.execute(statement).first() is not None


def rowcount(outcome: object) -> int:
    """Rows an UPDATE or DELETE touched (0 for a result that does not say)."""
    return outcome.rowcount if isinstance(outcome, CursorResult) else 0


@dataclass(frozen=True)
class Stored:
    """What a stored row (or its absence) amounts to for a save: version, digest, display."""

    version: int
    fingerprint: str
    shown: str


@dataclass(frozen=True)
class Edit:
    """What a page sent for one field: its name, what it was based on, what it holds now."""

    name: str
    base_version: int
    base_fingerprint: str
    fingerprint: str
    shown: str

    @property
    def changed(self) -> bool:
        """The page changed the field since it loaded it."""
        return self.fingerprint != self.base_fingerprint


@dataclass(frozen=True)
class Conflict:
    """A field that was changed elsewhere since the page loaded it: both values."""

    field: str
    theirs: str
    yours: str


@dataclass
class SaveResult:
    """What a save did, field by field (names as the form has them)."""

    saved: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    #: Per field the version and fingerprint the page should now be based on.
    versions: dict[str, tuple[int, str]] = field(default_factory=dict)

    def merge(self, other: SaveResult) -> None:
        """Add what another save of the same page did."""
        self.saved += other.saved
        self.conflicts += other.conflicts
        self.errors.update(other.errors)
        self.versions.update(other.versions)


def save_versioned(
    model: type[Row],
    key: Mapping[str, object],
    current: Row | None,
    edit: Edit,
    values: Mapping[str, object],
    stored: Callable[[Row | None], Stored],
    result: SaveResult,
) -> bool:
    """Save one field of the row of ``model`` identified by ``key`` (its unique columns).

    ``current`` is the row as read before (None: there is none yet), ``values`` the columns
    to write, ``stored`` says what a row amounts to. What happened goes into ``result``;
    True when something was written.
    """
    if not edit.changed:
        return False  # the page did not touch the field
    before = stored(current)
    if current is not None and before.fingerprint == edit.fingerprint:
        result.versions[edit.name] = (before.version, edit.fingerprint)
        return False  # already saved with the same content
    if before.version != edit.base_version or not _write(model, key, current, edit, values):
        if before.version == edit.base_version:  # the write lost a race: read what won
            db.session.expire_all()
            current = db.session.scalar(select(model).filter_by(**key))
        result.conflicts.append(Conflict(edit.name, stored(current).shown, edit.shown))
        return False
    result.saved.append(edit.name)
    result.versions[edit.name] = (before.version + 1, edit.fingerprint)
    return True


def _write(
    model: type[Row],
    key: Mapping[str, object],
    current: Row | None,
    edit: Edit,
    values: Mapping[str, object],
) -> bool:
    """Insert, or update only if the stored version is still the base; False if another won."""
    if current is None:
        return insert_ignoring_duplicates(model, **key, **values, version=1)
    version = model.__table__.c.version
    outcome = db.session.execute(
        update(model)
        .filter_by(**key)
        .where(version == edit.base_version)
        .values(version=version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(outcome) != 1:
        return False
    db.session.expire(current)
    return True
