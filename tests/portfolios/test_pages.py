"""The final portfolio's pages as a trainee and a trainer use them (test client)."""

from __future__ import annotations

import re

import pytest

from portfolio.extensions import db
from portfolio.portfolios import queries
from portfolio.portfolios.content import INTRODUCTION
from portfolio.portfolios.models import PortfolioStatus
from portfolio.versioning import fingerprint
from tests.factories import add_trainee, login, make_cohort, make_user
from tests.portfolios.helpers import evidence, hand_in, keys, ready_portfolio

pytestmark = pytest.mark.usefixtures("framework_db")


def _form(html: str) -> dict[str, str]:
    version = re.search(r'name="version"[^>]*value="(\d+)"', html)
    print_ = re.search(r'name="fingerprint"[^>]*value="([0-9a-f]*)"', html)
    assert version and print_, "the page must carry the version and fingerprint it was based on"
    return {"version": version.group(1), "fingerprint": print_.group(1)}


def test_a_trainee_writes_previews_and_hands_in_with_the_digest_on_the_page(client):
    ready = ready_portfolio()
    login(client, ready.trainee)
    start = client.get("/portfolio")
    assert start.status_code == 302
    assert start.headers["Location"].endswith(f"/cohorts/{ready.cohort.id}/portfolio")
    page = client.get(f"/cohorts/{ready.cohort.id}/portfolio").get_data(as_text=True)
    assert "Hand in my portfolio" in page
    key = keys()[0]
    url = f"/cohorts/{ready.cohort.id}/portfolio/competencies/{key}"
    edit = client.get(url).get_data(as_text=True)
    saved = client.post(
        url,
        data={
            "text": "A **new** argument citing [E1].",
            "evidence": str(ready.item.id),
            **_form(edit),
        },
    )
    assert saved.status_code == 303
    preview = client.get(f"/cohorts/{ready.cohort.id}/portfolio/preview").get_data(as_text=True)
    assert "<strong>new</strong>" in preview
    assert 'href="#evidence-1"' in preview and 'id="evidence-1"' in preview
    handed = client.post(f"/cohorts/{ready.cohort.id}/portfolio/hand-in")
    assert handed.status_code == 303
    snapshot_page = client.get(handed.headers["Location"]).get_data(as_text=True)
    snapshot = queries.snapshots_of(ready.portfolio.id)[0]
    assert snapshot.sha256 in snapshot_page
    assert "Noor Trainee" in snapshot_page


def test_a_stale_tab_gets_both_versions_and_loses_nothing(client):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    login(client, trainee)
    url = f"/cohorts/{cohort.id}/portfolio/introduction"
    first_tab = _form(client.get(url).get_data(as_text=True))
    assert client.post(url, data={"text": "From the phone", **first_tab}).status_code == 303
    stale = client.post(url, data={"text": "From the laptop", **first_tab})
    assert stale.status_code == 409
    body = stale.get_data(as_text=True)
    assert "From the phone" in body and "From the laptop" in body
    again = client.post(url, data={"text": "From the laptop", **_form(body)})
    assert again.status_code == 303
    portfolio = queries.find_portfolio(cohort.id, trainee.id)
    assert queries.texts_of(portfolio.id)[INTRODUCTION].body == "From the laptop"


def test_tampered_hidden_fields_or_evidence_save_nothing_and_keep_the_text(client):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    login(client, trainee)
    url = f"/cohorts/{cohort.id}/portfolio/competencies/{keys()[0]}"
    bad = client.post(url, data={"text": "Kept on screen", "version": "x", "fingerprint": ""})
    assert bad.status_code == 400 and "Kept on screen" in bad.get_data(as_text=True)
    foreign = evidence(make_user())
    refused = client.post(
        url,
        data={
            "text": "Mine",
            "evidence": str(foreign.id),
            "version": "0",
            "fingerprint": fingerprint(""),
        },
    )
    assert refused.status_code == 400 and "Mine" in refused.get_data(as_text=True)
    assert queries.find_portfolio(cohort.id, trainee.id) is None


def test_a_handed_in_portfolio_refuses_an_edit_and_shows_what_was_typed(client):
    ready = ready_portfolio()
    hand_in(ready)
    login(client, ready.trainee)
    url = f"/cohorts/{ready.cohort.id}/portfolio/introduction"
    response = client.post(
        url, data={"text": "Too late", "version": "1", "fingerprint": fingerprint("x")}
    )
    assert response.status_code == 409
    assert "Too late" in response.get_data(as_text=True)
    replay = client.post(f"/cohorts/{ready.cohort.id}/portfolio/hand-in")
    assert replay.status_code == 303
    assert len(queries.snapshots_of(ready.portfolio.id)) == 1


def test_not_ready_hand_in_says_what_is_missing(client):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    login(client, trainee)
    response = client.post(f"/cohorts/{cohort.id}/portfolio/hand-in")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Write your introduction" in body and "groups of raters" in body


def test_a_trainer_lists_reads_and_returns_and_the_trainee_sees_why(client):
    ready = ready_portfolio()
    snapshot = hand_in(ready)
    login(client, ready.trainer)
    listing = client.get(f"/cohorts/{ready.cohort.id}/portfolios").get_data(as_text=True)
    assert "Noor Trainee" in listing and f"/portfolio-snapshots/{snapshot.id}" in listing
    page = client.get(f"/portfolio-snapshots/{snapshot.id}").get_data(as_text=True)
    assert "Return for revision" in page
    empty = client.post(f"/portfolio-snapshots/{snapshot.id}/return", data={"reason": ""})
    assert empty.status_code == 400
    done = client.post(
        f"/portfolio-snapshots/{snapshot.id}/return", data={"reason": "Say more about tools."}
    )
    assert done.status_code == 303
    db.session.expire_all()
    assert ready.portfolio.status == PortfolioStatus.RETURNED
    client.post("/sign-out")
    login(client, ready.trainee)
    overview = client.get(f"/cohorts/{ready.cohort.id}/portfolio").get_data(as_text=True)
    assert "Say more about tools." in overview and "Returned for revision" in overview


def test_an_empty_portfolio_previews_as_a_document_that_says_what_is_missing(client):
    cohort = make_cohort()
    trainee = make_user()
    add_trainee(cohort, trainee)
    login(client, trainee)
    page = client.get(f"/cohorts/{cohort.id}/portfolio/preview")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Nothing has been written in this portfolio yet" in body
    assert "Missing: the introduction has not been written." in body
