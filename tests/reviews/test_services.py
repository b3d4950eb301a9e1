"""Formative review's services: sharing, comments, answers, status, and whom each tells."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from portfolio.assessment.models import Reflection
from portfolio.audit.models import AuditEvent
from portfolio.cohorts.models import CohortMembership
from portfolio.competencies import current_framework
from portfolio.extensions import db
from portfolio.notifications.models import Notification, NotificationKind
from portfolio.notifications.sending import send_pending
from portfolio.portfolios.content import INTRODUCTION
from portfolio.reviews import queries, services
from portfolio.reviews.models import ReviewMessage, ReviewThread, ThreadStatus
from portfolio.reviews.services import Refusal, ReviewRefused
from tests.notifications.conftest import parts
from tests.portfolios.helpers import evidence, keys
from tests.reviews.helpers import comment, reflected_round, shared_draft

pytestmark = pytest.mark.usefixtures("framework_db")


def _notes(kind: NotificationKind) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification).where(Notification.kind == kind).order_by(Notification.id)
        )
    )


def _actions(action: str) -> int:
    return int(db.session.scalar(select(func.count()).where(AuditEvent.action == action)) or 0)


def test_sharing_tells_each_trainer_once_and_stopping_hides_it_again():
    world = shared_draft()
    assert world.portfolio.shared_at is not None
    again = services.share_draft(world.trainee, world.cohort, True)
    db.session.commit()
    assert again.shared_at == world.portfolio.shared_at
    told = _notes(NotificationKind.DRAFT_SHARED)
    assert sorted(n.recipient_id for n in told) == sorted([world.trainer.id, world.co_trainer.id])
    assert "/portfolio-draft" in told[0].link
    assert _actions("draft_shared") == 1
    stopped = services.share_draft(world.trainee, world.cohort, False)
    db.session.commit()
    assert stopped.shared_at is None and _actions("draft_unshared") == 1


def test_a_comment_keeps_the_words_read_and_tells_the_trainee_in_their_language():
    world = shared_draft()
    thread = comment(world, body="Why did these goals matter?")
    assert thread.status == ThreadStatus.OPEN
    assert thread.quote == "I work in a neighbourhood team." and thread.quote_version == 1
    assert [m.body for m in db.session.scalars(select(ReviewMessage))] == [
        "Why did these goals matter?"
    ]
    (told,) = _notes(NotificationKind.REVIEW_COMMENT)
    assert told.recipient_id == world.trainee.id
    assert (
        told.subject == "Ruben Trainer maakte een opmerking over de inleiding van het eindportfolio"
    )
    assert told.link.endswith(f"/comments#thread-{thread.id}")
    assert _actions("review_commented") == 1


def test_the_same_comment_sent_twice_is_one_thread():
    world = shared_draft()
    first = comment(world, body="Say more.")
    second = comment(world, body="Say more.")
    assert first.id == second.id
    assert db.session.scalar(select(func.count()).select_from(ReviewThread)) == 1
    assert len(_notes(NotificationKind.REVIEW_COMMENT)) == 1


def test_answers_reach_the_other_side_and_an_answer_opens_a_handled_thread():
    world = shared_draft()
    thread = comment(world)
    names = queries.names_of(thread, current_framework())
    services.answer(world.trainee, thread, names, "I added a paragraph.")
    db.session.commit()
    (answered,) = _notes(NotificationKind.REVIEW_ANSWER)
    assert answered.recipient_id == world.trainer.id
    assert answered.subject == "Lotte Trainee answered on the introduction of the final portfolio"

    assert services.set_handled(world.trainee, thread, names, True) is True
    db.session.commit()
    assert services.set_handled(world.trainee, thread, names, True) is False
    db.session.commit()
    (handled,) = _notes(NotificationKind.REVIEW_HANDLED)
    assert handled.recipient_id == world.trainer.id
    assert thread.status == ThreadStatus.HANDLED and thread.handled_by_id == world.trainee.id

    services.answer(world.co_trainer, thread, names, "One more thing: cite [E1].")
    db.session.commit()
    assert thread.status == ThreadStatus.OPEN and thread.handled_at is None
    to_trainee = [
        n for n in _notes(NotificationKind.REVIEW_ANSWER) if n.recipient_id == world.trainee.id
    ]
    assert len(to_trainee) == 1 and "Ilse Trainer" in to_trainee[0].subject
    assert _actions("review_answered") == 2 and _actions("review_handled") == 1


def test_a_trainer_who_left_the_cohort_is_not_told():
    world = shared_draft()
    thread = comment(world)
    db.session.execute(delete(CohortMembership).where(CohortMembership.user_id == world.trainer.id))
    db.session.commit()
    names = queries.names_of(thread, current_framework())
    services.answer(world.trainee, thread, names, "Done.")
    services.set_handled(world.trainee, thread, names, True)
    db.session.commit()
    assert _notes(NotificationKind.REVIEW_ANSWER) == []
    assert _notes(NotificationKind.REVIEW_HANDLED) == []


@pytest.mark.parametrize(
    ("text", "reason"), [("   \n ", Refusal.EMPTY), ("x" * 4001, Refusal.TOO_LONG)]
)
def test_empty_and_overlong_messages_are_refused_and_nothing_is_stored(text, reason):
    world = shared_draft()
    target = queries.text_target(world.portfolio, INTRODUCTION, current_framework())
    assert target is not None
    with pytest.raises(ReviewRefused) as refused:
        services.open_thread(world.trainer, target, text)
    assert refused.value.reason == reason
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(ReviewThread)) == 0


def test_a_reflection_is_quoted_as_handed_in_not_as_changed_since():
    world = shared_draft()
    assessment = reflected_round(world.trainee, world.cohort, "I let the silence be.")
    reflection = db.session.scalar(select(Reflection))
    assert reflection is not None
    reflection.body = "Changed after the hand-in."
    db.session.commit()
    target = queries.reflection_target(assessment, keys()[0], current_framework())
    assert target is not None and target.quote == "I let the silence be."
    assert queries.reflection_target(assessment, "no-such-competency", current_framework()) is None


def test_only_evidence_chosen_in_the_draft_can_be_commented_on():
    world = shared_draft()
    loose = evidence(world.trainee, "Not chosen")
    assert queries.evidence_target(world.portfolio, world.item.id) is not None
    assert queries.evidence_target(world.portfolio, loose.id) is None


def test_the_comment_mail_arrives_in_dutch_with_a_link_to_the_thread(smtp):
    world = shared_draft()
    thread = comment(world, body="Waarom waren deze doelen **belangrijk**?")
    send_pending()
    (mail,) = smtp.inbox.to(world.trainee.email)
    text, html = parts(mail)
    assert "Ruben Trainer maakte een opmerking over de inleiding van het eindportfolio" in text
    assert "Waarom waren deze doelen" in text and f"/comments#thread-{thread.id}" in text
    assert "Lezen en antwoorden" in html
