"""The final assessment's pages as trainers, assessors and the trainee use them (test client)."""

from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from portfolio.extensions import db
from portfolio.judging import services
from portfolio.judging.models import OVERALL, Stage
from tests.factories import login, logout
from tests.judging.helpers import GOOD, assign, handed_in_world, judge_all, locked_world
from tests.portfolios.helpers import keys

pytestmark = pytest.mark.usefixtures("framework_db")


def _hidden(html: str) -> dict[str, str]:
    """The hidden version and fingerprint fields a judgement or consensus page carries."""
    found = dict(
        re.findall(
            r'name="((?:version|fingerprint)-[^"]+|assessment_version)" value="([^"]*)"', html
        )
    )
    assert found, "the page must carry what it was based on"
    return found


def _url(world, part: str = "") -> str:  # type: ignore[no-untyped-def]
    return f"/portfolio-snapshots/{world.snapshot.id}/assessment{part}"


def _entries(level: str, text: str, *, overall: str | None = None) -> dict[str, str]:
    data = {}
    for key in keys():
        data[f"level-{key}"] = level
        data[f"motivation-{key}"] = f"{text} {key}"
    if overall is not None:
        data[f"level-{OVERALL}"] = overall
        data[f"motivation-{OVERALL}"] = f"{text} overall"
    return data


def test_a_trainer_assigns_two_assessors_from_the_page(client):
    world = handed_in_world()
    login(client, world.first)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "No assessors yet" in page and world.second.name in page
    for trainer in (world.first, world.second):
        response = client.post(_url(world, "/assessors"), data={"trainer": str(trainer.id)})
        assert response.status_code == 303
    page = client.get(_url(world)).get_data(as_text=True)
    assert "first assessor" in page and "second assessor" in page
    assert "Your judgement" in page  # the first trainer holds a seat now
    # No free seat: the form to assign is gone.
    assert 'name="trainer"' not in page


def test_an_assessor_judges_alone_and_sees_the_other_only_when_both_are_in(client):
    world = handed_in_world()
    assign(world, world.first, world.second)
    login(client, world.first)
    page = client.get(_url(world)).get_data(as_text=True)
    response = client.post(
        _url(world, "/judgement"),
        data={**_hidden(page), **_entries(GOOD, "First sees"), "action": "finish"},
    )
    assert response.status_code == 303
    logout(client)
    login(client, world.second)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "First sees" not in page  # hidden until both have submitted
    response = client.post(
        _url(world, "/judgement"),
        data={**_hidden(page), **_entries("rubric.sufficient", "Second sees"), "action": "finish"},
    )
    assert response.status_code == 303
    page = client.get(_url(world)).get_data(as_text=True)
    assert "First sees" in page and "Second sees" in page
    assert "The agreed verdict" in page


def test_an_incomplete_judgement_is_saved_and_the_page_says_what_is_missing(client):
    world = handed_in_world()
    assign(world, world.first, world.second)
    login(client, world.first)
    page = client.get(_url(world)).get_data(as_text=True)
    first = keys()[0]
    data = {
        **_hidden(page),
        f"level-{first}": GOOD,
        f"motivation-{first}": "Only this one",
        "action": "finish",
    }
    response = client.post(_url(world, "/judgement"), data=data)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "not yet complete" in body and "Only this one" in body
    seat = services.assignment_of(services.find_assessment(world.snapshot.id), world.first)
    assert seat is not None and seat.submitted_at is None


def test_the_verdict_reaches_the_trainee_and_a_replayed_change_is_refused_and_audited(client):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    login(client, world.first)
    page = client.get(_url(world)).get_data(as_text=True)
    consensus = {**_hidden(page), **_entries(GOOD, "Agreed", overall="passed")}
    assert (
        client.post(_url(world, "/consensus"), data={**consensus, "action": "finish"}).status_code
        == 303
    )
    logout(client)
    login(client, world.second)
    page = client.get(_url(world)).get_data(as_text=True)
    same = {**_hidden(page), **_entries(GOOD, "Agreed", overall="passed"), "action": "finish"}
    assert client.post(_url(world, "/consensus"), data=same).status_code == 303
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None and assessment.stage == Stage.LOCKED
    # The old request again, changed: refused, audited, and what was typed stays on screen.
    replay = {**consensus, f"motivation-{OVERALL}": "Actually not passed", "action": "save"}
    response = client.post(_url(world, "/consensus"), data=replay)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "verdict is locked" in body and "Actually not passed" in body
    events = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "judging_refused")
    ).all()
    assert [e["reason"] for e in events] == ["locked"]
    logout(client)
    login(client, world.trainee)
    snapshot_page = client.get(f"/portfolio-snapshots/{world.snapshot.id}").get_data(as_text=True)
    assert "Final verdict" in snapshot_page and "Agreed overall" in snapshot_page
    assert client.get(_url(world)).status_code == 404  # the assessment page is the trainers'


def test_a_trainer_without_a_seat_cannot_judge_and_the_attempt_is_audited(client):
    world = handed_in_world()
    assign(world, world.first, world.second)
    login(client, world.third)
    response = client.post(_url(world, "/judgement"), data=_entries(GOOD, "Sneaky"))
    assert response.status_code == 403
    events = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "judging_refused")
    ).all()
    assert [(e["attempt"], e["reason"]) for e in events] == [("judgement", "not_assigned")]


def test_a_locked_hand_in_offers_no_return_and_the_list_shows_the_stage(client):
    world, _assessment = locked_world()
    login(client, world.first)
    page = client.get(f"/portfolio-snapshots/{world.snapshot.id}").get_data(as_text=True)
    assert "Return to the trainee" not in page and "Final verdict" in page
    listing = client.get(f"/cohorts/{world.ready.cohort.id}/portfolios").get_data(as_text=True)
    assert "verdict locked" in listing
    response = client.post(
        f"/portfolio-snapshots/{world.snapshot.id}/return", data={"reason": "Redo it"}
    )
    assert response.status_code == 303
    follow = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "locked verdict" in follow


def test_a_trainer_declares_a_conflict_and_is_no_longer_offered(client):
    world = handed_in_world()
    login(client, world.second)
    response = client.post(_url(world, "/conflict"), data={"reason": "My own team member."})
    assert response.status_code == 303
    logout(client)
    login(client, world.first)
    page = client.get(_url(world)).get_data(as_text=True)
    assert "Declared a conflict" in page
    assert f'<option value="{world.second.id}"' not in page
    response = client.post(_url(world, "/assessors"), data={"trainer": str(world.second.id)})
    assert response.status_code == 400  # not among the choices


def test_two_assessors_confirming_at_the_same_moment_lock_the_verdict_once(app, db):
    world = handed_in_world()
    one, two = assign(world, world.first, world.second)
    judge_all(world.first, one)
    judge_all(world.second, two)
    url = _url(world, "/consensus")
    # The first writes the consensus; both then confirm it from the same page version.
    first_client = app.test_client()
    login(first_client, world.first)
    page = first_client.get(_url(world)).get_data(as_text=True)
    written = {**_hidden(page), **_entries(GOOD, "Agreed", overall="passed"), "action": "save"}
    assert first_client.post(url, data=written).status_code == 303
    clients, forms = [], []
    for person in (world.first, world.second):
        client = app.test_client()
        login(client, person)
        page = client.get(_url(world)).get_data(as_text=True)
        clients.append(client)
        forms.append(
            {**_hidden(page), **_entries(GOOD, "Agreed", overall="passed"), "action": "finish"}
        )
    start = threading.Barrier(2)
    statuses: list[int] = []

    def confirm(client, data):  # type: ignore[no-untyped-def]
        start.wait()
        statuses.append(client.post(url, data=data).status_code)

    threads = [
        threading.Thread(target=confirm, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [303, 303]
    db.session.expire_all()
    assessment = services.find_assessment(world.snapshot.id)
    assert assessment is not None and assessment.stage == Stage.LOCKED
    locked = db.session.scalars(
        select(AuditEvent.id).where(AuditEvent.action == "verdict_locked")
    ).all()
    assert len(locked) == 1


def test_the_trainee_overview_says_the_verdict_is_in_and_links_to_it(client):
    world, _assessment = locked_world()
    login(client, world.trainee)
    page = client.get(f"/cohorts/{world.ready.cohort.id}/portfolio").get_data(as_text=True)
    assert "The assessors have judged your portfolio: passed." in page
    assert f'href="/portfolio-snapshots/{world.snapshot.id}"' in page
