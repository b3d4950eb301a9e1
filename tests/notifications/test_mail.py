"""Notifications by e-mail through a real SMTP server: language, parts, link, preferences,
retries, and what people without an account get."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portfolio.assessment.models import Round
from portfolio.audit.models import AuditEvent
from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.notifications import (
    ContextError,
    EmailState,
    Notification,
    NotificationKind,
    Recipient,
    notify,
    send_pending,
)
from portfolio.notifications.sending import BACKOFF, MAX_ATTEMPTS
from portfolio.notifications.services import LinkRefused
from portfolio.urls import absolute_url
from tests.factories import add_trainee, add_trainer, finish, login, make_cohort, make_user
from tests.handing_in import hand_in_round
from tests.notifications.conftest import SmtpServer, free_port, parts

REOPENED = {"round": "After module 1", "trainer": "Tom Trainer", "reason": "Add the meeting."}


def _reopened(user, **context):
    return notify(
        None,
        Recipient.of_user(user),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("notifications.index"),
        context={**REOPENED, **context},
    )


@pytest.mark.parametrize(
    ("language", "subject", "body", "button"),
    [
        ("en", "Your work in “After module 1” was reopened", "Tom Trainer reopened", "Go to your"),
        ("nl", "Je werk in “After module 1” is heropend", "Tom Trainer heeft je", "Naar je"),
    ],
)
def test_the_mail_arrives_in_the_recipients_language_as_text_and_html(
    app, smtp: SmtpServer, language, subject, body, button
):
    user = make_user("tess@example.org", "Tess Trainee", language=language)
    notification = _reopened(user)
    db.session.commit()
    assert send_pending().sent == 1

    [message] = smtp.inbox.to("tess@example.org")
    assert message["Subject"] == subject
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    link = "http://localhost/notifications"
    assert link.startswith(app.config["BASE_URL"])
    for part in (text, html):
        assert body in part
        assert "Add the meeting." in part
        assert link in part
        assert "http://localhost/account/notifications" in part  # where to turn it off
    assert f'lang="{language}"' in html and button in html
    assert notification.email_state == EmailState.SENT and notification.sent_at is not None


def test_an_account_without_a_language_gets_the_default_language(app, smtp):
    user = make_user(language=None)
    _reopened(user)
    db.session.commit()
    send_pending()
    assert smtp.inbox.messages[0]["Subject"] == "Your work in “After module 1” was reopened"


def test_html_escapes_what_people_typed(app, smtp):
    user = make_user()
    _reopened(user, reason="<script>alert(1)</script> & more")
    db.session.commit()
    send_pending()
    text, html = parts(smtp.inbox.messages[0])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>alert(1)</script> & more" in text


#: Every kind ticked except "a round opens".
ALL_BUT_ROUND_OPENS = {
    "round_closes_soon": "y",
    "work_reopened": "y",
    "feedback_request": "y",
    "feedback_reminder": "y",
    "feedback_answered": "y",
    "feedback_reply": "y",
    "portfolio_handed_in": "y",
    "portfolio_returned": "y",
    "assessor_assigned": "y",
    "consensus_ready": "y",
    "assessment_referred": "y",
    "verdict_locked": "y",
    "draft_shared": "y",
    "review_comment": "y",
    "review_answer": "y",
    "review_handled": "y",
}


def test_turning_a_kind_off_stops_its_mail_but_not_the_others(app, client, smtp):
    user = make_user(language="en")
    login(client, user)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="round_opens"' in page and 'name="work_reopened"' in page
    response = client.post(
        "/account/notifications",
        data=ALL_BUT_ROUND_OPENS,
    )
    assert response.status_code == 303
    db.session.expire_all()

    context = {"round": "Baseline", "cohort": "Cohort A", "closes_on": date(2026, 12, 20)}
    opens = notify(
        None,
        Recipient.of_user(user),
        NotificationKind.ROUND_OPENS,
        link=absolute_url("notifications.index"),
        context=context,
    )
    reopened = _reopened(user)
    db.session.commit()
    send_pending()

    assert opens.email_state == EmailState.SKIPPED
    assert reopened.email_state == EmailState.SENT
    assert [m["Subject"] for m in smtp.inbox.messages] == [
        "Your work in “After module 1” was reopened"
    ]
    # The in-app entry is there either way.
    assert "Round “Baseline” is open" in client.get("/notifications").get_data(as_text=True)
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "notification_emails_changed")
    ).one()
    assert event.actor_id == user.id and event.details == {"email_off": "round-opens"}
    # Saving the same choices again changes nothing and records nothing.
    client.post("/account/notifications", data=ALL_BUT_ROUND_OPENS)
    assert (
        db.session.scalar(
            select(db.func.count(AuditEvent.id)).where(
                AuditEvent.action == "notification_emails_changed"
            )
        )
        == 1
    )


def test_the_page_offers_the_kinds_of_every_installed_feature(app, client):
    login(client, make_user())
    page = client.get("/account/notifications").get_data(as_text=True)
    assert 'name="feedback_request"' in page and 'name="round_opens"' in page


def test_a_mail_is_sent_once_the_request_that_made_it_has_answered(app, client, smtp, framework_db):
    cohort = make_cohort()
    trainee, trainer = make_user(language="nl"), make_user(name="Tom Trainer")
    add_trainee(cohort, trainee)
    add_trainer(cohort, trainer)
    hand_in_round(trainee, cohort, "Na module 1")
    round_id = db.session.scalars(select(Round.id)).one()
    login(client, trainer)

    response = client.post(
        f"/rounds/{round_id}/trainees/{trainee.id}/reopen", data={"reason": "Voeg het verslag toe."}
    )
    assert response.status_code == 303
    finish(response)

    [message] = smtp.inbox.to(trainee.email)
    assert message["Subject"] == "Je werk in “Na module 1” is heropend"
    text, _html = parts(message)
    assert "Tom Trainer" in text and "Voeg het verslag toe." in text
    assert f"http://localhost/rounds/{round_id}" in text
    stored = db.session.scalars(select(Notification)).one()
    assert stored.recipient_id == trainee.id and stored.email_state == EmailState.SENT


def test_a_failed_send_is_tried_again_after_the_wait(app):
    server = SmtpServer(free_port())  # not started: nobody listens on the port
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    user = make_user()
    notification = _reopened(user)
    db.session.commit()

    first = send_pending()
    assert (first.sent, first.failed) == (0, 1)
    db.session.refresh(notification)
    assert notification.email_state == EmailState.FAILED and notification.attempts == 1
    assert "cannot reach" in notification.last_error

    server.start()
    try:
        # Within the wait, nothing is tried again.
        assert send_pending().sent == 0
        assert server.inbox.messages == []
        later = utcnow() + BACKOFF[0] + timedelta(seconds=1)
        assert send_pending(now=later).sent == 1
        assert send_pending(now=later + timedelta(days=1)).sent == 0  # never twice
    finally:
        server.stop()
    db.session.refresh(notification)
    assert notification.email_state == EmailState.SENT and notification.attempts == 2
    assert len(server.inbox.messages) == 1


def test_sending_gives_up_after_the_last_try(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    notification = _reopened(make_user())
    db.session.commit()
    moment = utcnow()
    for _ in range(MAX_ATTEMPTS + 2):
        send_pending(now=moment)
        moment += timedelta(days=1)
    db.session.refresh(notification)
    assert notification.attempts == MAX_ATTEMPTS
    assert notification.email_state == EmailState.FAILED
    assert notification.next_attempt_at is None


def test_without_a_mail_server_the_mail_is_skipped_and_the_entry_kept(app, client):
    user = make_user()
    notification = _reopened(user)
    db.session.commit()
    assert notification.email_state == EmailState.SKIPPED
    assert send_pending().sent == 0
    login(client, user)
    assert "Your work in “After module 1” was reopened" in client.get("/notifications").get_data(
        as_text=True
    )


def test_someone_without_an_account_gets_the_mail_and_no_preferences_link(app, smtp):
    notification = notify(
        None,
        Recipient(None, "colleague@example.org", "Carla Colleague", "nl"),
        NotificationKind.FEEDBACK_REQUEST,
        link=absolute_url("main.index"),
        context={"requester": "Tess Trainee", "round": "Baseline", "due_on": date(2026, 12, 24)},
    )
    db.session.commit()
    send_pending()
    [message] = smtp.inbox.to("colleague@example.org")
    text, html = parts(message)
    assert message["Subject"] == "Tess Trainee vraagt om je feedback"
    assert "24 december 2026" in text and "Hallo Carla Colleague" in text
    assert "/account/notifications" not in text + html
    assert notification.recipient_id is None


def test_a_closed_account_gets_no_mail(app, smtp):
    notification = _reopened(make_user(active=False))
    db.session.commit()
    send_pending()
    assert notification.email_state == EmailState.SKIPPED and smtp.inbox.messages == []


def test_the_same_event_is_notified_once(app, smtp):
    user = make_user()
    key = "work-reopened:test:1"
    first = notify(
        None,
        Recipient.of_user(user),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("main.index"),
        context=REOPENED,
        dedupe_key=key,
    )
    second = notify(
        None,
        Recipient.of_user(user),
        NotificationKind.WORK_REOPENED,
        link=absolute_url("main.index"),
        context=REOPENED,
        dedupe_key=key,
    )
    db.session.commit()
    send_pending()
    assert first is not None and second is None
    assert len(smtp.inbox.messages) == 1


@pytest.mark.parametrize(
    ("context", "problem"),
    [
        ({"round": "R", "trainer": "T"}, "missing ['reason']"),
        ({**REOPENED, "rater": "Anonymous Person"}, "unknown ['rater']"),
        ({**REOPENED, "reason": ["not", "text"]}, "reason must be text"),
    ],
)
def test_a_context_that_does_not_fit_the_kind_is_refused(app, context, problem):
    with pytest.raises(ContextError, match=problem.replace("[", r"\[").replace("]", r"\]")):
        notify(
            None,
            Recipient.of_user(make_user()),
            NotificationKind.WORK_REOPENED,
            link=absolute_url("main.index"),
            context=context,
        )


def test_links_must_lead_into_the_application(app):
    with pytest.raises(LinkRefused):
        notify(
            None,
            Recipient.of_user(make_user()),
            NotificationKind.WORK_REOPENED,
            link="https://evil.example/phish",
            context=REOPENED,
        )


def test_a_broken_address_fails_that_mail_only(app, smtp):
    broken = notify(
        None,
        Recipient(None, "someone@example.org\nBcc: everyone@example.org", "X", "en"),
        NotificationKind.FEEDBACK_ANSWERED,
        link=absolute_url("main.index"),
        context={"round": "Base\nline"},
    )
    fine = _reopened(make_user())
    db.session.commit()
    report = send_pending()
    assert (report.sent, report.failed) == (1, 1)
    assert broken.subject == "New feedback on “Base line”"
    assert broken.email_state == EmailState.FAILED and fine.email_state == EmailState.SENT
    assert len(smtp.inbox.messages) == 1


def test_two_senders_never_take_the_same_mail(app, smtp):
    from portfolio.notifications.sending import _take

    notification = _reopened(make_user())
    db.session.commit()
    now = utcnow()
    assert _take(notification.id, 0, now) is True
    assert _take(notification.id, 0, now) is False  # the other sender saw attempts == 0 too
    # The row taken by a sender that then died is tried again once the wait is over.
    assert send_pending(now=now).sent == 0
    assert send_pending(now=now + BACKOFF[0] + timedelta(seconds=1)).sent == 1
    assert len(smtp.inbox.messages) == 1
