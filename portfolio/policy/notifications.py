"""Notifications: each person's are theirs alone (an administrator reads nobody else's)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, select

from portfolio.accounts.models import User
from portfolio.notifications.models import Notification
from portfolio.policy.viewers import Viewer, signed_in, user_id


def own_notifications(viewer: Viewer) -> ColumnElement[bool]:
    """The condition that narrows notifications to ``viewer``'s own (none without an account)."""
    return Notification.recipient_id == user_id(viewer)


def visible_notifications(viewer: Viewer) -> Select[Any]:
    """Ids of the notifications ``viewer`` may see: their own."""
    return select(Notification.id).where(own_notifications(viewer))


def can_view_notification(viewer: Viewer, notification: Notification) -> bool:
    """Only the recipient sees a notification, or marks it read."""
    user = signed_in(viewer)
    return user is not None and notification.recipient_id == user.id


def can_choose_emails(viewer: Viewer, user: User) -> bool:
    """People choose which e-mails they get themselves; nobody does it for them."""
    account = signed_in(viewer)
    return account is not None and account.id == user.id
