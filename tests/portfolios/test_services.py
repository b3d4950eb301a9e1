"""Writing, handing in and returning a portfolio through the services: every rule."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from portfolio.competencies import current_framework
from portfolio.portfolios import queries, services
from portfolio.portfolios.content import INTRODUCTION, Missing
from portfolio.portfolios.models import PortfolioSnapshot, PortfolioStatus
from portfolio.versioning import fingerprint
from tests.factories import add_trainee, make_cohort, make_user
from tests.portfolios.helpers import evidence, hand_in, keys, ready_portfolio, write

pytestmark = pytest.mark.usefixtures("framework_db")


def test_a_text_is_saved_and_a_stale_tab_gets_a_conflict_not_an_overwrite(db):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    assert write(trainee, cohort, INTRODUCTION, "First version").saved == [INTRODUCTION]
    stale = services.TextInput("From an old tab", 0, fingerprint(""))
    _portfolio, result = services.save_section(
        trainee, cohort, INTRODUCTION, stale, None, current_framework()
    )
    db.session.commit()
    assert [c.theirs for c in result.conflicts] == ["First version"]
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    assert queries.texts_of(portfolio.id)[INTRODUCTION].body == "First version"


def test_an_unknown_section_or_a_too_long_text_is_refused(db):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    data = services.TextInput("x", 0, fingerprint(""))
    with pytest.raises(services.PortfolioRefused) as refused:
        services.save_section(trainee, cohort, "no-such-part", data, None, current_framework())
    assert refused.value.reason == services.Refusal.UNKNOWN_SECTION
    long = services.TextInput("x" * 40001, 0, fingerprint(""))
    with pytest.raises(services.PortfolioRefused) as refused:
        services.save_section(trainee, cohort, INTRODUCTION, long, None, current_framework())
    assert refused.value.reason == services.Refusal.TOO_LONG


def test_evidence_numbers_stay_with_their_item_and_are_never_reused(db):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    first, second, third = (evidence(trainee, f"Item {n}") for n in (1, 2, 3))
    key = keys()[0]
    write(trainee, cohort, key, "text", [first.id, second.id])
    write(trainee, cohort, key, "text", [second.id])  # first unchosen: keeps E1
    write(trainee, cohort, keys()[1], "text", [third.id, first.id])
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    choices = {
        c.title: (c.number, c.chosen)
        for c in queries.evidence_choices(trainee.id, portfolio.id, key, [])
    }
    assert choices == {"Item 1": (1, False), "Item 2": (2, True), "Item 3": (3, False)}


def test_someone_elses_evidence_cannot_be_chosen(db):
    cohort = make_cohort()
    trainee, other = make_user(), make_user()
    add_trainee(cohort, trainee)
    foreign = evidence(other)
    with pytest.raises(services.PortfolioRefused) as refused:
        write(trainee, cohort, keys()[0], "text", [foreign.id])
    assert refused.value.reason == services.Refusal.FOREIGN_EVIDENCE


def test_the_readiness_check_names_what_is_missing(db):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    item = evidence(trainee)
    write(trainee, cohort, keys()[0], "Cites nothing.", [item.id])
    write(trainee, cohort, keys()[1], "Cites [E7], which is not there.", [])
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    with pytest.raises(services.PortfolioRefused) as refused:
        services.hand_in(trainee, portfolio, current_framework(), today=_today(), feedback_groups=2)
    found = {(p.kind, p.where) for p in refused.value.problems}
    assert (Missing.INTRODUCTION, "") in found
    assert (Missing.NO_CITATION, keys()[0]) in found
    assert (Missing.UNKNOWN_CITATION, keys()[1]) in found
    assert (Missing.JUSTIFICATION, keys()[2]) in found
    assert (Missing.FEEDBACK_BREADTH, "") in found
    assert db.session.scalar(select(PortfolioSnapshot.id)) is None


def _today():
    from portfolio.clock import today

    return today()


def test_hand_in_freezes_the_whole_portfolio_with_its_digest(db):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    assert snapshot.sha256 == hashlib.sha256(snapshot.content.encode()).hexdigest()
    content = json.loads(snapshot.content)
    assert content["number"] == 1 and content["trainee"]["name"] == "Noor Trainee"
    assert [c["key"] for c in content["competencies"]] == keys()
    assert all(c["evidence"] == [1] for c in content["competencies"])
    assert content["evidence"][0]["version_id"] is not None
    assert content["rounds"][0]["submission"]["sha256"]
    assert set(content["feedback_groups"]) == {"rater.colleague", "rater.observer"}
    assert ready.portfolio.status == PortfolioStatus.HANDED_IN
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "portfolio_handed_in"))
    assert event is not None and event.details["sha256"] == snapshot.sha256


def test_after_hand_in_nothing_changes_and_a_second_hand_in_is_refused(db):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    with pytest.raises(services.PortfolioRefused) as refused:
        write(ready.trainee, ready.cohort, INTRODUCTION, "Changed afterwards")
    assert refused.value.reason == services.Refusal.HANDED_IN
    with pytest.raises(services.PortfolioRefused):
        hand_in(ready)
    snapshot.content = "{}"
    with pytest.raises(ValueError, match="never changed"):
        db.session.flush()
    db.session.rollback()


def test_a_return_reopens_and_the_next_hand_in_is_a_new_snapshot_beside_the_old(db):
    ready = ready_portfolio()
    first = hand_in(ready)
    original = first.content
    with pytest.raises(services.PortfolioRefused) as refused:
        services.return_for_revision(ready.trainer, first, "   ")
    assert refused.value.reason == services.Refusal.NO_REASON
    services.return_for_revision(ready.trainer, first, "Cite more evidence for 3.")
    db.session.commit()
    assert ready.portfolio.status == PortfolioStatus.RETURNED
    with pytest.raises(services.PortfolioRefused) as refused:
        services.return_for_revision(ready.trainer, first, "again")
    assert refused.value.reason == services.Refusal.NOT_HANDED_IN
    db.session.rollback()
    write(ready.trainee, ready.cohort, INTRODUCTION, "A revised introduction.")
    second = hand_in(ready)
    assert second.number == 2 and second.sha256 != first.sha256
    db.session.expire_all()
    assert db.session.get(PortfolioSnapshot, first.id).content == original
    rows = queries.snapshots_of(ready.portfolio.id)
    assert [(r.number, r.return_reason) for r in rows] == [
        (2, ""),
        (1, "Cite more evidence for 3."),
    ]
    with pytest.raises(services.PortfolioRefused) as refused:
        services.return_for_revision(ready.trainer, first, "the old one")
    assert refused.value.reason == services.Refusal.NOT_LATEST


def test_trainers_hear_of_a_hand_in_and_the_trainee_of_a_return_in_their_language(db):
    from portfolio.notifications.models import Notification, NotificationKind

    ready = ready_portfolio()
    ready.trainee.language = "nl"
    db.session.commit()
    snapshot = hand_in(ready)
    told = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.PORTFOLIO_HANDED_IN)
    ).all()
    assert [n.recipient_id for n in told] == [ready.trainer.id]
    assert f"/portfolio-snapshots/{snapshot.id}" in told[0].link
    assert "Noor Trainee" in told[0].subject
    services.return_for_revision(ready.trainer, snapshot, "Meer bewijs bij 3, graag.")
    db.session.commit()
    back = db.session.scalar(
        select(Notification).where(Notification.kind == NotificationKind.PORTFOLIO_RETURNED)
    )
    assert back.recipient_id == ready.trainee.id
    assert "Meer bewijs bij 3, graag." in back.text
    assert "herzien" in back.subject
