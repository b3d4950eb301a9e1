"""``flask notifications send-due``: round notices once per trainee, registered work, and
sending — run as often as cron likes, nothing twice."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portfolio.assessment.models import AssessmentStatus, Round, SelfAssessment
from portfolio.assessment.rounds import current_framework_version
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.notifications import Notification, NotificationKind, Recipient, notify
from portfolio.notifications import due as due_module
from portfolio.notifications.due import register_due
from portfolio.urls import absolute_url
from tests.factories import add_trainee, add_trainer, make_cohort, make_user
from tests.notifications.conftest import parts

DAY = date(2027, 3, 1)


@pytest.fixture
def cohort(framework_db):
    return make_cohort(name="Cohort Alpha")


def _round(cohort, title, opens, closes, **extra):
    round_ = Round(
        cohort=cohort,
        title=title,
        opens_on=DAY + timedelta(days=opens),
        closes_on=DAY + timedelta(days=closes),
        framework_version=current_framework_version(current_framework()),
        **extra,
    )
    db.session.add(round_)
    db.session.commit()
    return round_


def _send_due(runner, day=DAY):
    result = runner.invoke(args=["notifications", "send-due", "--today", day.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def _kinds(user):
    return sorted(
        db.session.scalars(select(Notification.kind).where(Notification.recipient_id == user.id))
    )


def test_a_round_that_opens_today_is_announced_once_to_each_trainee(app, runner, cohort, smtp):
    tess, nina = make_user(language="en"), make_user(language="nl")
    trainer = make_user()
    add_trainee(cohort, tess)
    add_trainee(cohort, nina)
    add_trainer(cohort, trainer)
    round_ = _round(cohort, "After module 1", 0, 20)

    first = _send_due(runner)
    second = _send_due(runner)

    assert first == (
        "send-due 2027-03-01: 2 round-opens, 0 round-closes-soon, 0 from features; "
        "mail: 2 sent, 0 failed, 0 given up."
    )
    assert second.startswith("send-due 2027-03-01: 0 round-opens, 0 round-closes-soon")
    assert "mail: 0 sent" in second
    assert len(smtp.inbox.messages) == 2
    assert _kinds(trainer) == []
    [to_nina] = smtp.inbox.to(nina.email)
    assert to_nina["Subject"] == "Ronde “After module 1” is open"
    text, html = parts(to_nina)
    assert "21 maart 2027" in text and "Cohort Alpha" in text
    assert f"http://localhost/rounds/{round_.id}" in text and f"/rounds/{round_.id}" in html


def test_a_missed_run_still_announces_within_two_days_but_not_before_the_first_run(
    app, runner, cohort
):
    trainee = make_user()
    add_trainee(cohort, trainee)
    _round(cohort, "Opened before the first run", -1, 10)
    _send_due(runner)  # the first run ever: that round opened yesterday, so it is not announced
    assert _kinds(trainee) == []

    _round(cohort, "Opens tomorrow", 11, 20)
    # Nobody ran it on the 12th (the opening day); the 13th still announces it.
    output = _send_due(runner, DAY + timedelta(days=13))
    assert "1 round-opens" in output
    assert _kinds(trainee) == [NotificationKind.ROUND_OPENS]


def test_a_round_that_opened_more_than_two_days_ago_is_not_announced(app, runner, cohort):
    trainee = make_user()
    add_trainee(cohort, trainee)
    _send_due(runner, DAY - timedelta(days=30))  # the feature has run for a month
    _round(cohort, "Long open", -3, 20)
    assert "0 round-opens" in _send_due(runner)


def test_trainees_who_have_not_handed_in_hear_three_days_before_the_round_closes(
    app, runner, cohort
):
    drafting, done, reopened, nothing_yet = (make_user() for _ in range(4))
    for person in (drafting, done, reopened, nothing_yet):
        add_trainee(cohort, person)
    round_ = _round(cohort, "Baseline", -10, 3)
    for person, status in (
        (drafting, AssessmentStatus.DRAFT),
        (done, AssessmentStatus.SUBMITTED),
        (reopened, AssessmentStatus.REOPENED),
    ):
        db.session.add(SelfAssessment(round=round_, trainee=person, status=status))
    db.session.commit()

    assert "0 round-closes-soon" in _send_due(runner, DAY - timedelta(days=1))  # 4 days before
    assert "3 round-closes-soon" in _send_due(runner)
    assert "0 round-closes-soon" in _send_due(runner, DAY + timedelta(days=1))
    assert _kinds(done) == []
    for person in (drafting, reopened, nothing_yet):
        assert _kinds(person) == [NotificationKind.ROUND_CLOSES_SOON]
    subject = db.session.scalars(
        select(Notification.subject).where(Notification.recipient_id == drafting.id)
    ).one()
    assert subject == "Round “Baseline” closes on 4 March 2027"


def test_rounds_closed_early_and_closed_accounts_are_left_out(app, runner, cohort):
    from portfolio.clock import utcnow

    closed_account = make_user(active=False)
    trainee = make_user()
    add_trainee(cohort, closed_account)
    add_trainee(cohort, trainee)
    _round(cohort, "Closed early", 0, 2, closed_at=utcnow())
    assert "0 round-opens, 0 round-closes-soon" in _send_due(runner)
    assert _kinds(trainee) == [] and _kinds(closed_account) == []


def test_features_add_their_own_due_work(app, runner, cohort, monkeypatch, smtp):
    monkeypatch.setattr(due_module, "_registered", [])
    person = make_user()
    seen: list[date] = []

    def remind(today: date) -> int:
        seen.append(today)
        made = notify(
            None,
            Recipient.of_user(person),
            NotificationKind.FEEDBACK_REMINDER,
            link=absolute_url("main.index"),
            context={"requester": "Tess", "round": "Baseline"},
            dedupe_key=f"feedback-reminder:1:{today.isoformat()}",
        )
        return int(made is not None)

    assert register_due(remind) is remind
    register_due(remind)  # twice is once
    assert "1 from features; mail: 1 sent" in _send_due(runner)
    assert "0 from features; mail: 0 sent" in _send_due(runner)
    assert seen == [DAY, DAY]
    assert len(smtp.inbox.messages) == 1


def test_without_a_mail_server_the_summary_says_so(app, runner, cohort):
    assert _send_due(runner).endswith("mail: not set up.")


def test_two_runs_at_once_notify_each_event_once(app, cohort):
    """Two processes that both found the event new: the unique key lets one of them in."""
    person = make_user()
    add_trainee(cohort, person)
    args = (
        None,
        Recipient.of_user(person),
        NotificationKind.WORK_REOPENED,
    )
    kwargs = {
        "link": absolute_url("main.index"),
        "context": {"round": "R", "trainer": "T", "reason": "why"},
        "dedupe_key": "race:1",
    }
    assert notify(*args, **kwargs) is not None
    db.session.commit()
    # The second process checked before the first committed; its insert meets the key.
    original = db.session.scalar
    calls = {"n": 0}

    def blind_scalar(statement, *a, **k):
        calls["n"] += 1
        if calls["n"] == 1:
            return None  # "not notified yet", as the other process saw it
        return original(statement, *a, **k)

    db.session.scalar = blind_scalar  # type: ignore[method-assign]
    try:
        assert notify(*args, **kwargs) is None
    finally:
        del db.session.scalar
    db.session.commit()
    assert db.session.scalar(select(func.count(Notification.id))) == 1
