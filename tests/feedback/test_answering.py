"""The rater's form: drafts, autosave, lost-update protection, bad input, and the dialogue."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portfolio.clock import utcnow
from portfolio.competencies.models import Competency
from portfolio.extensions import db
from portfolio.feedback.models import (
    FeedbackNarrative,
    FeedbackRating,
    FeedbackRequest,
    FeedbackResponse,
    RequestStatus,
)
from tests.factories import add_trainee, add_trainer, login, make_cohort, make_user
from tests.feedback.helpers import answer, ask, first_indicators
from tests.handing_in import open_round

pytestmark = pytest.mark.usefixtures("framework_db")


@pytest.fixture
def asked(db):
    cohort = make_cohort()
    trainee = make_user(name="Tamsin Trainee")
    add_trainee(cohort, trainee)
    round_ = open_round(cohort)
    request, token = ask(trainee, round_, name="Rhea Rater", keys=["innovation"])
    return trainee, round_, request, token


def _form(token_page: str) -> dict[str, str]:
    """The hidden fields of the rater's page, as the page wrote them."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', token_page))


def _competency(key: str = "innovation") -> Competency:
    found = db.session.scalar(select(Competency).where(Competency.key == key))
    assert found is not None
    return found


def test_autosave_saves_a_draft_that_the_trainee_cannot_see_until_sent(client, asked):
    trainee, round_, _request, token = asked
    page = client.get(f"/f/{token}/answer").get_data(as_text=True)
    fields = _form(page)
    indicator = first_indicators("innovation", 1)[0]
    comp = _competency()
    fields.update(
        {
            f"r-{indicator.id}-level": "3",
            f"n-{comp.id}-works": "DRAFT-WORDS",
            "action": "save",
            "_format": "json",
        }
    )
    saved = client.post(f"/f/{token}/answer", data=fields, headers={"X-Requested-With": "fetch"})
    assert saved.status_code == 200 and saved.json["status"] == "saved"
    assert f"r-{indicator.id}" in saved.json["versions"]
    viewer = client.application.test_client()
    login(viewer, trainee)
    assert "DRAFT-WORDS" not in viewer.get(f"/rounds/{round_.id}/feedback").get_data(as_text=True)

    fields.update({"action": "submit", "_format": ""})
    fields[f"r-{indicator.id}-v"], fields[f"r-{indicator.id}-h"] = map(
        str, saved.json["versions"][f"r-{indicator.id}"]
    )
    fields[f"n-{comp.id}-v"], fields[f"n-{comp.id}-h"] = map(
        str, saved.json["versions"][f"n-{comp.id}"]
    )
    sent = client.post(f"/f/{token}/answer", data=fields)
    assert sent.status_code == 303
    assert "DRAFT-WORDS" in viewer.get(f"/rounds/{round_.id}/feedback").get_data(as_text=True)
    again = client.post(f"/f/{token}/answer", data=fields)  # a double submit
    assert again.status_code == 200 and "Thank you" in again.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(FeedbackResponse.id))) == 1


def test_two_tabs_cannot_overwrite_each_other(client, asked):
    _trainee, _round, _request, token = asked
    page = client.get(f"/f/{token}/answer").get_data(as_text=True)
    comp = _competency()
    first, second = _form(page), _form(page)
    first.update({f"n-{comp.id}-works": "From tab one", "_format": "json"})
    second.update({f"n-{comp.id}-works": "From tab two", "_format": "json"})
    assert client.post(f"/f/{token}/answer", data=first).json["status"] == "saved"
    clash = client.post(f"/f/{token}/answer", data=second).json
    assert clash["status"] == "conflict"
    stored = db.session.scalar(select(FeedbackNarrative.works))
    assert stored == "From tab one"


def test_over_long_text_is_refused_with_a_message_and_kept_on_screen(client, asked):
    _trainee, _round, _request, token = asked
    fields = _form(client.get(f"/f/{token}/answer").get_data(as_text=True))
    comp = _competency()
    fields[f"n-{comp.id}-grow"] = "x" * 5001
    refused = client.post(f"/f/{token}/answer", data=fields)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "longer than 5,000 characters" in html or "longer than 5000 characters" in html
    assert "x" * 5001 in html  # nothing typed is lost
    assert db.session.scalar(select(FeedbackNarrative.id)) is None


def test_tampered_hidden_fields_save_nothing(client, asked):
    _trainee, _round, _request, token = asked
    fields = _form(client.get(f"/f/{token}/answer").get_data(as_text=True))
    indicator = first_indicators("innovation", 1)[0]
    fields[f"r-{indicator.id}-v"] = "not-a-number"
    fields[f"r-{indicator.id}-level"] = "2"
    assert client.post(f"/f/{token}/answer", data=fields).status_code == 400
    assert db.session.scalar(select(FeedbackRating.id)) is None


def test_the_link_cannot_be_widened_to_other_competencies_by_editing_the_form(client, asked):
    _trainee, _round, _request, token = asked
    other = first_indicators("knowledge", 1)[0]
    fields = _form(client.get(f"/f/{token}/answer").get_data(as_text=True))
    fields.update({f"r-{other.id}-v": "0", f"r-{other.id}-level": "4", "_format": "json"})
    client.post(f"/f/{token}/answer", data=fields)
    assert (
        db.session.scalar(select(FeedbackRating.id).where(FeedbackRating.indicator_id == other.id))
        is None
    )


def test_sending_nothing_is_refused(client, asked):
    _trainee, _round, _request, token = asked
    fields = _form(client.get(f"/f/{token}/answer").get_data(as_text=True))
    fields["action"] = "submit"
    refused = client.post(f"/f/{token}/answer", data=fields)
    assert refused.status_code == 400
    assert "nothing to send" in refused.get_data(as_text=True)


def test_an_answer_to_a_withdrawn_request_is_not_stored_and_the_rater_is_told(client, asked):
    trainee, _round, request, token = asked
    fields = _form(client.get(f"/f/{token}/answer").get_data(as_text=True))
    comp = _competency()
    fields[f"n-{comp.id}-works"] = "Too late"
    from portfolio.feedback import services

    services.withdraw(trainee, db.session.get(FeedbackRequest, request.id))
    db.session.commit()
    late = client.post(f"/f/{token}/answer", data=fields)
    assert late.status_code == 410 and "withdrawn" in late.get_data(as_text=True)
    assert db.session.scalar(select(FeedbackNarrative.id)) is None


def test_an_expired_link_gives_a_clear_page(client, asked):
    _trainee, _round, request, token = asked
    stored = db.session.get(FeedbackRequest, request.id)
    stored.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = client.get(f"/f/{token}")
    assert page.status_code == 410 and "run out" in page.get_data(as_text=True)
    assert "Rhea" not in page.get_data(as_text=True)


def test_a_reminder_carries_a_new_link_and_the_old_one_keeps_working(client, asked):
    trainee, _round, request, token = asked
    stored = db.session.get(FeedbackRequest, request.id)
    stored.created_at = utcnow() - timedelta(days=2)
    db.session.commit()
    login(client, trainee)
    sent = client.post(f"/feedback/requests/{request.id}/remind")
    assert sent.status_code == 200
    new = re.search(r'value="http://localhost/f/([^"]+)"', sent.get_data(as_text=True)).group(1)
    stranger = client.application.test_client()
    assert new != token
    assert stranger.get(f"/f/{token}").status_code == 200  # the earlier link keeps working
    assert stranger.get(f"/f/{new}").status_code == 200
    too_soon = client.post(f"/feedback/requests/{request.id}/remind", follow_redirects=True)
    assert "less than a day ago" in too_soon.get_data(as_text=True)


def test_asking_the_same_address_twice_asks_first(client, asked):
    trainee, round_, _request, _token = asked
    login(client, trainee)
    data = {
        "who": "other",
        "rater_name": "Rhea Rater",
        "rater_email": db.session.scalar(select(FeedbackRequest.rater_email)),
        "rater_group": "rater.colleague",
        "competencies": ["innovation"],
        "anonymous": "identified",
        "language": "en",
    }
    first = client.post(f"/rounds/{round_.id}/feedback/ask", data=data)
    assert first.status_code == 200 and "already asked this person" in first.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(FeedbackRequest.id))) == 1
    confirmed = client.post(
        f"/rounds/{round_.id}/feedback/ask", data={**data, "confirm_duplicate": "yes"}
    )
    assert "Request sent" in confirmed.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(FeedbackRequest.id))) == 2


def test_asking_oneself_is_refused(client, asked):
    trainee, round_, _request, _token = asked
    login(client, trainee)
    data = {
        "who": "other",
        "rater_name": "Me",
        "rater_email": trainee.email,
        "rater_group": "rater.colleague",
        "competencies": ["innovation"],
        "anonymous": "identified",
        "language": "en",
    }
    refused = client.post(f"/rounds/{round_.id}/feedback/ask", data=data)
    assert refused.status_code == 400 and "cannot ask yourself" in refused.get_data(as_text=True)


def test_the_dialogue_trainee_replies_and_the_rater_answers_once(client, asked):
    trainee, round_, request, token = asked
    answer(db.session.get(FeedbackRequest, request.id), works="Clear summary at the end")
    login(client, trainee)
    replied = client.post(
        f"/feedback/requests/{request.id}/reply",
        data={"takeaway": "I will keep summarising", "version": "0"},
    )
    assert replied.status_code == 303
    rater = client.application.test_client()
    page = rater.get(f"/f/{token}")
    assert page.status_code == 200 and "I will keep summarising" in page.get_data(as_text=True)
    assert rater.post(f"/f/{token}/reply", data={"body": "Glad it helps"}).status_code == 303
    again = rater.post(f"/f/{token}/reply", data={"body": "Twice"}, follow_redirects=True)
    assert "already answered" in again.get_data(as_text=True)
    own = client.get(f"/rounds/{round_.id}/feedback").get_data(as_text=True)
    assert "Glad it helps" in own and "Twice" not in own


def test_a_cohort_member_answers_signed_in_and_nobody_else_can(client, db):
    cohort = make_cohort()
    trainee, peer, outsider = make_user(), make_user(name="Pia Peer"), make_user()
    add_trainee(cohort, trainee)
    add_trainee(cohort, peer)
    trainer = make_user()
    add_trainer(cohort, trainer)
    round_ = open_round(cohort)
    request, _token = ask(trainee, round_, rater=peer, group="rater.fellow-trainee")
    login(client, peer)
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Feedback asked of you" in dashboard
    assert client.get(f"/feedback/asked/{request.id}/answer").status_code == 200
    for person in (outsider, trainer, trainee):
        other = client.application.test_client()
        login(other, person)
        assert other.get(f"/feedback/asked/{request.id}/answer").status_code == 404
    db.session.expire_all()
    assert db.session.get(FeedbackRequest, request.id).status == RequestStatus.OPENED


def test_feedback_given_becomes_evidence_and_anonymous_content_stays_out(client, db):
    from portfolio.evidence.models import EvidenceItem

    cohort = make_cohort()
    trainee, peer = make_user(name="Tamsin Trainee"), make_user(name="Pia Peer")
    add_trainee(cohort, trainee)
    add_trainee(cohort, peer)
    round_ = open_round(cohort)
    named, _t = ask(trainee, round_, rater=peer, group="rater.fellow-trainee")
    hidden, _t = ask(trainee, round_, rater=peer, group="rater.fellow-trainee", anonymous=True)
    answer(db.session.get(FeedbackRequest, named.id), works="NAMED-WORDS")
    answer(db.session.get(FeedbackRequest, hidden.id), works="ANONYMOUS-WORDS")
    login(client, peer)
    page = client.get("/feedback/given").get_data(as_text=True)
    assert "Add to my evidence" in page
    made = client.post(f"/feedback/given/{named.id}/evidence")
    assert made.status_code == 303 and "/evidence/" in made.headers["Location"]
    client.post(f"/feedback/given/{hidden.id}/evidence")
    items = db.session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)).all()
    assert [i.owner_id for i in items] == [peer.id, peer.id]
    assert "Tamsin Trainee" in items[0].title and "NAMED-WORDS" in items[0].description
    assert "Tamsin" not in items[1].title + items[1].description
    assert "ANONYMOUS-WORDS" not in items[1].description
    other = client.application.test_client()
    login(other, trainee)
    assert other.post(f"/feedback/given/{named.id}/evidence").status_code == 404


def test_an_empty_answer_to_the_reply_is_refused_with_a_message(client, asked):
    trainee, _round, request, token = asked
    answer(db.session.get(FeedbackRequest, request.id), works="Seen")
    from portfolio.feedback import services
    from portfolio.feedback.inputs import ReplyInput

    services.reply_to_answer(
        trainee, db.session.get(FeedbackRequest, request.id), ReplyInput("Thanks", "", "")
    )
    db.session.commit()
    refused = client.post(f"/f/{token}/reply", data={"body": ""}, follow_redirects=True)
    assert refused.status_code == 200 and "Write your answer" in refused.get_data(as_text=True)
