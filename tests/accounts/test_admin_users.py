"""The administrators' people page: find accounts, close and reopen them, reset links."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from portfolio.accounts.models import PasswordReset, User
from portfolio.audit.models import AuditEvent
from tests.accounts.conftest import link_in
from tests.factories import PASSWORD, login, make_user

NEW = "Seven swans glide past the mill"


def _events(db, action):
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def _admin_client(app):
    client = app.test_client()
    login(client, make_user("ada@example.org", "Ada Admin", admin=True))
    return client


def test_people_are_listed_searched_and_paged(app):
    client = _admin_client(app)
    for n in range(60):
        make_user(f"trainee{n:02d}@example.org", f"Trainee {n:02d}")
    make_user("kim.k@example.org", "Kim Keller")
    first = client.get("/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in first
    assert "Ada Admin" in first
    second = client.get("/admin/users?page=2").get_data(as_text=True)
    assert "Page 2 of 2" in second
    found = client.get("/admin/users?q=KELLER").get_data(as_text=True)
    assert "kim.k@example.org" in found and "trainee01@example.org" not in found
    by_mail = client.get("/admin/users?q=kim.k@").get_data(as_text=True)
    assert "Kim Keller" in by_mail


def test_page_numbers_are_bounded(app):
    client = _admin_client(app)
    for page in ("99999999999999999999", "-1", "abc", "0", "500"):
        response = client.get(f"/admin/users?page={page}")
        assert response.status_code == 200, page
        assert "Ada Admin" in response.get_data(as_text=True), page
    assert client.get("/admin/users?q=%00%01").status_code == 200


def test_people_page_is_for_administrators_only(app):
    client = app.test_client()
    login(client, make_user())
    assert client.get("/admin/users").status_code == 403


def test_closing_an_account_asks_first_then_signs_it_out_everywhere(app, db):
    client = _admin_client(app)
    person = make_user("sam@example.org", "Sam Sample")
    theirs = app.test_client()
    login(theirs, person)

    confirm = client.get(f"/admin/users/{person.id}/deactivate")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "Close the account of Sam Sample?" in html
    db.session.expire_all()
    assert db.session.get(User, person.id).active, "the confirmation page changes nothing"

    response = client.post(f"/admin/users/{person.id}/deactivate")
    assert response.status_code == 303
    assert "signed out everywhere" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert theirs.get("/dashboard").status_code == 302
    assert (
        app.test_client()
        .post("/sign-in", data={"email": "sam@example.org", "password": PASSWORD})
        .status_code
        == 401
    )
    (event,) = _events(db, "account_deactivated")
    assert (event.actor_label, event.object_id) == ("ada@example.org", person.id)

    assert client.post(f"/admin/users/{person.id}/reactivate").status_code == 303
    login(app.test_client(), person)
    assert len(_events(db, "account_reactivated")) == 1


def test_an_administrator_cannot_close_their_own_account(app, db):
    admin = make_user(admin=True)
    client = app.test_client()
    login(client, admin)
    assert client.get(f"/admin/users/{admin.id}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{admin.id}/deactivate").status_code == 403
    assert client.post(f"/admin/users/{admin.id}/reset-link").status_code == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).active


# --- reset links without and with a mail server ---------------------------------------------


def test_without_smtp_the_administrator_is_shown_the_reset_link_and_it_is_logged(app, db, caplog):
    client = _admin_client(app)
    person = make_user("sam@example.org", "Sam Sample")
    page = client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    assert "Make a reset link" in page
    with caplog.at_level(logging.WARNING, logger="portfolio"):
        response = client.post(f"/admin/users/{person.id}/reset-link")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "E-mail is not set up, so nothing was sent" in html
    link = re.search(
        r'<code class="copy-link">http://localhost(/reset-password/[^<]+)</code>', html
    )[1]
    assert any(link in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    (event,) = _events(db, "password_reset_link_issued")
    assert event.actor_label == "ada@example.org"
    assert event.details == {"user": "sam@example.org", "mailed": False}
    client.post("/sign-out")
    assert client.post(link, data={"password": NEW, "confirm": NEW}).status_code == 303


def test_with_smtp_the_reset_link_is_sent_and_not_shown(mail_app, smtp, db):
    client = mail_app.test_client()
    login(client, make_user("ada@example.org", "Ada Admin", admin=True))
    person = make_user("sam@example.org", "Sam Sample")
    assert "Send a reset link" in client.get(f"/admin/users/{person.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{person.id}/reset-link")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "A link to choose a new password is sent to sam@example.org" in page
    assert "/reset-password/" not in page
    _envelope, message = smtp.only_message()
    assert message["To"] == "sam@example.org"
    assert link_in(message).startswith("/reset-password/")
    assert _events(db, "password_reset_link_issued")[0].details["mailed"] is True


def test_without_smtp_forgot_password_prints_the_link_to_the_console_and_says_so(
    client, db, caplog
):
    from tests.factories import finish

    make_user("sam@example.org")
    with caplog.at_level(logging.WARNING, logger="portfolio"):
        response = finish(client.post("/forgot-password", data={"email": "sam@example.org"}))
    html = response.get_data(as_text=True)
    assert "No e-mail will arrive" in html
    assert "on its way" not in html
    (line,) = [r.getMessage() for r in caplog.records if "/reset-password/" in r.getMessage()]
    assert "password-reset link" in line and "sam@example.org" in line
    link = re.search(r"http://localhost(/reset-password/\S+)", line)[1]
    assert client.get(link).status_code == 200
    assert len(db.session.scalars(select(PasswordReset)).all()) == 1


# --- the command line -----------------------------------------------------------------------


def test_cli_closes_and_reopens_an_account(app, runner, db):
    person = make_user("sam@example.org")
    theirs = app.test_client()
    login(theirs, person)
    result = runner.invoke(args=["users", "deactivate", "--email", "Sam@example.org"])
    assert result.exit_code == 0, result.output
    assert "Closed sam@example.org" in result.output
    assert theirs.get("/dashboard").status_code == 302
    assert _events(db, "account_deactivated")[0].actor_label == "cli"
    result = runner.invoke(args=["users", "reactivate", "--email", "sam@example.org"])
    assert result.exit_code == 0 and "Opened sam@example.org again" in result.output
    result = runner.invoke(args=["users", "deactivate", "--email", "nobody@example.org"])
    assert result.exit_code == 1 and "There is no account for nobody@example.org" in result.output


def test_cli_prints_a_reset_link_on_base_url(app, runner, db):
    make_user("sam@example.org")
    app.config["BASE_URL"] = "https://portfolio.example.org"
    result = runner.invoke(args=["users", "reset-link", "--email", "sam@example.org"])
    assert result.exit_code == 0, result.output
    assert re.search(r"https://portfolio\.example\.org/reset-password/\S{40,}", result.output)
