"""The audit log names people and objects in words, links where the reader may go, dates
every page in one unambiguous European form, and loads what it names in bulk."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, select

from portfolio.assessment.models import AssessmentStatus, Round, SelfAssessment
from portfolio.assessment.rounds import current_framework_version
from portfolio.audit import record
from portfolio.audit.models import AuditEvent
from portfolio.competencies import current_framework
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from tests.factories import add_trainee, login, make_cohort, make_invitation, make_user
from tests.security.test_audit_log import _rows


def _world(db):
    admin = make_user("admin@example.org", "Ada Admin", admin=True)
    trainee = make_user("tess@example.org", "Tess Trainee")
    cohort = make_cohort(name="Spring Group")
    add_trainee(cohort, trainee)
    round_ = Round(
        cohort=cohort,
        title="Baseline",
        opens_on=date(2026, 1, 5),
        closes_on=date(2026, 1, 30),
        framework_version=current_framework_version(current_framework()),
    )
    assessment = SelfAssessment(round=round_, trainee=trainee, status=AssessmentStatus.SUBMITTED)
    evidence = EvidenceItem(owner=trainee, title="Kitchen table talk", kind=EvidenceKind.TEXT)
    db.session.add_all([round_, assessment, evidence])
    db.session.commit()
    invitation, _token = make_invitation(email="nina@example.org", cohort=cohort)
    return admin, trainee, cohort, round_, assessment, evidence, invitation


def _record_all(db, admin, trainee, cohort, round_, assessment, evidence, invitation):
    record("sign_in", actor=trainee, target=trainee)
    record("cohort_created", actor=admin, target=cohort, name=cohort.name)
    record("round_created", actor=admin, target=round_, title=round_.title)
    record("self_assessment_submitted", actor=trainee, target=assessment, round=round_.title)
    record("evidence_created", actor=trainee, target=evidence)
    record("invitation_sent", actor=admin, target=invitation, email=invitation.email)
    record("organisation_created", actor=admin, target=cohort.organisation)
    db.session.commit()


def test_people_and_objects_are_named_in_words_with_safe_links(app, db, framework_db):
    admin, trainee, cohort, round_, _assessment, evidence, _invitation = world = _world(db)
    _record_all(db, *world)
    client = app.test_client()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    rows = {row[2]: row for row in _rows(html)}
    assert rows["signed in"][1] == "Tess Trainee tess@example.org"
    assert rows["signed in"][3] == "Tess Trainee tess@example.org"
    assert rows["cohort created"][3] == "Spring Group"
    assert rows["round planned"][3] == "round “Baseline” of Spring Group"
    assert rows["self-assessment handed in"][3] == "self-assessment of Tess Trainee in “Baseline”"
    assert rows["evidence added"][3] == "evidence “Kitchen table talk” of Tess Trainee"
    assert rows["invitation sent"][3] == "invitation for nina@example.org to Spring Group"
    assert rows["organisation created"][3] == cohort.organisation.name
    for code in ("sign_in", "SelfAssessment", "Round ", "User "):
        assert code not in " ".join(" ".join(r) for r in rows.values()), code

    links = set(re.findall(r'<td><a href="([^"]+)"', html))
    assert links == {
        f"/cohorts/{cohort.id}",
        f"/rounds/{round_.id}/progress",
        f"/organisations/{cohort.organisation.id}",
    }
    for link in links:  # every link opens for the administrator
        assert client.get(link).status_code == 200, link
    # never into a portfolio
    assert f"/trainees/{trainee.id}" not in html
    assert f"/evidence/{evidence.id}" not in html


def test_objects_that_are_gone_say_so(app, db):
    admin = make_user(admin=True)
    record("evidence_deleted", actor=admin, title="Old note")
    event = record("evidence_deleted", actor=admin, title="Old note")
    event.object_type, event.object_id = "EvidenceItem", 999
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    rows = _rows(client.get("/admin/audit").get_data(as_text=True))
    gone = [row for row in rows if row[2] == "evidence deleted" and row[3]]
    assert [row[3] for row in gone] == ["evidence item (no longer exists)"]
    assert gone[0][4] == "title: Old note"


def test_the_audit_page_needs_the_same_number_of_statements_for_many_events(app, db, framework_db):
    world = _world(db)
    admin = world[0]
    client = app.test_client()
    login(client, admin)

    def statements() -> int:
        seen: list[str] = []

        def count(*_args):
            seen.append("x")

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/admin/audit").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    _record_all(db, *world)
    few = statements()
    for _ in range(6):
        _record_all(db, *world)
        for n in range(3):
            other = make_user(f"p{n}-{_}@example.org")
            record("sign_in", actor=other, target=other)
    db.session.commit()
    assert db.session.scalar(select(db.func.count(AuditEvent.id))) > 40
    assert statements() == few


@pytest.mark.parametrize(
    ("language", "day", "moment"),
    [("en", "1 Dec 2026", "1 Dec 2026, 09:13"), ("nl", "1 dec 2026", "1 dec 2026, 09:13")],
)
def test_dates_are_unambiguous_in_both_languages(app, db, language, day, moment):
    admin = make_user(admin=True, language=language)
    event = record("sign_in", actor=admin, target=admin)
    event.occurred_at = datetime(2026, 12, 1, 8, 13, tzinfo=UTC)  # 09:13 in Amsterdam
    cohort = make_cohort(starts_on=date(2026, 12, 1), ends_on=date(2027, 6, 30))
    db.session.commit()
    client = app.test_client()
    login(client, admin)
    html = client.get("/admin/audit").get_data(as_text=True)
    assert moment in html
    assert not re.search(r"\d+/\d+/\d+|\d [AP]M\b", html)
    page = client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    assert day in page


def test_no_template_uses_babels_ambiguous_formats():
    """One set of date filters (dates.py): ``| date``, ``| long_date``, ``| datetime``."""
    offenders = [
        str(path)
        for path in Path("templates").rglob("*.html")
        if re.search(r"format_(date|datetime|time)\(", path.read_text(encoding="utf-8"))
    ]
    assert not offenders, offenders
    source = "\n".join(
        p.read_text(encoding="utf-8")
        for p in Path("portfolio").rglob("*.py")
        if p.name != "dates.py"
    )
    assert not re.search(r"\bformat_(date|datetime)\(", source)


def test_the_filters_format_days_and_moments(app):
    from flask_babel import force_locale

    from portfolio.dates import date_text, datetime_text, long_date_text

    with app.test_request_context():
        with force_locale("en"):
            assert date_text(date(2026, 3, 4)) == "4 Mar 2026"
            assert long_date_text(date(2026, 3, 4)) == "4 March 2026"
            assert datetime_text(datetime(2026, 7, 1, 20, 5, tzinfo=UTC)) == "1 Jul 2026, 22:05"
            assert date_text(None) == ""
        with force_locale("nl"):
            assert date_text(date(2026, 3, 4)) == "4 mrt 2026"
            assert long_date_text(date(2026, 3, 4)) == "4 maart 2026"
            assert datetime_text(datetime(2026, 1, 1, 0, 5) - timedelta(0)) in (
                "1 jan 2026, 01:05",
                "1 jan 2026, 00:05",
            )


def test_every_object_type_is_a_model_the_log_can_name() -> None:
    import portfolio.models  # noqa: F401  (registers every model)
    from portfolio.audit.actions import ObjectType
    from portfolio.audit.labels import OBJECT_TYPES
    from portfolio.extensions import Base

    models = {mapper.class_.__name__ for mapper in Base.registry.mappers}
    assert set(ObjectType) <= models
    assert set(OBJECT_TYPES) == set(ObjectType)
