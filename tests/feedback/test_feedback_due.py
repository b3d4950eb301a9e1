"""``flask notifications send-due`` reminds waiting raters once and erases old contacts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portfolio.clock import utcnow
from portfolio.extensions import db
from portfolio.feedback.models import FeedbackRequest
from tests.factories import add_trainee, make_cohort, make_user
from tests.feedback.helpers import ask
from tests.handing_in import open_round

pytestmark = pytest.mark.usefixtures("framework_db")


def test_a_waiting_request_is_reminded_once_and_old_contacts_are_erased(app, runner, smtp):
    cohort = make_cohort()
    trainee = make_user(name="Tamsin Trainee")
    add_trainee(cohort, trainee)
    round_ = open_round(cohort)
    waiting, _t = ask(trainee, round_, name="Wim Waiting", email="wim@example.org")
    fresh, _t = ask(trainee, round_, name="Fay Fresh", email="fay@example.org")
    old, _t = ask(trainee, round_, name="Olaf Old", email="olaf@example.org")
    rows = {r.id: r for r in db.session.scalars(db.select(FeedbackRequest))}
    rows[waiting.id].created_at = utcnow() - timedelta(days=8)
    rows[old.id].expires_at = utcnow() - timedelta(days=400)
    db.session.commit()
    smtp.inbox.messages.clear()

    for _ in range(2):  # a second run finds nothing new
        result = runner.invoke(args=["notifications", "send-due"])
        assert result.exit_code == 0, result.output
    reminders = [m for m in smtp.inbox.messages if m["Subject"].startswith("Reminder")]
    assert [m["To"] for m in reminders] == ["wim@example.org"]
    db.session.expire_all()
    erased = db.session.get(FeedbackRequest, old.id)
    assert erased.rater_name == "" and "olaf" not in erased.rater_email
    assert db.session.get(FeedbackRequest, fresh.id).rater_name == "Fay Fresh"
