"""Formative review's pages as a trainee and trainers use them (test client), and who is
refused: the draft is read only once shared, only by the cohort's trainers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from portfolio.extensions import db
from portfolio.portfolios.content import INTRODUCTION
from portfolio.reviews.models import ReviewMessage, ReviewThread, ThreadStatus
from tests.factories import add_governance, add_trainee, add_trainer, login, make_cohort, make_user
from tests.portfolios.helpers import evidence, keys
from tests.reviews.helpers import comment, reflected_round, shared_draft

pytestmark = pytest.mark.usefixtures("framework_db")


def _threads() -> list[ReviewThread]:
    return list(db.session.scalars(select(ReviewThread).order_by(ReviewThread.id)))


def _draft_url(world) -> str:
    return f"/cohorts/{world.cohort.id}/trainees/{world.trainee.id}/portfolio-draft"


def test_a_trainee_shares_a_trainer_comments_and_both_follow_the_thread(app):
    world = shared_draft(share=False)
    trainee, trainer = app.test_client(), app.test_client()
    login(trainee, world.trainee)
    login(trainer, world.trainer)
    overview = f"/cohorts/{world.cohort.id}/portfolio"
    assert "Mijn concept delen met mijn trainers" in trainee.get(overview).get_data(as_text=True)
    assert trainer.get(_draft_url(world)).status_code == 404
    shared = trainee.post(f"/cohorts/{world.cohort.id}/portfolio/sharing", data={"share": "on"})
    assert shared.status_code == 303 and shared.headers["Location"].endswith(overview)

    listing = trainer.get(f"/cohorts/{world.cohort.id}/portfolios").get_data(as_text=True)
    assert _draft_url(world) in listing
    draft = trainer.get(_draft_url(world)).get_data(as_text=True)
    assert "I work in a neighbourhood team." in draft
    assert 'name="part" value="text:introduction"' in draft
    assert f'name="part" value="evidence:{world.item.id}"' in draft
    sent = trainer.post(
        f"{_draft_url(world)}/comments",
        data={"part": "text:introduction", "body": "Why did **these** goals matter?"},
    )
    (thread,) = _threads()
    assert sent.status_code == 303
    assert sent.headers["Location"].endswith(f"{_draft_url(world)}#thread-{thread.id}")
    assert "<strong>these</strong>" in trainer.get(_draft_url(world)).get_data(as_text=True)

    mine = trainee.get("/comments").get_data(as_text=True)
    assert "De inleiding van het eindportfolio" in mine and "<strong>these</strong>" in mine
    assert "1 opmerking over je werk staat open" in trainee.get(overview).get_data(as_text=True)
    edit = trainee.get(f"/cohorts/{world.cohort.id}/portfolio/introduction").get_data(as_text=True)
    assert f'id="thread-{thread.id}"' in edit
    answered = trainee.post(
        f"/review-threads/{thread.id}/answers",
        data={"body": "Our team had just started.", "next": "/comments"},
    )
    assert answered.headers["Location"].endswith(f"/comments#thread-{thread.id}")
    given = trainer.get("/comments").get_data(as_text=True)
    assert "1 of your comments is still open" in given and "answered" in given
    assert "Our team had just started." in given

    trainee.post(f"/review-threads/{thread.id}/status", data={"status": "handled"})
    db.session.expire_all()
    assert _threads()[0].status == ThreadStatus.HANDLED
    assert "Every comment you made is handled." in trainer.get("/comments").get_data(as_text=True)


def test_the_draft_is_hidden_from_everyone_but_the_cohorts_trainers_and_stays_so(app):
    world = shared_draft()
    other_trainer, governance, fellow = make_user(), make_user(), make_user()
    add_trainer(make_cohort(organisation=world.cohort.organisation), other_trainer)
    add_governance(world.cohort.organisation, governance)
    add_trainee(world.cohort, fellow)
    thread = comment(world)
    for person in (other_trainer, governance, fellow):
        client = app.test_client()
        login(client, person)
        assert client.get(_draft_url(world)).status_code == 404
        refused = client.post(
            f"{_draft_url(world)}/comments", data={"part": "text:introduction", "body": "Hi"}
        )
        assert refused.status_code == 404
        assert (
            client.post(f"/review-threads/{thread.id}/answers", data={"body": "Hi"}).status_code
            == 404
        )
        assert "Say more." not in client.get("/comments").get_data(as_text=True)
    assert len(_threads()) == 1
    assert db.session.scalar(select(func.count()).select_from(ReviewMessage)) == 1

    trainee = app.test_client()
    login(trainee, world.trainee)
    trainee.post(f"/cohorts/{world.cohort.id}/portfolio/sharing", data={"share": "off"})
    trainer = app.test_client()
    login(trainer, world.trainer)
    assert trainer.get(_draft_url(world)).status_code == 404
    assert "Say more." in trainer.get("/comments").get_data(as_text=True)


def test_the_other_trainer_of_the_cohort_answers_too(app):
    world = shared_draft()
    thread = comment(world)
    client = app.test_client()
    login(client, world.co_trainer)
    assert (
        client.post(
            f"/review-threads/{thread.id}/answers", data={"body": "And cite [E1]."}
        ).status_code
        == 303
    )
    assert db.session.scalar(select(func.count()).select_from(ReviewMessage)) == 2


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ({"part": "text:introduction", "body": "   "}, "Write your comment first"),
        ({"part": "text:introduction", "body": "Long " * 900}, "4,000 characters or fewer"),
        ({"part": "evidence:999999", "body": "About that item"}, "no longer in the work"),
        ({"part": "text:no-such-part", "body": "About that part"}, "no longer in the work"),
    ],
)
def test_a_refused_comment_comes_back_with_what_was_typed(app, data, says):
    world = shared_draft()
    client = app.test_client()
    login(client, world.trainer)
    response = client.post(
        f"{_draft_url(world)}/comments", data={**data, "next": _draft_url(world)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert says in page
    assert data["body"].strip()[:20] in page
    assert f'href="{_draft_url(world)}"' in page
    assert _threads() == []


def test_a_comment_on_evidence_not_in_the_draft_is_refused_even_if_it_is_the_trainees():
    # The library's other items are the trainee's own: the trainer never read them.
    world = shared_draft()
    loose = evidence(world.trainee, "Private notes")
    from portfolio.reviews import queries

    assert queries.evidence_target(world.portfolio, loose.id) is None


def test_trainers_comment_on_a_handed_in_reflection_and_the_trainee_reads_it_there(app):
    world = shared_draft()
    assessment = reflected_round(world.trainee, world.cohort)
    page = f"/rounds/{assessment.round_id}/trainees/{world.trainee.id}"
    trainer = app.test_client()
    login(trainer, world.trainer)
    shown = trainer.get(page).get_data(as_text=True)
    part = f"reflection:{assessment.id}:{keys()[0]}"
    assert "I let the silence be." in shown and f'name="part" value="{part}"' in shown
    # The part must name this self-assessment: another's id, or none, is refused.
    for wrong in (f"reflection:{assessment.id + 1}:{keys()[0]}", f"reflection:{keys()[0]}"):
        assert (
            trainer.post(f"{page}/comments", data={"part": wrong, "body": "Hm"}).status_code == 400
        )
    sent = trainer.post(f"{page}/comments", data={"part": part, "body": "What surprised you?"})
    assert sent.status_code == 303
    (thread,) = _threads()
    assert thread.self_assessment_id == assessment.id and thread.quote == "I let the silence be."

    trainee = app.test_client()
    login(trainee, world.trainee)
    assert "What surprised you?" in trainee.get(page).get_data(as_text=True)
    governance = make_user()
    add_governance(world.cohort.organisation, governance)
    watcher = app.test_client()
    login(watcher, governance)
    assert watcher.get(page).status_code == 200
    assert "What surprised you?" not in watcher.get(page).get_data(as_text=True)
    assert watcher.post(f"{page}/comments", data={"part": part, "body": "Hi"}).status_code == 403
    assert len(_threads()) == 1


def test_trainers_comment_on_evidence_a_round_was_handed_in_with(app):
    from portfolio.competencies.models import Indicator
    from tests.handing_in import answer_everything, hand_in, open_round

    world = shared_draft()
    item = evidence(world.trainee, title="Notes of the network meeting")
    # Linked to an indicator, the item is handed in with the round (as a frozen version).
    item.indicators.append(db.session.scalars(select(Indicator)).first())
    db.session.commit()
    round_ = open_round(world.cohort, "After module 2")
    assessment = answer_everything(round_, world.trainee)
    hand_in(assessment, world.trainee)
    loose = evidence(world.trainee, title="Not handed in")
    page = f"/rounds/{round_.id}/trainees/{world.trainee.id}"
    trainer = app.test_client()
    login(trainer, world.trainer)
    shown = trainer.get(page).get_data(as_text=True)
    assert "Notes of the network meeting" in shown
    assert f'name="part" value="evidence:{item.id}"' in shown
    # Only an item the hand-in holds: another item, or a made-up part, is refused.
    for wrong in (f"evidence:{loose.id}", f"evidence:{item.id}:x", "evidence:abc"):
        assert (
            trainer.post(f"{page}/comments", data={"part": wrong, "body": "Hm"}).status_code == 400
        )
    sent = trainer.post(
        f"{page}/comments", data={"part": f"evidence:{item.id}", "body": "Who was there?"}
    )
    assert sent.status_code == 303
    (thread,) = _threads()
    assert thread.evidence_item_id == item.id and thread.self_assessment_id == assessment.id
    assert thread.quote == "Notes of the network meeting"
    trainee = app.test_client()
    login(trainee, world.trainee)
    assert "Who was there?" in trainee.get(page).get_data(as_text=True)
    # In the trainer's list the comment leads back to the round it was made on.
    listed = trainer.get("/comments").get_data(as_text=True)
    assert f'href="{page}"' in listed


def test_status_and_redirects_take_only_what_the_page_wrote(app):
    world = shared_draft()
    thread = comment(world)
    client = app.test_client()
    login(client, world.trainee)
    assert (
        client.post(f"/review-threads/{thread.id}/status", data={"status": "closed"}).status_code
        == 400
    )
    away = client.post(
        f"/review-threads/{thread.id}/status",
        data={"status": "handled", "next": "https://evil.example/"},
    )
    assert away.status_code == 303
    assert away.headers["Location"].endswith(f"/comments#thread-{thread.id}")
    assert (
        client.post(
            f"/cohorts/{world.cohort.id}/portfolio/sharing", data={"share": "maybe"}
        ).status_code
        == 400
    )


def _statements(app, user, path: str) -> int:
    client = app.test_client()
    login(client, user)
    assert client.get(path).status_code == 200
    seen: list[int] = []

    def count(*_args):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_comment_lists_take_the_same_statements_for_two_and_twelve_threads(app):
    world = shared_draft()
    comment(world, INTRODUCTION, "First.")
    comment(world, keys()[0], "Second.")
    few = (
        _statements(app, world.trainee, "/comments"),
        _statements(app, world.trainer, "/comments"),
    )
    few_draft = _statements(app, world.trainer, _draft_url(world))
    for n in range(10):
        comment(world, keys()[n % len(keys())], f"More {n}.")
    many = (
        _statements(app, world.trainee, "/comments"),
        _statements(app, world.trainer, "/comments"),
    )
    assert few == many
    assert few_draft == _statements(app, world.trainer, _draft_url(world))
    assert re.search(r"\d", str(many))


def test_the_growth_page_counts_the_open_comments_its_reader_may_see(app):
    world = shared_draft()
    comment(world)
    comment(world, keys()[0], "Cite more.")
    trainee = app.test_client()
    login(trainee, world.trainee)
    page = trainee.get(f"/trainees/{world.trainee.id}/growth").get_data(as_text=True)
    assert "2 opmerkingen van trainers staan open" in page and 'href="/comments"' in page
    trainer = app.test_client()
    login(trainer, world.co_trainer)
    shown = trainer.get(f"/trainees/{world.trainee.id}/growth").get_data(as_text=True)
    assert "2 comments from trainers are open" in shown
