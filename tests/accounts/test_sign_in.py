"""Signing in and out: one generic answer for every failure, an audit trail, safe redirects."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from tests.factories import PASSWORD, login, make_user

GENERIC = "The e-mail address or password is not right"


def _without_csrf_tokens(html):
    """CSRF tokens carry a timestamp, so two pages a second apart differ there."""
    return re.sub(r'name="csrf_token"([^>]*?)value="[^"]*"', r'name="csrf_token"\1value=""', html)


def _events(db, action):
    return db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def test_right_password_signs_in_and_records_sign_in(client, db):
    user = make_user("sam@example.org", "Sam Sample")
    response = client.post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200
    (event,) = _events(db, "sign_in")
    assert (event.actor_id, event.actor_label) == (user.id, "sam@example.org")
    db.session.refresh(user)
    assert user.last_sign_in_at is not None


def test_e_mail_address_is_not_case_sensitive_at_sign_in(client):
    make_user("sam@example.org")
    response = client.post("/sign-in", data={"email": " Sam@EXAMPLE.org ", "password": PASSWORD})
    assert response.status_code == 302


def test_wrong_password_and_unknown_address_get_the_same_401_page(client, db):
    make_user("sam@example.org")
    wrong = client.post("/sign-in", data={"email": "sam@example.org", "password": "not it at all"})
    unknown = client.post(
        "/sign-in", data={"email": "nobody@example.org", "password": "not it at all"}
    )
    assert wrong.status_code == unknown.status_code == 401
    wrong_html = _without_csrf_tokens(wrong.get_data(as_text=True))
    unknown_html = _without_csrf_tokens(unknown.get_data(as_text=True))
    assert GENERIC in wrong_html
    # Apart from the address typed back into the form, the two answers are identical.
    assert wrong_html.replace("sam@example.org", "X") == unknown_html.replace(
        "nobody@example.org", "X"
    )
    assert client.get("/dashboard").status_code == 302


def test_failed_sign_ins_are_recorded_with_the_typed_address(client, db):
    user = make_user("sam@example.org")
    client.post("/sign-in", data={"email": "Sam@Example.org", "password": "not it at all"})
    client.post("/sign-in", data={"email": "ghost@example.org", "password": "not it at all"})
    known, unknown = _events(db, "sign_in_failed")
    assert (known.actor_label, known.actor_id, known.object_id) == (
        "sam@example.org",
        None,
        user.id,
    )
    assert (unknown.actor_label, unknown.actor_id, unknown.object_id) == (
        "ghost@example.org",
        None,
        None,
    )
    assert known.ip_address == "127.0.0.1"
    assert _events(db, "sign_in") == []


def test_every_failed_sign_in_costs_exactly_one_password_hash_check(client, monkeypatch):
    """Unknown, wrong and deactivated take equally long, so timing reveals no accounts."""
    import portfolio.accounts.models as models
    import portfolio.accounts.services as services

    checks = []

    def counting(original):
        def check(pwhash, password):
            checks.append(password)
            return original(pwhash, password)

        return check

    monkeypatch.setattr(models, "check_password_hash", counting(models.check_password_hash))
    monkeypatch.setattr(services, "check_password_hash", counting(services.check_password_hash))
    make_user("sam@example.org")
    make_user("gone@example.org", active=False)
    for email, password in [
        ("nobody@example.org", "not it at all"),
        ("sam@example.org", "not it at all"),
        ("gone@example.org", PASSWORD),
    ]:
        checks.clear()
        response = client.post("/sign-in", data={"email": email, "password": password})
        assert response.status_code == 401
        assert checks == [password], email


def test_deactivated_account_cannot_sign_in_and_gets_the_generic_answer(client, db):
    make_user("gone@example.org", active=False)
    response = client.post("/sign-in", data={"email": "gone@example.org", "password": PASSWORD})
    assert response.status_code == 401
    assert GENERIC in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302
    assert [e.actor_label for e in _events(db, "sign_in_failed")] == ["gone@example.org"]


def test_deactivating_an_account_ends_its_open_sessions(client, db):
    user = make_user()
    login(client, user)
    assert client.get("/dashboard").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_missing_fields_are_explained_without_signing_in(client):
    response = client.post("/sign-in", data={"email": "", "password": ""})
    html = response.get_data(as_text=True)
    assert "Enter your e-mail address." in html
    assert "Enter your password." in html
    assert client.get("/dashboard").status_code == 302


def test_signed_in_visitor_of_the_sign_in_page_goes_to_the_dashboard(client):
    login(client, make_user())
    response = client.get("/sign-in")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_sign_out_is_post_only_and_ends_the_session(client, db):
    user = make_user()
    login(client, user)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/dashboard").status_code == 200, "a GET must not sign out"
    response = client.post("/sign-out")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert client.get("/dashboard").status_code == 302
    (event,) = _events(db, "sign_out")
    assert event.actor_id == user.id


def test_405_page_says_which_methods_are_allowed(client):
    response = client.get("/sign-out")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "GET" not in response.headers["Allow"]
    assert "That action is not possible here" in response.get_data(as_text=True)


def test_pages_that_need_an_account_send_you_to_sign_in_and_back(client):
    make_user("sam@example.org")
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Faccount"
    response = client.post(
        response.headers["Location"], data={"email": "sam@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account"


def test_next_may_lead_to_a_path_with_a_query(client):
    make_user("sam@example.org")
    response = client.post(
        "/sign-in?next=/admin/audit%3Faction%3Dsign_in",
        data={"email": "sam@example.org", "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/audit?action=sign_in"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "/\\/evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "http:/evil.example",
    ],
)
def test_next_never_leads_off_the_site(client, target):
    make_user("sam@example.org")
    response = client.post(
        "/sign-in",
        query_string={"next": target},
        data={"email": "sam@example.org", "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
