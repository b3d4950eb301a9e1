"""Reading someone's notifications: the unread count and their list, as plain data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from sqlalchemy import ColumnElement, ScalarSelect, func, select
from sqlalchemy.orm import InstrumentedAttribute

from portfolio import policy
from portfolio.notifications import mails
from portfolio.notifications.models import Notification, NotificationKind
from portfolio.paging import Page, read_page
from portfolio.policy import Viewer

#: Entries per page of the list.
PER_PAGE = 25


def unread_count_of(user_id: ColumnElement[int] | InstrumentedAttribute[int]) -> ScalarSelect[int]:
    """The unread count of the account ``user_id`` as a scalar subquery, so the statement
    that loads the signed-in account brings the count along (no statement of its own)."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(viewer: Viewer) -> int:
    """How many of ``viewer``'s notifications are unread (0 without an account)."""
    from portfolio.extensions import db

    return int(
        db.session.scalar(
            select(func.count(Notification.id)).where(
                policy.own_notifications(viewer), Notification.read_at.is_(None)
            )
        )
        or 0
    )


@dataclass(frozen=True)
class Entry:
    """One notification in the list."""

    id: int
    kind: NotificationKind
    title: str
    link: str
    created_at: datetime
    read: bool


def notification_page(viewer: Viewer, page: int, language: str) -> Page[Entry]:
    """One page of ``viewer``'s notifications, newest first, titled in ``language``
    (one statement)."""
    query = (
        select(
            Notification.id,
            Notification.kind,
            Notification.context,
            Notification.link,
            Notification.created_at,
            Notification.read_at,
        )
        .where(policy.own_notifications(viewer))
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )

    def make(row: Sequence[Any]) -> Entry:
        kind = NotificationKind(row[1])
        return Entry(
            id=row[0],
            kind=kind,
            title=mails.subject(kind, mails.from_json(row[2] or {})),
            link=row[3],
            created_at=row[4],
            read=row[5] is not None,
        )

    with force_locale(language):
        found, _rows = read_page(query, page, make, per_page=PER_PAGE)
    return found
