"""Upgrading keeps the work: the submissions migration on a database with handed-in work.

SQLite changes a column by copying the table; before the fix, dropping the old
``self_assessments`` cascaded into ``ratings`` and ``reflections`` and emptied them. The
migration also gives every earlier hand-in a first stored submission, so trainers keep
seeing it. This test builds its own SQLite file (the copy-and-drop is SQLite's way).
"""

from __future__ import annotations

import json

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from portfolio import create_app
from portfolio.extensions import db

BEFORE = "4badbace05be"

ROWS = [
    "INSERT INTO users (id, email, name, password_hash, is_admin, active, created_at,"
    " session_version) VALUES (1, 't@example.org', 'Tess', 'x', 0, 1, '2026-01-01', 1)",
    "INSERT INTO organisations (id, name, kind, country, created_at)"
    " VALUES (1, 'Org', 'other', 'NL', '2026-01-01')",
    "INSERT INTO cohorts (id, organisation_id, name, location, created_at)"
    " VALUES (1, 1, 'Cohort', '', '2026-01-01')",
    "INSERT INTO framework_versions (id, content_hash, label, loaded_at, changes, snapshot)"
    " VALUES (1, 'abc', '2023.1', '2026-01-01', '', '{}')",
    "INSERT INTO competencies (id, key, number, name, statement)"
    " VALUES (1, 'innovation', 1, '{\"en\": \"Innovation\"}', '{}')",
    "INSERT INTO behavioural_elements (id, key, competency_id, position, title)"
    " VALUES (1, 'innovation.a', 1, 1, '{}')",
    "INSERT INTO indicators (id, key, competency_id, element_id, position, text, points,"
    " rated_as_whole) VALUES (1, 'innovation.a.one', 1, 1, 1, '{}', '[]', 0)",
    "INSERT INTO rounds (id, cohort_id, title, opens_on, closes_on, framework_version_id,"
    " created_at) VALUES (1, 1, 'Baseline', '2026-01-01', '2026-01-14', 1, '2026-01-01')",
    "INSERT INTO self_assessments (id, round_id, trainee_id, status, submitted_at, created_at,"
    " updated_at) VALUES (1, 1, 1, 'submitted', '2026-01-10 10:00:00', '2026-01-01',"
    " '2026-01-10')",
    "INSERT INTO ratings (id, self_assessment_id, indicator_id, level, not_judgeable, note,"
    " change_reason, version, updated_at) VALUES (1, 1, 1, 3, 0, 'a note', '', 1, '2026-01-10')",
    "INSERT INTO reflections (id, self_assessment_id, competency_id, body, version, updated_at)"
    " VALUES (1, 1, 1, 'What I learned', 1, '2026-01-10')",
]


def test_upgrading_keeps_ratings_and_freezes_earlier_hand_ins(tmp_path):
    url = "sqlite:///" + str(tmp_path / "old.sqlite3")
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as connection:
            for row in ROWS:
                connection.execute(text(row))
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM ratings")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM reflections")).scalar() == 1
            content, answered = connection.execute(
                text("SELECT content, answered FROM submissions WHERE self_assessment_id = 1")
            ).one()
        stored = json.loads(content)
        assert answered == 1
        assert stored["ratings"]["innovation.a.one"]["level"] == 3
        assert stored["ratings"]["innovation.a.one"]["note"] == "a note"
        assert stored["reflections"] == {"innovation": "What I learned"}
        downgrade(revision=BEFORE)
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM ratings")).scalar() == 1
        db.engine.dispose()
