"""Long lists show a page at a time, with the totals of the whole list, in one statement."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from benchmarks.synthetic import PASSWORD, build
from portfolio.accounts.models import User
from portfolio.paging import Page, read_page
from tests.test_query_counts import statements_for


def signed_in(app, user):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def names_on(html: str, prefix: str) -> list[str]:
    return re.findall(rf'href="{re.escape(prefix)}\d+">([^<]+)</a>', html)


def test_a_page_holds_fifty_and_knows_the_total(app, db):
    for n in range(1, 121):
        db.session.add(User(email=f"p{n:03}@example.org", name=f"P{n:03}", password_hash="x"))
    db.session.flush()
    query = select(User.id, User.name).order_by(User.name)
    first, _ = read_page(query, 1, lambda row: row[1])
    assert (len(first), first.total, first.pages, first.first, first.last) == (50, 120, 3, 1, 50)
    assert first.items[0] == "P001" and not first.has_prev and first.next_num == 2
    last, _ = read_page(query, 3, lambda row: row[1])
    assert last.items == tuple(f"P{n:03}" for n in range(101, 121)) and not last.has_next
    # A page past the end shows the last page, as every list does.
    beyond, _ = read_page(query, 99, lambda row: row[1])
    assert beyond.page == 3 and beyond.items == last.items


def test_an_empty_list_is_one_empty_page(app, db):
    empty, _ = read_page(select(User.id).where(User.id < 0), 5, lambda row: row[0])
    assert empty == Page(items=(), page=1, per_page=50, total=0) and not empty
    assert (empty.pages, empty.first, empty.last, empty.has_next) == (0, 0, 0, False)


@pytest.fixture
def world(app, db):
    return build(70, rounds=2, seed=7)


def test_round_progress_pages_the_trainees_and_counts_all_hand_ins(app, db, world):
    client = signed_in(app, world.trainer)
    first = client.get(f"/rounds/{world.round_ids[0]}/progress").get_data(as_text=True)
    second = client.get(f"/rounds/{world.round_ids[0]}/progress?page=2").get_data(as_text=True)
    prefix = f"/rounds/{world.round_ids[0]}/trainees/"
    assert len(names_on(first, prefix)) == 50 and len(names_on(second, prefix)) == 20
    assert not set(names_on(first, prefix)) & set(names_on(second, prefix))
    # The first round is handed in by everyone: the sentence counts all 70, not the page.
    assert "70 of 70 trainees have handed in." in first
    assert "1–50 of 70 trainees" in first and "51–70 of 70 trainees" in second
    assert "page=2" in first and "page=1" in second


def test_cohort_page_and_candidates_page_the_people(app, db, world):
    client = signed_in(app, world.trainer)
    cohort = client.get(f"/cohorts/{world.cohort_id}").get_data(as_text=True)
    assert "1–50 of 71 people" in cohort  # 70 trainees and their trainer
    governance = signed_in(app, world.governance)
    page = governance.get(f"/organisations/{world.organisation_id}/candidates?page=2")
    assert "51–70 of 70 trainees" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        lambda w: f"/rounds/{w.round_ids[-1]}/progress?page=2",
        lambda w: f"/cohorts/{w.cohort_id}?page=2",
    ],
)
def test_a_later_page_takes_the_statements_of_the_first(app, db, world, path):
    first = statements_for(app, db, world.trainer, path(world).split("?")[0])
    later = statements_for(app, db, world.trainer, path(world))
    assert first == later
