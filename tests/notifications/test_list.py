"""The in-app list: each person sees their own, the unread count in the navigation, marking
read one at a time or all at once."""

from __future__ import annotations

import re

from sqlalchemy import event, select

from portfolio import policy
from portfolio.extensions import db
from portfolio.notifications import Notification, NotificationKind, Recipient, notify
from portfolio.notifications.queries import PER_PAGE
from portfolio.urls import absolute_url
from tests.factories import login, make_user


def _notify(user, round_title="Baseline"):
    made = notify(
        None,
        Recipient.of_user(user),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("main.dashboard"),
        context={"round": round_title, "trainer": "Tom Trainer", "reason": "Look again."},
    )
    db.session.commit()
    return made


def _nav_count(html: str) -> str | None:
    match = re.search(r'class="badge nav-count">(\d+\+?)<', html)
    return match.group(1) if match else None


def test_the_navigation_shows_the_unread_count_on_every_page(app, client):
    user = make_user(language="en")
    login(client, user)
    assert _nav_count(client.get("/dashboard").get_data(as_text=True)) is None
    _notify(user)
    _notify(user, "After module 1")
    for path in ("/dashboard", "/framework", "/account", "/notifications"):
        page = client.get(path).get_data(as_text=True)
        assert _nav_count(page) == "2", path
        assert '<span class="visually-hidden"> unread</span>' in page


def test_the_unread_count_costs_no_statement_of_its_own(app, client):
    user = make_user()
    login(client, user)
    _notify(user)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        page = client.get("/framework").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert _nav_count(page) == "1"
    notification_reads = [s for s in statements if "notifications" in s]
    assert len(notification_reads) == 1 and "FROM users" in notification_reads[0]


def test_the_list_links_each_entry_to_its_target_and_marks_read(app, client):
    user = make_user(language="nl")
    first, second = _notify(user, "Nulmeting"), _notify(user, "Na module 1")
    login(client, user)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Je werk in “Na module 1” is heropend" in page
    assert page.index("Na module 1") < page.index("Nulmeting")  # newest first
    assert 'href="http://localhost/dashboard"' in page
    assert "2 ongelezen" in page

    response = client.post(f"/notifications/{first.id}/read", data={"page": "1"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/notifications?page=1")
    db.session.expire_all()
    assert first.read_at is not None and second.read_at is None
    page = client.get("/notifications").get_data(as_text=True)
    assert _nav_count(page) == "1"

    response = client.post("/notifications/read")
    assert response.status_code == 303
    db.session.expire_all()
    assert second.read_at is not None
    page = client.get("/notifications").get_data(as_text=True)
    assert _nav_count(page) is None and "0 ongelezen" in page
    assert "Alles als gelezen markeren" not in page


def test_the_list_is_paged(app, client):
    user = make_user(language="en")
    for number in range(PER_PAGE + 2):
        _notify(user, f"Round {number:02d}")
    login(client, user)
    first = client.get("/notifications").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Round 26" in first and "Round 00" not in first
    second = client.get("/notifications?page=2").get_data(as_text=True)
    assert "Round 00" in second and "Round 01" in second and "Round 26" not in second
    assert _nav_count(client.get("/notifications?page=x").get_data(as_text=True)) == "27"


def test_nobody_sees_or_marks_anothers_notifications(app, client):
    owner, other, admin = make_user(), make_user(), make_user(admin=True)
    notification = _notify(owner, "Private round")
    for viewer in (other, admin):
        assert not policy.can_view_notification(viewer, notification)
        assert db.session.scalars(policy.visible_notifications(viewer)).all() == [], (
            "the list question agrees with the single check"
        )
    assert policy.can_view_notification(owner, notification)
    assert db.session.scalars(policy.visible_notifications(owner)).all() == [notification.id]

    for viewer in (other, admin):
        client.post("/sign-out")
        login(client, viewer)
        assert "Private round" not in client.get("/notifications").get_data(as_text=True)
        assert client.post(f"/notifications/{notification.id}/read").status_code == 404
        client.post("/notifications/read")
    db.session.expire_all()
    assert notification.read_at is None


def test_signed_out_visitors_are_sent_to_sign_in(app, client):
    assert client.get("/notifications").status_code == 302
    assert client.get("/account/notifications").status_code == 302


def test_an_external_recipient_has_no_list_entry(app, client):
    notify(
        None,
        Recipient(None, "someone@example.org", "Someone", "en"),
        NotificationKind.FEEDBACK_ANSWERED,
        link=absolute_url("main.index"),
        context={"round": "Baseline"},
    )
    db.session.commit()
    user = make_user(email="someone@example.org")
    login(client, user)
    assert "New feedback" not in client.get("/notifications").get_data(as_text=True)
    stored = db.session.scalars(select(Notification)).one()
    assert stored.recipient_id is None


def _statements(client, path):
    seen: list[str] = []

    def count(*_args):
        seen.append("x")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_list_takes_the_same_statements_for_3_and_60_notifications(app, client):
    few, many = make_user(), make_user()
    for _ in range(3):
        _notify(few)
    for _ in range(60):
        _notify(many)
    counts = []
    for user in (few, many):
        login(client, user)
        counts.append(_statements(client, "/notifications"))
        client.post("/sign-out")
    # The account with its unread count and whether to show "My evidence", one page of the list.
    assert counts == [2, 2]


def test_marking_read_and_choosing_emails_need_the_csrf_token(app, database_url):
    from portfolio.notifications.models import NotificationPreference
    from tests.factories import PASSWORD, csrf_token, extra_app

    user = make_user()
    notification = _notify(user)
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as csrf_app:
        client = csrf_app.test_client()
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
        client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        for path, data in (
            (f"/notifications/{notification.id}/read", {}),
            ("/notifications/read", {}),
            ("/account/notifications", {"work_reopened": "y"}),
        ):
            assert client.post(path, data=data).status_code == 400, path
        db.session.expire_all()
        assert notification.read_at is None
        assert db.session.scalars(select(NotificationPreference)).all() == []

        token = csrf_token(client.get("/notifications").get_data(as_text=True))
        response = client.post(f"/notifications/{notification.id}/read", data={"csrf_token": token})
        assert response.status_code == 303
        db.session.expire_all()
        assert notification.read_at is not None
