"""Slowing down password guessing without locking out classrooms or the right password.

Only failed sign-ins count. There are two counters, kept in the database so that every
worker process shares them:

- per account (the e-mail address typed, whether or not it has an account, so the answer
  reveals nothing): after ``SIGN_IN_ACCOUNT_FAILURES`` failures (default 5) each further
  try waits a little longer: 2, 4, 8 … seconds after the last failure, at most
  ``SIGN_IN_MAX_DELAY`` (default 300). A successful sign-in clears the account's counter;
- per client address: the same growing delay, but only after ``SIGN_IN_ADDRESS_FAILURES``
  failures (default 50), so a cohort signing in together behind one office address (where
  successes never count) is not held up by a few typos. Success does not clear it, or an
  attacker could clear it with an account of their own.

A counter is forgotten an hour (``SIGN_IN_FAILURE_MEMORY`` seconds) after its last failure.
While a delay runs, sign-in attempts are refused without checking the password (a check
would let guessing go on); the page says how long to wait.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portfolio.accounts.models import SignInFailure
from portfolio.clock import aware, utcnow
from portfolio.extensions import db

ACCOUNT = "account"
ADDRESS = "address"

DEFAULTS = {
    "SIGN_IN_ACCOUNT_FAILURES": 5,
    "SIGN_IN_ADDRESS_FAILURES": 50,
    "SIGN_IN_MAX_DELAY": 300,
    "SIGN_IN_FAILURE_MEMORY": 3600,
}


@dataclass(frozen=True)
class Refusal:
    """A sign-in refused for now: why (account or address) and for how many seconds."""

    reason: str
    seconds: int


def _setting(name: str) -> int:
    return int(current_app.config.get(name, DEFAULTS[name]))


def enabled() -> bool:
    """Throttling follows the rate-limit switch (off in most tests)."""
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _keys(email: str, address: str) -> dict[str, str]:
    return {
        ACCOUNT: f"{ACCOUNT}:{email.strip().lower()}"[:300],
        ADDRESS: f"{ADDRESS}:{address}"[:300],
    }


def delay_after(failures: int, free: int) -> int:
    """Seconds to wait after the ``failures``-th failure when ``free`` come without delay."""
    if failures < free:
        return 0
    growing: int = 2 ** min(failures - free + 1, 30)
    return min(growing, _setting("SIGN_IN_MAX_DELAY"))


def _free(reason: str) -> int:
    return _setting("SIGN_IN_ACCOUNT_FAILURES" if reason == ACCOUNT else "SIGN_IN_ADDRESS_FAILURES")


def refusal(email: str, address: str, now: datetime | None = None) -> Refusal | None:
    """Why a sign-in for ``email`` from ``address`` has to wait now, if it has to."""
    now = now or utcnow()
    keys = _keys(email, address)
    rows = {
        row.key: row
        for row in db.session.scalars(
            select(SignInFailure).where(SignInFailure.key.in_(keys.values()))
        )
    }
    memory = timedelta(seconds=_setting("SIGN_IN_FAILURE_MEMORY"))
    waits = []
    for reason, key in keys.items():
        row = rows.get(key)
        if row is None or aware(row.last_failure_at) + memory < now:
            continue
        until = aware(row.last_failure_at) + timedelta(
            seconds=delay_after(row.failures, _free(reason))
        )
        if until > now:
            waits.append(Refusal(reason, math.ceil((until - now).total_seconds())))
    return max(waits, key=lambda r: r.seconds) if waits else None


def record_failure(email: str, address: str, now: datetime | None = None) -> None:
    """Count a failed sign-in for the account and for the address (atomically)."""
    now = now or utcnow()
    forget_before = now - timedelta(seconds=_setting("SIGN_IN_FAILURE_MEMORY"))
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    for key in _keys(email, address).values():
        db.session.execute(
            insert(SignInFailure)
            .values(key=key, failures=0, last_failure_at=now)
            .on_conflict_do_nothing()
        )
        # One UPDATE: concurrent failures in other workers are counted, not overwritten.
        db.session.execute(
            update(SignInFailure)
            .where(SignInFailure.key == key)
            .values(
                failures=case(
                    (SignInFailure.last_failure_at < forget_before, 1),
                    else_=SignInFailure.failures + 1,
                ),
                last_failure_at=now,
            )
            .execution_options(synchronize_session=False)
        )
    # Old counters go; the index on last_failure_at keeps this cheap.
    db.session.execute(
        delete(SignInFailure)
        .where(SignInFailure.last_failure_at < forget_before)
        .execution_options(synchronize_session=False)
    )


def clear_account(email: str) -> None:
    """A successful sign-in: the account's failures are forgiven (the address's are not)."""
    db.session.execute(
        delete(SignInFailure)
        .where(SignInFailure.key == _keys(email, "")[ACCOUNT])
        .execution_options(synchronize_session=False)
    )
