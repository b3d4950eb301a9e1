"""Your own account: name and the language of the interface."""

from __future__ import annotations

from sqlalchemy import select

from portfolio.audit.models import AuditEvent
from tests.factories import login, make_user


def _lang(response):
    html = response.get_data(as_text=True)
    for code in ("nl", "en"):
        if f'<html lang="{code}">' in html:
            return code
    raise AssertionError("no <html lang> in the page")


def test_saved_language_wins_over_the_browsers_language(client):
    login(client, make_user(language="nl"))
    response = client.get("/dashboard", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert _lang(response) == "nl"


def test_changing_the_profile_language_changes_the_interface(client, db):
    user = make_user(name="Sam Sample")
    login(client, user)
    headers = {"Accept-Language": "en"}
    assert _lang(client.get("/account", headers=headers)) == "en"

    response = client.post("/account", data={"name": "Sam Sample", "language": "nl"})
    assert response.status_code == 303
    page = client.get("/account", headers=headers)
    assert _lang(page) == "nl"
    db.session.refresh(user)
    assert user.language == "nl"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "profile_changed"))


def test_follow_my_browser_uses_accept_language_again(client, db):
    user = make_user(language="nl")
    login(client, user)
    client.post("/account", data={"name": user.name, "language": ""})
    db.session.refresh(user)
    assert user.language is None
    assert _lang(client.get("/dashboard", headers={"Accept-Language": "en"})) == "en"
    assert _lang(client.get("/dashboard", headers={"Accept-Language": "nl-NL"})) == "nl"


def test_saved_language_wins_over_the_language_cookie(client):
    client.post("/language", data={"lang": "en", "next": "/"})
    login(client, make_user(language="nl"))
    assert _lang(client.get("/dashboard")) == "nl"


def test_profile_refuses_an_unknown_language(client, db):
    user = make_user(language="en")
    login(client, user)
    response = client.post("/account", data={"name": user.name, "language": "xx"})
    assert response.status_code == 200
    assert "Not a valid choice" in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.language == "en"


def test_profile_name_is_required(client, db):
    user = make_user(name="Sam Sample")
    login(client, user)
    response = client.post("/account", data={"name": "   ", "language": ""})
    assert "Enter your name." in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.name == "Sam Sample"
