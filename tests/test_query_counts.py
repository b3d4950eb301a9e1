"""The number of SQL statements per page does not grow with the size of the cohort."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from benchmarks.synthetic import PASSWORD, build


def statements_for(app, db, user, path):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    seen: list[str] = []

    def count(*_args):
        seen.append("x")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


PAGES = [
    ("trainer", lambda w: f"/rounds/{w.round_ids[-1]}/progress"),
    ("trainer", lambda w: f"/cohorts/{w.cohort_id}"),
    ("governance", lambda w: f"/organisations/{w.organisation_id}/candidates"),
    ("trainee", lambda _w: "/dashboard"),
    ("trainee", lambda w: f"/trainees/{w.trainee.id}"),
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}"),
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}/competencies/innovation"),
    ("governance", lambda w: f"/rounds/{w.round_ids[0]}/trainees/{w.trainee.id}"),
]


@pytest.mark.parametrize(("role", "path"), PAGES)
def test_queries_per_page_do_not_depend_on_cohort_size(app, db, role, path):
    small, large = build(3, rounds=2, seed=1), build(25, rounds=2, seed=2)
    counts = [statements_for(app, db, getattr(w, role), path(w)) for w in (small, large)]
    assert counts[0] == counts[1], (
        f"{path(small)}: {counts[0]} statements, {path(large)}: {counts[1]}"
    )


PEOPLE_PAGES = [
    ("trainer", lambda w: f"/cohorts/{w.cohort_id}"),
    ("governance", lambda w: f"/organisations/{w.organisation_id}/candidates"),
]


@pytest.mark.parametrize(("role", "path"), PEOPLE_PAGES)
def test_cohort_and_candidates_pages_do_not_depend_on_the_number_of_members(app, db, role, path):
    """Members are read as plain joined rows: no batches that grow with the cohort."""
    small, large = build(3, rounds=1, seed=3), build(60, rounds=1, seed=4)
    counts = [statements_for(app, db, getattr(w, role), path(w)) for w in (small, large)]
    assert counts[0] == counts[1], (
        f"{path(small)}: {counts[0]} statements, {path(large)}: {counts[1]}"
    )


#: The self-assessment pages, the dashboard and the trainee page, with the most statements
#: each may take (signing the user in and the navigation included).
ASSESSMENT_PAGES = [
    ("trainer", lambda w: f"/rounds/{w.round_ids[-1]}/progress", 7),
    ("trainee", lambda _w: "/dashboard", 6),
    ("trainee", lambda w: f"/trainees/{w.trainee.id}", 5),
    ("trainer", lambda w: f"/trainees/{w.trainee.id}", 7),
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}", 10),
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}/competencies/innovation", 11),
    ("governance", lambda w: f"/rounds/{w.round_ids[0]}/trainees/{w.trainee.id}", 11),
]


@pytest.mark.parametrize(("role", "path", "most"), ASSESSMENT_PAGES)
def test_assessment_pages_take_the_same_statements_for_3_and_60_trainees(app, db, role, path, most):
    small, large = build(3, rounds=2, seed=1), build(60, rounds=2, seed=2)
    counts = [statements_for(app, db, getattr(w, role), path(w)) for w in (small, large)]
    assert counts[0] == counts[1], f"{path(small)}: {counts[0]}, {path(large)}: {counts[1]}"
    assert counts[0] <= most, f"{path(small)}: {counts[0]} statements, at most {most} expected"
