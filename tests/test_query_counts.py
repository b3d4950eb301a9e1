"""The number of SQL statements per page does not grow with the size of the cohort."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from benchmarks.synthetic import PASSWORD, build


def statements_for(app, db, user, path):
    client = app.test_client()
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    # A warm request first, as the benchmark counts: the framework's catalogue is read once
    # per process and load (tests/competencies/test_catalogue.py counts that on its own).
    assert client.get(path).status_code == 200, path
    seen: list[str] = []

    def count(*_args):
        seen.append("x")

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200, path
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


#: Every page whose size could grow with the cohort, with the most statements each may take
#: (signing the user in and the navigation included). 60 trainees make the long lists run
#: over their first page of 50.
PAGES = [
    ("trainer", lambda w: f"/rounds/{w.round_ids[-1]}/progress", 6),
    # + one: may the trainer open the cohort dashboard (policy.can_view_cohort_dashboard);
    # + two: the cohort's training modules, and may the user change them
    # (policy.can_manage_modules).
    ("trainer", lambda w: f"/cohorts/{w.cohort_id}", 12),
    # The cohort dashboard: the cohort, may the trainer see it, the rounds, the spread of the
    # handed-in self-ratings (a histogram), one page of trainees with their feedback counts.
    ("trainer", lambda w: f"/cohorts/{w.cohort_id}/dashboard", 6),
    # + whether the reader decides for this group, and the latest decisions of the page (one)
    ("governance", lambda w: f"/organisations/{w.organisation_id}/candidates", 6),
    # + the policy's check, the filter choices, the rows and the summary per cohort.
    ("governance", lambda _w: "/governance/overview", 5),
    ("governance", lambda _w: "/governance/overview?sort=innovation&dir=desc", 5),
    # A page past the end: two more, the total and the last page (as every list).
    ("governance", lambda _w: "/governance/overview?status=behind&q=a&page=999", 7),
    ("trainee", lambda _w: "/dashboard", 4),
    ("trainee", lambda w: f"/trainees/{w.trainee.id}", 3),
    # + one: may the trainer open the growth charts (policy.can_view_growth)?
    ("trainer", lambda w: f"/trainees/{w.trainee.id}", 6),
    # The growth charts: rounds, two kinds of self-ratings, feedback under the rule, and the
    # training modules of the trainee's cohorts; + one: the open review comments.
    ("trainee", lambda w: f"/trainees/{w.trainee.id}/growth", 8),
    ("trainer", lambda w: f"/trainees/{w.trainee.id}/growth", 10),
    # The round overview: the work, and the feedback asked and answered in the round.
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}", 7),
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}/competencies/innovation", 7),
    # + one: may the reader comment on the reflections (policy.can_comment_on_hand_in)?
    ("governance", lambda w: f"/rounds/{w.round_ids[0]}/trainees/{w.trainee.id}", 11),
    # Feedback: the trainee's page (answers under the anonymity rule) and the cohort's.
    ("trainee", lambda w: f"/rounds/{w.round_ids[-1]}/feedback", 10),
    ("trainer", lambda w: f"/rounds/{w.round_ids[-1]}/feedback/cohort", 4),
    ("trainer", lambda w: f"/rounds/{w.round_ids[-1]}/feedback/trainees/{w.trainee.id}", 10),
    # The final portfolio: the trainers' list (one row per trainee, one statement, and the
    # stage of each hand-in's final assessment, one more), and the trainee's overview and
    # preview (the live portfolio gathered in a fixed number); each list and overview + one:
    # the open review comments (per trainee, per part); the live portfolio + three: the
    # raters' words, the trainee's replies to them, and the competencies' keys.
    ("trainer", lambda w: f"/cohorts/{w.cohort_id}/portfolios", 7),
    ("trainee", lambda w: f"/cohorts/{w.cohort_id}/portfolio", 16),
    ("trainee", lambda w: f"/cohorts/{w.cohort_id}/portfolio/preview", 15),
    # Review comments: the threads received and given (and their messages when there are any).
    ("trainee", lambda _w: "/comments", 4),
    ("trainer", lambda _w: "/comments", 4),
]


@pytest.mark.parametrize(("role", "path", "most"), PAGES)
def test_pages_take_the_same_statements_for_3_and_60_trainees(app, db, role, path, most):
    """Lists are aggregated in SQL and read as plain joined rows: nothing per trainee, no
    batches that grow with the cohort."""
    small, large = build(3, rounds=2, seed=1), build(60, rounds=2, seed=2)
    counts = [statements_for(app, db, getattr(w, role), path(w)) for w in (small, large)]
    assert counts[0] == counts[1], f"{path(small)}: {counts[0]}, {path(large)}: {counts[1]}"
    assert counts[0] <= most, f"{path(small)}: {counts[0]} statements, at most {most} expected"
