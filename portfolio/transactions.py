"""How a request's transaction ends when the view left it open.

Views commit what they change (one request, one transaction); whatever is still open when
the request ends is rolled back by Flask-SQLAlchemy, as before, unless the transaction only
read. A transaction that ran nothing but ``SELECT`` statements and holds no unsaved changes
is committed instead. For the database both endings are the same (nothing was written); the
difference is in the driver: psycopg forgets every statement it prepared on the server at
each ``ROLLBACK``, so a connection that only ever rolls back sends and plans every statement
anew on every request. Ending read-only transactions with ``COMMIT`` lets psycopg prepare
the statements a connection keeps running (from the fifth use, its default) and PostgreSQL
reuse their plans: planning was a quarter of the dashboard's time on PostgreSQL.

Anything else is left to the rollback: a statement that is not a ``SELECT`` (an insert,
update or delete, through the ORM or not; a ``WITH``), objects added, changed or deleted
in the session but not flushed, and a request that ended in an exception.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

from portfolio.extensions import db

log = logging.getLogger(__name__)

#: Set in a connection's ``info`` by the first statement of a transaction that may write.
WROTE = "portfolio.transactions.wrote"


def _note_writes(
    conn: Connection,
    _cursor: Any,
    statement: str,
    _parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    if executemany or statement.lstrip()[:6].upper() != "SELECT":
        conn.info[WROTE] = True


def _forget_writes(conn: Connection) -> None:
    if conn.invalidated:
        # The database connection was lost (a server restart cuts it): its ``info`` went
        # with it, and asking for it would raise inside the rollback of the lost transaction.
        return
    try:
        conn.info.pop(WROTE, None)
    except exc.PendingRollbackError:
        return


event.listen(Engine, "before_cursor_execute", _note_writes)
for _name in ("begin", "commit", "rollback"):
    event.listen(Engine, _name, _forget_writes)


def end_read_only(exc: BaseException | None = None) -> None:
    """Commit the request's transaction if it only read; otherwise leave it to the rollback."""
    if exc is not None or not db.session.registry.has():
        return
    session = db.session()
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active:
        return  # nothing open, or a failed flush that only a rollback may end
    if session.new or session.dirty or session.deleted:
        return
    try:
        if session.connection().info.get(WROTE):
            return
        session.commit()
    except Exception:  # the answer is out already: the session's close rolls back instead
        log.exception("Could not end a read-only transaction with COMMIT")


def init_app(app: Flask) -> None:
    """Register :func:`end_read_only`; it runs before Flask-SQLAlchemy closes the session
    (Flask runs the teardown functions in the reverse order of their registration)."""
    app.teardown_appcontext(end_read_only)
