"""Feedback e-mails arrive at a real SMTP server, in the recipient's language, with links
built on BASE_URL that open the right page; nothing in them names an anonymous rater."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.feedback import services
from portfolio.feedback.inputs import ReplyInput
from portfolio.feedback.models import FeedbackRequest
from portfolio.notifications import send_pending
from tests.factories import add_trainee, login, make_cohort, make_user
from tests.feedback.helpers import answer, ask
from tests.handing_in import open_round
from tests.notifications.conftest import parts

pytestmark = pytest.mark.usefixtures("framework_db")


def _link(body: str) -> str:
    found = re.search(r"(http://localhost/\S+)", body)
    assert found, body
    return found.group(1)


@pytest.fixture
def trainee_round(db):
    cohort = make_cohort()
    trainee = make_user(name="Tamsin Trainee", language="en")
    add_trainee(cohort, trainee)
    return trainee, open_round(cohort, "Ronde twee")


def test_request_reminder_and_reply_reach_an_external_rater_in_their_language(
    app, client, smtp, trainee_round
):
    trainee, round_ = trainee_round
    request, _token = ask(
        trainee,
        round_,
        name="Elsa Extern",
        email="elsa@example.org",
        language="nl",
        message="Kijk je naar dinsdag?",
    )
    send_pending()
    (first,) = smtp.inbox.messages
    assert first["To"] == "elsa@example.org"
    assert first["Subject"] == "Tamsin Trainee vraagt om je feedback"
    text, html = parts(first)
    assert "Kijk je naar dinsdag?" in text and "met je naam" in text
    link = _link(text)
    assert link.startswith("http://localhost/f/") and link in html
    assert client.get(link.removeprefix("http://localhost")).status_code == 200

    stored = db.session.get(FeedbackRequest, request.id)
    stored.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    services.remind(trainee, stored, app.extensions["framework"])
    db.session.commit()
    send_pending()
    reminder = smtp.inbox.messages[1]
    assert reminder["Subject"].startswith("Herinnering")
    second = _link(parts(reminder)[0])
    assert second != link
    assert client.get(second.removeprefix("http://localhost")).status_code == 200

    answer(db.session.get(FeedbackRequest, request.id), works="Heldere samenvatting")
    services.reply_to_answer(
        trainee, db.session.get(FeedbackRequest, request.id), ReplyInput("Dank je", "", "")
    )
    db.session.commit()
    send_pending()
    to_rater = [m for m in smtp.inbox.messages if m["To"] == "elsa@example.org"][-1]
    reply_link = _link(parts(to_rater)[0])
    page = client.get(reply_link.removeprefix("http://localhost"))
    assert page.status_code == 200 and "Dank je" in page.get_data(as_text=True)


def test_the_trainee_hears_of_an_anonymous_answer_without_who_or_what(
    app, client, smtp, trainee_round
):
    trainee, round_ = trainee_round
    request, _token = ask(
        trainee, round_, name="Secret Sam", email="sam@example.org", anonymous=True
    )
    answer(db.session.get(FeedbackRequest, request.id), works="SAM-SAYS-THIS")
    send_pending()
    to_trainee = [m for m in smtp.inbox.messages if m["To"] == trainee.email]
    assert len(to_trainee) == 1
    text, html = parts(to_trainee[0])
    for body in (text, html, to_trainee[0]["Subject"]):
        assert "Sam" not in body and "SAM-SAYS-THIS" not in body
    request_mail = next(m for m in smtp.inbox.messages if m["To"] == "sam@example.org")
    assert "anonymous" in parts(request_mail)[0]
    login(client, trainee)
    listed = client.get("/notifications").get_data(as_text=True)
    assert "Ronde twee" in listed and "SAM-SAYS-THIS" not in listed
