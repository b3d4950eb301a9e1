"""Asking for feedback, answering through the link, and reading it under the anonymity rule."""

from __future__ import annotations

import re

import pytest

from portfolio.extensions import db
from portfolio.feedback.models import FeedbackLink, FeedbackRequest, RequestStatus
from portfolio.tokens import hash_token
from tests.factories import add_trainee, add_trainer, login, make_cohort, make_user
from tests.feedback.helpers import answer, ask
from tests.handing_in import open_round

pytestmark = pytest.mark.usefixtures("framework_db")


@pytest.fixture
def setting(db):
    cohort = make_cohort()
    trainee = make_user(name="Tamsin Trainee")
    add_trainee(cohort, trainee)
    trainer = make_user(name="Tobias Trainer")
    add_trainer(cohort, trainer)
    peer = make_user(name="Pia Peer")
    add_trainee(cohort, peer)
    round_ = open_round(cohort)
    return cohort, trainee, trainer, peer, round_


def test_trainee_asks_an_external_person_and_the_link_opens_their_page(client, setting):
    _cohort, trainee, _trainer, _peer, round_ = setting
    login(client, trainee)
    page = client.get(f"/rounds/{round_.id}/feedback/ask")
    assert page.status_code == 200
    sent = client.post(
        f"/rounds/{round_.id}/feedback/ask",
        data={
            "who": "other",
            "rater_name": "Elsa External",
            "rater_email": "elsa@example.org",
            "rater_group": "rater.colleague",
            "competencies": ["innovation", "demand"],
            "anonymous": "identified",
            "language": "nl",
            "message": "Wil je kijken naar het overleg van dinsdag?",
        },
    )
    assert sent.status_code == 200, sent.get_data(as_text=True)
    html = sent.get_data(as_text=True)
    link = re.search(r'value="(http://localhost/f/[^"]+)"', html)
    assert link, "without SMTP the page shows the link to pass on"
    stored = FeedbackRequest.query.one()
    assert stored.competency_keys == ["innovation", "demand"]
    token = link.group(1).rsplit("/", 1)[1]
    links = FeedbackLink.query.all()
    assert [link.token_hash for link in links] == [hash_token(token)]
    assert all(token not in str(value) for value in vars(stored).values())

    stranger = client.application.test_client()
    landing = stranger.get(f"/f/{token}")
    assert landing.status_code == 200
    text = landing.get_data(as_text=True)
    assert "Tamsin Trainee" in text and 'lang="nl"' in text  # the link's language
    assert landing.headers["Referrer-Policy"] == "no-referrer"
    db.session.expire_all()
    assert FeedbackRequest.query.one().status == RequestStatus.OPENED
    form = stranger.get(f"/f/{token}/answer")
    assert form.status_code == 200


def test_mangled_expired_withdrawn_and_declined_links_say_so_with_no_data(client, setting):
    _cohort, trainee, _trainer, _peer, round_ = setting
    assert client.get("/f/not-a-real-token").status_code == 404
    request, token = ask(trainee, round_, name="Wanda Withdrawn")
    login(client, trainee)
    assert client.post(f"/feedback/requests/{request.id}/withdraw").status_code == 303
    gone = client.application.test_client().get(f"/f/{token}")
    assert gone.status_code == 410
    assert "withdrawn" in gone.get_data(as_text=True)

    declined, token2 = ask(trainee, round_, name="Dirk Decliner")
    other = client.application.test_client()
    assert other.post(f"/f/{token2}/decline", data={"reason": "Te druk"}).status_code == 303
    assert other.get(f"/f/{token2}").status_code == 410
    db.session.expire_all()
    assert db.session.get(FeedbackRequest, declined.id).status == RequestStatus.DECLINED
    assert other.get(f"/f/{token2}/answer").status_code == 410


def test_identified_feedback_is_shown_at_once_anonymous_only_from_three(client, setting):
    _cohort, trainee, trainer, _peer, round_ = setting
    named, _t = ask(trainee, round_, name="Nina Named")
    answer(named, works="IDENTIFIED-TEXT-ONE")
    anon = [ask(trainee, round_, name=f"Anon {i}", anonymous=True)[0] for i in range(3)]
    answer(anon[0], works="ANON-SECRET-A")
    answer(anon[1], works="ANON-SECRET-B")
    login(client, trainee)
    page = client.get(f"/rounds/{round_.id}/feedback").get_data(as_text=True)
    assert "IDENTIFIED-TEXT-ONE" in page and "Nina Named" in page
    assert "ANON-SECRET" not in page
    assert "1 more answer is needed" in page
    answer(anon[2], works="ANON-SECRET-C")
    page = client.get(f"/rounds/{round_.id}/feedback").get_data(as_text=True)
    assert page.index("ANON-SECRET-A") < page.index("ANON-SECRET-B") < page.index("ANON-SECRET-C")
    assert "Anon 0" not in page.split("What came back")[1].split("Your requests")[0]

    client = client.application.test_client()
    login(client, trainer)
    seen = client.get(f"/rounds/{round_.id}/feedback/trainees/{trainee.id}")
    assert seen.status_code == 200
    assert "ANON-SECRET-B" in seen.get_data(as_text=True)
    cohort_page = client.get(f"/rounds/{round_.id}/feedback/cohort")
    assert cohort_page.status_code == 200 and "Tamsin Trainee" in cohort_page.get_data(as_text=True)


def test_the_link_opens_in_the_language_chosen_for_the_rater_who_can_switch(client, setting):
    _cohort, trainee, _trainer, _peer, round_ = setting
    _request, token = ask(trainee, round_, name="Nora Nederlands", language="nl")
    page = client.get(f"/f/{token}", headers={"Accept-Language": "en"})
    assert 'lang="nl"' in page.get_data(as_text=True)
    client.set_cookie("lang", "en")
    switched = client.get(f"/f/{token}")
    assert 'lang="en"' in switched.get_data(as_text=True)
