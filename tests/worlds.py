"""Build a test world once, then put it back in milliseconds for every further test.

Many tests start from the same world of people, cohorts, rounds, feedback and evidence,
built through the services (so it is what the app itself would have made). Building it
takes a good part of a second; the route sweep alone does it about a thousand times. So
:func:`cached` builds it once per database and then, for each later test, inserts the
rows the build added (and writes the files it stored) and loads the world's objects again
by their primary keys: the same rows, ids and files as a fresh build.

The copy is only used when it is exactly right: the database must hold the same rows as
before the first build (usually none), on the same day; a build that changed rows that
were already there is never copied. Anything else builds afresh.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import Integer, Table, func, inspect, select, text

from portfolio.clock import today
from portfolio.extensions import db

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _Ref:
    """A mapped object, remembered by its class and primary key."""

    cls: type
    identity: tuple[Any, ...]


@dataclasses.dataclass
class _Copy:
    rows: dict[str, list[dict[str, Any]]]
    files: dict[str, bytes]
    world: Any


_copies: dict[tuple[str, str, str], _Copy | None] = {}


def cached(name: str, build: Callable[[], T]) -> T:
    """``build()``'s world: built the first time, copied back every later time."""
    db.session.flush()
    before = _rows()
    key = (name, str(db.engine.url), _fingerprint(before) + today().isoformat())
    if key in _copies:
        copy = _copies[key]
        if copy is not None:
            return _restore(copy)  # type: ignore[no-any-return]
        return build()
    files_before = _files()
    world = build()
    db.session.flush()
    _copies[key] = _capture(before, files_before, world)
    return world


# --- rows and files ---------------------------------------------------------------------


def _rows() -> dict[str, list[dict[str, Any]]]:
    return {
        table.name: [dict(row._mapping) for row in db.session.execute(select(table))]
        for table in db.metadata.sorted_tables
    }


def _fingerprint(rows: dict[str, list[dict[str, Any]]]) -> str:
    digest = hashlib.sha256()
    for name, table_rows in rows.items():
        digest.update(name.encode())
        for row in sorted(repr(sorted(r.items())) for r in table_rows):
            digest.update(row.encode())
    return digest.hexdigest()


def _upload_folder() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _files() -> dict[str, bytes]:
    folder = _upload_folder()
    if not folder.is_dir():
        return {}
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in folder.rglob("*")
        if path.is_file()
    }


def _capture(
    before: dict[str, list[dict[str, Any]]], files_before: dict[str, bytes], world: Any
) -> _Copy | None:
    after = _rows()
    added: dict[str, list[dict[str, Any]]] = {}
    for name, rows in after.items():
        old = {repr(sorted(row.items())) for row in before[name]}
        now = {repr(sorted(row.items())) for row in rows}
        if not old <= now:
            return None  # the build changed or removed rows it did not make
        added[name] = [row for row in rows if repr(sorted(row.items())) not in old]
    files = {name: data for name, data in _files().items() if files_before.get(name) != data}
    return _Copy(rows=added, files=files, world=_refs(world))


def _restore(copy: _Copy) -> Any:
    for table in db.metadata.sorted_tables:
        rows = copy.rows[table.name]
        if rows:
            db.session.execute(table.insert(), rows)
    if db.engine.dialect.name == "postgresql":
        for table in db.metadata.sorted_tables:
            if copy.rows[table.name]:
                _advance_sequence(table)
    folder = _upload_folder()
    for name, data in copy.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    db.session.commit()
    return _objects(copy.world)


def _advance_sequence(table: Table) -> None:
    """After rows with explicit ids, the next id PostgreSQL hands out must be past them."""
    for column in table.primary_key.columns:
        if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
            highest = db.session.scalar(select(func.max(column)))
            db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, :column), :value)"),
                {"table": table.name, "column": column.name, "value": highest},
            )


# --- the world's objects ----------------------------------------------------------------


def _map(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """``value`` rebuilt with ``leaf`` applied to every item inside dataclasses, dicts,
    lists and tuples (an item that ``leaf`` replaces is not looked into)."""
    replaced = leaf(value)
    if replaced is not value:
        return replaced
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _map(getattr(value, f.name), leaf) for f in dataclasses.fields(value)}
        return dataclasses.replace(value, **fields)
    if isinstance(value, dict):
        return {key: _map(item, leaf) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_map(item, leaf) for item in value)
    return value


def _ref(value: Any) -> Any:
    state = inspect(value, raiseerr=False)
    if state is not None and getattr(state, "mapper", None) is not None:
        return _Ref(type(value), tuple(state.identity))
    return value


def _load(value: Any) -> Any:
    return db.session.get(value.cls, value.identity) if isinstance(value, _Ref) else value


def _refs(value: Any) -> Any:
    """``value`` with every mapped object replaced by a :class:`_Ref`."""
    return _map(value, _ref)


def _objects(value: Any) -> Any:
    """The inverse of :func:`_refs`: each :class:`_Ref` loaded in the current session."""
    return _map(value, _load)
