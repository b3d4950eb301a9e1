"""Notifications, one module for the whole application: an in-app list with an unread count,
and e-mail over SMTP when a server is configured.

How a feature notifies someone::

    from portfolio.notifications import NotificationKind, Recipient, notify
    from portfolio.urls import absolute_url

    notify(
        actor,                                    # who caused it (User), or None
        Recipient.of_user(trainee),               # or Recipient(None, email, name, "nl")
        NotificationKind.WORK_REOPENED,
        link=absolute_url("assessment.overview", round_id=round_.id),
        context={"round": round_.title, "trainer": actor.name, "reason": reason},
        dedupe_key=None,                          # e.g. f"round-opens:{round_id}:{user_id}"
    )
    db.session.commit()                           # the e-mail goes out after the commit

- ``context`` holds plain values only (text, numbers, dates); which keys each kind needs and
  may have is ``mails.SPECS`` (documented in docs/notifications.md). A missing or unknown
  key raises ``ContextError``. Never put into it what the anonymity rule hides (the name of
  an anonymous rater): it would be in the e-mail.
- The subject and both bodies are rendered from ``templates/notifications/mail/<kind>.txt``
  and ``.html`` inside ``force_locale(recipient.language)`` and stored with the row; the
  in-app list shows the subject again in the reader's language, from the stored context.
- A ``dedupe_key`` makes the event happen once: a second ``notify`` with it returns None.
- Nothing is sent inside ``notify``. In a request the notifications blueprint hands the
  committed ones to ``portfolio.deferred`` to send once the answer went out; elsewhere call
  ``sending.send_pending()`` after the commit; ``flask notifications send-due`` sends what
  is left and retries failed sends (``sending.MAX_ATTEMPTS``, waits in ``sending.BACKOFF``).
- People turn e-mail off per kind (``/account/notifications``); their in-app entries stay.
  Someone without an account always gets the e-mail (it carries the link to decline).
- Calendar work (reminders) registers with ``register_due(fn)``: ``fn(today) -> int`` runs
  on every ``send-due`` and must use dedupe keys, as the built-in round notices do.
"""

from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from portfolio.notifications.due import register_due
from portfolio.notifications.mails import ContextError
from portfolio.notifications.models import EmailState, Notification, NotificationKind
from portfolio.notifications.sending import send_pending
from portfolio.notifications.services import Recipient, notify, watch_sessions

__all__ = [
    "ContextError",
    "EmailState",
    "Notification",
    "NotificationKind",
    "Recipient",
    "init_app",
    "notify",
    "register_due",
    "send_pending",
]


def unread_notifications() -> int:
    """The signed-in person's unread count, for the navigation (template global).

    Loading the account already read it (one statement for both); only when the account
    came from elsewhere is it read on its own.
    """
    if not current_user.is_authenticated:
        return 0
    count = g.get("unread_notifications")  # read with the account (accounts.views.load_user)
    if count is None:
        from portfolio.notifications.queries import unread_count

        count = unread_count(current_user)
        g.unread_notifications = count
    return int(count)


def init_app(app: Flask) -> None:
    """The unread count for templates, and the watch on commits that sends after them."""
    app.jinja_env.globals["unread_notifications"] = unread_notifications
    watch_sessions()
