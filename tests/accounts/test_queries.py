"""The People list as plain data: search, order and pages."""

from __future__ import annotations

from portfolio.accounts import queries
from tests.factories import make_user


def test_people_page_searches_orders_and_shows_the_last_page_past_the_end(db):
    for name in ("carla", "Bram", "anna", "Ben"):
        make_user(name=name)
    first = queries.people_page("", 1, 3)
    assert [row.name for row in first.items] == ["anna", "Ben", "Bram"]
    assert (first.pages, first.has_prev, first.has_next, first.next_num) == (2, False, True, 2)
    past = queries.people_page("", 99, 3)
    assert (past.page, [row.name for row in past.items]) == (2, ["carla"])
    found = queries.people_page("b", 1, 3)
    assert [row.name for row in found.items] == ["Ben", "Bram"]
    assert queries.people_page("nobody", 1, 3).items == ()
