"""Notifying someone, marking notifications read, and e-mail preferences.

:func:`notify` renders the texts in the recipient's language and stores one
:class:`~portfolio.notifications.models.Notification`; it never sends. The e-mail goes out
after the transaction commits: in a request once the answer has been sent (the
notifications blueprint hands what was committed to ``portfolio.deferred``), elsewhere by
calling :func:`portfolio.notifications.sending.send_pending` after the commit, and in any
case by ``flask notifications send-due``, which also retries failed sends.

Services flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from portfolio.accounts.models import User
from portfolio.audit import record
from portfolio.audit.actions import Action
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.mail import mail_configured
from portfolio.notifications import mails
from portfolio.notifications.models import (
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from portfolio.urls import base_url_parts

#: ``Session.info`` keys: notifications made in the open transaction, and those committed
#: since the sender last looked.
_CREATED = "notifications.created"
_COMMITTED = "notifications.committed"


@dataclass(frozen=True)
class Recipient:
    """Whom a notification is for: an account (``user_id``), or someone without one
    (``user_id`` None, e-mail only; every e-mail they get carries the link where they can
    decline)."""

    user_id: int | None
    email: str
    name: str
    language: str

    @classmethod
    def of_user(cls, user: User) -> Recipient:
        """An account holder, in the language of their profile (else the default)."""
        return cls(
            user_id=user.id,
            email=user.email,
            name=user.name or user.email,
            language=user.language or str(current_app.config["BABEL_DEFAULT_LOCALE"]),
        )


class LinkRefused(ValueError):
    """A notification's link must lead into this application (built on BASE_URL)."""


def _language(language: str) -> str:
    known = [str(code) for code in current_app.config["LANGUAGES"]]
    return language if language in known else str(current_app.config["BABEL_DEFAULT_LOCALE"])


def _check_link(link: str) -> None:
    scheme, host, prefix = base_url_parts()
    base = f"{scheme}://{host}{prefix}"
    if link != base and not link.startswith(base + "/"):
        raise LinkRefused(f"notification links are built on BASE_URL ({base}), not {link!r}")


def _email_state(recipient: Recipient, kind: NotificationKind) -> EmailState:
    """PENDING, or SKIPPED: no mail server, a closed account, or e-mail turned off."""
    if not mail_configured():
        return EmailState.SKIPPED
    if recipient.user_id is None:
        return EmailState.PENDING
    row = db.session.execute(
        select(User.active, NotificationPreference.email_enabled)
        .outerjoin(
            NotificationPreference,
            (NotificationPreference.user_id == User.id) & (NotificationPreference.kind == kind),
        )
        .where(User.id == recipient.user_id)
    ).one_or_none()
    if row is None or not row.active or row.email_enabled is False:
        return EmailState.SKIPPED
    return EmailState.PENDING


def notify(
    actor: User | None,
    recipient: Recipient,
    kind: NotificationKind,
    *,
    link: str,
    context: Mapping[str, Any],
    dedupe_key: str | None = None,
) -> Notification | None:
    """Tell ``recipient`` about an event of ``kind``; None when ``dedupe_key`` was used before.

    ``link`` leads to the event's page (``portfolio.urls.absolute_url``); ``context`` holds
    the plain values the kind's texts need (``mails.SPECS``; a missing or unknown key is a
    :class:`~portfolio.notifications.mails.ContextError`). The subject and the e-mail are
    rendered now, in the recipient's language, and stored; the e-mail is sent after the
    commit (see the module's description).
    """
    kind = NotificationKind(kind)
    values = mails.check_context(kind, context)
    _check_link(link)
    if dedupe_key is not None and db.session.scalar(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ):
        return None
    language = _language(recipient.language)
    words = mails.render(
        kind,
        values,
        recipient_name=recipient.name,
        language=language,
        link=link,
        has_account=recipient.user_id is not None,
    )
    row = {
        "recipient_id": recipient.user_id,
        "email": recipient.email,
        "name": recipient.name[:120],
        "language": language,
        "kind": kind,
        "actor_id": actor.id if actor is not None else None,
        "context": mails.to_json(values),
        "subject": words.subject[:300],
        "text": words.text,
        "html": words.html,
        "link": link,
        "created_at": utcnow(),
        "email_state": _email_state(recipient, kind),
        "attempts": 0,
        "last_error": "",
        "dedupe_key": dedupe_key,
    }
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    # ON CONFLICT: a second process that notified the same event a moment ago wins quietly.
    new_id = db.session.scalar(
        insert(Notification).values(**row).on_conflict_do_nothing().returning(Notification.id)
    )
    if new_id is None:
        return None
    db.session.info.setdefault(_CREATED, []).append(new_id)
    return db.session.get(Notification, new_id)


def created_and_committed() -> list[int]:
    """The ids of notifications committed in this session since the last call (to send)."""
    committed: list[int] = db.session.info.pop(_COMMITTED, [])
    return committed


def _after_commit(session: Session) -> None:
    created = session.info.pop(_CREATED, None)
    if created:
        session.info.setdefault(_COMMITTED, []).extend(created)


def _after_rollback(session: Session) -> None:
    session.info.pop(_CREATED, None)


def watch_sessions() -> None:
    """Follow commits and rollbacks, so only committed notifications are handed on to send."""
    from sqlalchemy import event

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


# --- reading --------------------------------------------------------------------------------


def mark_read(actor: User, notification: Notification) -> bool:
    """Mark one of ``actor``'s notifications read; False when it was read already."""
    if notification.recipient_id != actor.id:
        raise PermissionError("only the recipient marks a notification read")
    if notification.read_at is not None:
        return False
    notification.read_at = utcnow()
    db.session.flush()
    return True


def mark_all_read(actor: User) -> int:
    """Mark every unread notification of ``actor`` read; how many there were."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == actor.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# --- preferences ----------------------------------------------------------------------------


def email_preferences(user: User) -> dict[NotificationKind, bool]:
    """Per kind, whether ``user`` gets it by e-mail (on unless turned off)."""
    rows = db.session.execute(
        select(NotificationPreference.kind, NotificationPreference.email_enabled).where(
            NotificationPreference.user_id == user.id
        )
    ).all()
    chosen = {NotificationKind(kind): bool(enabled) for kind, enabled in rows}
    return {kind: chosen.get(kind, True) for kind in NotificationKind}


def set_email_preferences(
    actor: User, user: User, enabled: Mapping[NotificationKind, bool]
) -> list[NotificationKind]:
    """Turn e-mail on or off per kind for ``user`` (themselves); the kinds that changed.

    In-app notifications stay whatever is chosen. Each change is audited.
    """
    if actor.id != user.id:
        raise PermissionError("people choose their own e-mails")
    current = email_preferences(user)
    changed = [
        kind for kind in NotificationKind if kind in enabled and enabled[kind] != current[kind]
    ]
    for kind in changed:
        preference = db.session.get(NotificationPreference, (user.id, kind))
        if preference is None:
            db.session.add(
                NotificationPreference(user_id=user.id, kind=kind, email_enabled=enabled[kind])
            )
        else:
            preference.email_enabled = enabled[kind]
    if changed:
        record(
            Action.NOTIFICATION_EMAILS_CHANGED,
            actor=actor,
            target=user,
            email_on=", ".join(k.value for k in changed if enabled[k]) or None,
            email_off=", ".join(k.value for k in changed if not enabled[k]) or None,
        )
    db.session.flush()
    return changed
