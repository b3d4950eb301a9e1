"""The audit log: what happened shows up for administrators, filters work, rows stay put."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select, update

from portfolio.audit import Action, record
from portfolio.audit.models import AuditEvent
from tests.factories import add_governance, add_trainee, add_trainer, login, make_cohort, make_user

NEW = "Seven swans glide past the mill"


def _text(cell: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def _rows(html: str) -> list[list[str]]:
    """The audit table's rows as lists of cell texts: when, who, what, object, details."""
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [
        [_text(cell) for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def _actions(html: str) -> list[str]:
    """The action codes, from the "what" cells (which read "signed in", not the code)."""
    if "<tbody>" not in html:
        return []
    return re.findall(r'data-action="(\w+)"', html.split("<tbody>", 1)[1])


@pytest.fixture
def admin_client(app):
    client = app.test_client()
    login(client, make_user("admin@example.org", "Ada Admin", admin=True))
    return client


def test_the_invitation_walk_through_shows_up_in_the_audit_log(app, admin_client):
    cohort = make_cohort()
    trainer = make_user("trainer@example.org")
    add_trainer(cohort, trainer)
    trainer_client = app.test_client()
    login(trainer_client, trainer)
    html = trainer_client.post(
        f"/cohorts/{cohort.id}", data={"email": "nina@example.org", "role": "trainee"}
    ).get_data(as_text=True)
    link = re.search(r"http://localhost(/invitations/accept/[^<]+)</code>", html)[1]
    newcomer = app.test_client()
    newcomer.post(link, data={"name": "Nina Newcomer", "password": NEW, "confirm": NEW})
    newcomer.post("/sign-out")
    for guess in ("first guess!", "second guess"):
        newcomer.post("/sign-in", data={"email": "Nina@Example.org", "password": guess})

    page = admin_client.get("/admin/audit")
    assert page.status_code == 200
    rows = _rows(page.get_data(as_text=True))
    actions = _actions(page.get_data(as_text=True))
    for row, action in zip(rows, actions, strict=True):
        row[2] = action
    for action in (
        "invitation_sent",
        "account_created",
        "member_added",
        "invitation_accepted",
        "sign_out",
        "sign_in_failed",
    ):
        assert action in actions, action
    failed = [row for row in rows if row[2] == "sign_in_failed"]
    assert len(failed) == 2
    assert all(row[1] == "nina@example.org" for row in failed)
    sent = next(row for row in rows if row[2] == "invitation_sent")
    assert sent[1] == f"{trainer.name} trainer@example.org"
    assert "nina@example.org" in sent[4]
    assert actions.index("sign_in_failed") < actions.index("invitation_sent"), "newest first"


def test_filter_by_action(admin_client, db):
    record("sign_in_failed", actor_label="x@example.org")
    record("organisation_created", actor_label="admin@example.org")
    db.session.commit()
    html = admin_client.get("/admin/audit?action=sign_in_failed").get_data(as_text=True)
    assert set(_actions(html)) == {"sign_in_failed"}
    assert '<option value="sign_in_failed" selected>' in html


def test_filter_by_e_mail_address(admin_client, db):
    record("sign_in_failed", actor_label="nina@example.org")
    record("sign_in_failed", actor_label="kim@example.org")
    db.session.commit()
    html = admin_client.get("/admin/audit?who=NINA@").get_data(as_text=True)
    assert {row[1] for row in _rows(html)} == {"nina@example.org"}


def test_e_mail_filter_treats_wildcards_as_plain_text(admin_client, db):
    record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    html = admin_client.get("/admin/audit?who=%25").get_data(as_text=True)
    assert _rows(html) == []
    assert "Nothing matches these filters." in html
    html = admin_client.get("/admin/audit?who=n_na").get_data(as_text=True)
    assert _rows(html) == []


def test_filter_by_period(admin_client, db):
    record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    today = date.today()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)
    within = admin_client.get(f"/admin/audit?from={yesterday}&to={tomorrow}&action=sign_in_failed")
    assert _actions(within.get_data(as_text=True)) == ["sign_in_failed"]
    later = admin_client.get(f"/admin/audit?from={tomorrow}").get_data(as_text=True)
    assert _rows(later) == []
    earlier = admin_client.get(f"/admin/audit?to={yesterday - timedelta(days=1)}")
    assert _rows(earlier.get_data(as_text=True)) == []


@pytest.mark.parametrize(
    "query",
    ["from=2025-13-45", "to=yesterday", "from=31-12-2025", "from=0000-01-01", "to=2025-02-30"],
)
def test_a_date_that_is_not_a_date_gives_a_message_not_a_500(admin_client, db, query):
    record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "A date was not understood and is ignored" in html
    assert "sign_in_failed" in _actions(html), "the bad date is ignored, not applied"


@pytest.mark.parametrize("query", ["to=9999-12-31", "from=0001-01-01", "from=9999-12-31"])
def test_extreme_dates_are_valid_filters(admin_client, query):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 200
    assert "A date was not understood" not in response.get_data(as_text=True)


def test_pages_keep_the_filters_and_only_the_filters(admin_client, db):
    for n in range(55):
        record(Action.EVIDENCE_CREATED, actor_label=f"p{n}@example.org")
    db.session.commit()
    html = admin_client.get(
        "/admin/audit?action=evidence_created&who=example&_anchor=x&endpoint=y"
    ).get_data(as_text=True)
    assert len(_rows(html)) == 50
    older = re.search(r'href="([^"]*)">Older</a>', html)[1].replace("&amp;", "&")
    assert "action=evidence_created" in older
    assert "who=example" in older
    assert "page=2" in older
    assert "endpoint" not in older and "#" not in older
    second = admin_client.get(older).get_data(as_text=True)
    assert len(_rows(second)) == 5


@pytest.mark.parametrize("role", ["trainer", "trainee", "governance"])
def test_people_who_are_not_administrators_get_403(app, role):
    cohort = make_cohort()
    user = make_user()
    if role == "trainer":
        add_trainer(cohort, user)
    elif role == "trainee":
        add_trainee(cohort, user)
    else:
        add_governance(cohort.organisation, user)
    client = app.test_client()
    login(client, user)
    response = client.get("/admin/audit")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.get_data(as_text=True)


def test_audit_log_needs_signing_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_audit_events_cannot_be_changed_through_the_orm(db):
    event = record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    event.actor_label = "someone.else@example.org"
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id).actor_label == "nina@example.org"


def test_audit_events_cannot_be_deleted_through_the_orm(db):
    event = record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    db.session.delete(event)
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditEvent, event.id) is not None


def test_audit_events_cannot_be_bulk_updated_or_deleted_through_the_orm(db):
    record("sign_in_failed", actor_label="nina@example.org")
    db.session.commit()
    for statement in (
        update(AuditEvent).values(actor_label="x"),
        delete(AuditEvent),
        update(AuditEvent).where(AuditEvent.action == "sign_in_failed").values(action="x"),
    ):
        with pytest.raises(RuntimeError, match="append-only"):
            db.session.execute(statement)
        db.session.rollback()
    assert db.session.scalars(select(AuditEvent.actor_label)).all() == ["nina@example.org"]


def test_every_recorded_action_has_a_readable_label():
    import re
    from pathlib import Path

    from portfolio.audit import ACTION_LABELS

    source = "\n".join(p.read_text(encoding="utf-8") for p in Path("portfolio").rglob("*.py"))
    # Every writer names its action through the enum, never as a bare string ...
    assert not re.findall(r'record\(\s*"([a-z_]+)"', source)
    recorded = set(re.findall(r"record\(\s*Action\.([A-Z_]+)", source))
    assert recorded, "no record(Action.X) call found"
    # ... and every action of the enum reads as words in the log.
    assert set(Action) == set(ACTION_LABELS), set(Action) ^ set(ACTION_LABELS)
