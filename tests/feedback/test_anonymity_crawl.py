"""No page, fragment or JSON answer carries an anonymous answer the rule does not show.

Distinctive text is planted in every part of anonymous answers that must stay hidden: a
group below the threshold, and the answer that waits for the next step of k in a group
that is shown. Then every GET route of the application is fetched as every role (as HTML
and as JSON), and no response may contain any planted text.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from portfolio.extensions import db
from portfolio.feedback.models import FeedbackResponse
from tests.factories import login
from tests.feedback.helpers import answer, ask
from tests.security.test_route_sweep import ROLES, _methods, _url, build_world

pytestmark = pytest.mark.usefixtures("framework_db")

OWN_LISTS = {"feedback.round_feedback", "feedback.trainee_feedback"}
PLANTED = [f"PLANTED-SECRET-{n}" for n in range(8)]


def _plant(world) -> None:
    trainee = world.users["trainee"]
    round_ = world.extra["round_open"]
    # Two anonymous colleagues: below k = 3, and no other small group to fold with.
    for n in range(2):
        request, _t = ask(
            trainee, round_, name=f"Quiet {n}", anonymous=True, group="rater.colleague"
        )
        answer(
            request,
            works=PLANTED[3 * n],
            grow=PLANTED[3 * n + 1],
            question=PLANTED[3 * n + 2],
            level=1,
        )
    # A fourth observer: the observer summary (three answers) is shown, this one waits.
    request, _t = ask(trainee, round_, name="Late Observer", anonymous=True, group="rater.observer")
    answer(request, works=PLANTED[6], grow=PLANTED[7], level=4)
    response = db.session.scalar(
        select(FeedbackResponse).where(FeedbackResponse.request_id == request.id)
    )
    response.sector_other = "PLANTED-SECRET-SECTOR"
    db.session.commit()


def test_no_route_shows_an_anonymous_answer_the_rule_hides(app: Flask, tmp_path) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    world = build_world()
    _plant(world)
    secrets = [*PLANTED, "PLANTED-SECRET-SECTOR", "Quiet 0", "Quiet 1", "Late Observer"]
    endpoints = sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in _methods(app, rule.endpoint) and rule.endpoint != "static"
    )
    fetched = 0
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, world.users[role])
        for endpoint in endpoints:
            url = _url(app, endpoint, world)
            for accept in ("text/html", "application/json"):
                response = client.get(url, headers={"Accept": accept})
                body = response.get_data(as_text=True)
                response.close()  # downloads hold their file open until closed
                fetched += 1
                leaks = [s for s in secrets if s in body]
                # The trainee's own request list names whom they asked (they typed the
                # names themselves); it never pairs a name with an answer.
                if role == "trainee" and endpoint in OWN_LISTS:
                    leaks = [s for s in leaks if s.startswith("PLANTED")]
                assert not leaks, f"GET {url} ({accept}) as {role} shows {leaks}"
    assert fetched > 100
    # The shown summary is really there, so the crawl looked at a page with feedback on it.
    trainee = app.test_client()
    login(trainee, world.users["trainee"])
    own = trainee.get(_url(app, "feedback.round_feedback", world)).get_data(as_text=True)
    assert "Observed 0" in own and "Observed 2" in own
