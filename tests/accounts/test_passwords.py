"""Password policy, changing your password, and resetting it by a single-use link."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from portfolio.accounts.models import PasswordReset
from portfolio.accounts.passwords import password_problem
from portfolio.audit.models import AuditEvent
from tests.factories import PASSWORD, finish, login, make_password_reset, make_user

NEW = "Seven swans glide past the mill"
PASSPHRASE_64 = "the river keeps its own counsel while the old ferry waits at dusk"  # 65
PASSPHRASE_200 = (
    "In the morning the dialogue group met in the library, and every voice was heard: "
    "the mother, the teacher, the neighbour, the young man who said almost nothing, "
    "and the social worker who listened well."
)
assert len(PASSPHRASE_64) > 64 and len(PASSPHRASE_200) == 200


def _sign_in(client, email, password):
    return client.post("/sign-in", data={"email": email, "password": password})


# --- the policy --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short1!", "at least 10 characters"),
        ("password123", "too common"),
        ("welkom1234", "too common"),
        ("Wachtwoord2024!", "too common"),
        ("qwerty12345", "too common"),
        ("aaaaaaaaaaaaaaaa", "too common"),
        ("x" * 1025, "at most 1024 characters"),
        ("sofiabianchi2025", "your name or e-mail"),
        ("Bianchi is my tutor", "your name or e-mail"),
        ("sofia.b@example sofia.b", "your name or e-mail"),
    ],
)
def test_password_policy_refuses(app, password, problem):
    with app.test_request_context():
        message = password_problem(password, email="sofia.b@example.org", name="Sofia Bianchi")
    assert message is not None and problem in message


@pytest.mark.parametrize(
    "password",
    [PASSWORD, "correct horse battery staple", PASSPHRASE_64, PASSPHRASE_200, "x7#Kq!2vLm9@"],
)
def test_password_policy_accepts_long_passphrases_and_random_passwords(app, password):
    with app.test_request_context():
        problem = password_problem(password, email="sofia.b@example.org", name="Sofia Bianchi")
    assert problem is None


# --- changing the password -----------------------------------------------------------------


def test_change_password_needs_the_current_password(client, db):
    user = make_user("sam@example.org")
    login(client, user)
    response = client.post(
        "/account/password", data={"current": "not my password", "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 200
    assert "This is not your current password." in response.get_data(as_text=True)
    client.post("/sign-out")
    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 302


def test_change_password_applies_the_policy_with_the_users_own_name(client):
    login(client, make_user("sam@example.org", "Samantha Sample"))
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": "samantha-rules-1", "confirm": "samantha-rules-1"},
    )
    assert "Do not use your name or e-mail address" in response.get_data(as_text=True)


def test_change_password_needs_the_same_password_twice(client):
    login(client, make_user())
    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW + "!"}
    )
    assert "The two passwords are not the same." in response.get_data(as_text=True)


def test_changing_the_password_signs_out_other_sessions_but_not_this_one(app, db):
    user = make_user("sam@example.org")
    here, elsewhere, remembered = app.test_client(), app.test_client(), app.test_client()
    login(here, user)
    login(elsewhere, user)
    remembered.post(
        "/sign-in", data={"email": "sam@example.org", "password": PASSWORD, "remember": "y"}
    )
    assert remembered.get_cookie("remember_token") is not None

    response = here.post(
        "/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 303

    assert here.get("/account").status_code == 200
    assert elsewhere.get("/account").status_code == 302
    # Neither does a "keep me signed in" cookie from before the change bring the session back.
    remembered.delete_cookie("session")
    assert remembered.get("/account").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password_changed"))

    fresh = app.test_client()
    assert _sign_in(fresh, "sam@example.org", PASSWORD).status_code == 401
    assert _sign_in(fresh, "sam@example.org", NEW).status_code == 302


def test_keep_me_signed_in_survives_changing_the_password_on_this_device(client):
    make_user("sam@example.org")
    client.post(
        "/sign-in", data={"email": "sam@example.org", "password": PASSWORD, "remember": "y"}
    )
    client.post("/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    client.delete_cookie("session")  # the browser was closed
    assert client.get("/account").status_code == 200


def test_a_200_character_passphrase_works_end_to_end(client):
    user = make_user("sam@example.org")
    login(client, user)
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": PASSPHRASE_200, "confirm": PASSPHRASE_200},
    )
    assert response.status_code == 303
    client.post("/sign-out")
    assert _sign_in(client, "sam@example.org", PASSPHRASE_200).status_code == 302
    client.post("/sign-out")
    assert _sign_in(client, "sam@example.org", PASSPHRASE_200[:-1]).status_code == 401


# --- resetting it by link ------------------------------------------------------------------


def test_reset_link_sets_a_new_password_once(client, db):
    user = make_user("sam@example.org")
    token = make_password_reset(user)
    assert client.get(f"/reset-password/{token}").status_code == 200
    response = client.post(f"/reset-password/{token}", data={"password": NEW, "confirm": NEW})
    assert response.status_code == 303
    assert response.headers["Location"] == "/sign-in"

    again = client.get(f"/reset-password/{token}")
    assert again.status_code == 404
    assert "This link no longer works" in again.get_data(as_text=True)
    assert (
        client.post(
            f"/reset-password/{token}", data={"password": "Yet another kettle 3", "confirm": "x"}
        ).status_code
        == 404
    )

    assert _sign_in(client, "sam@example.org", PASSWORD).status_code == 401
    assert _sign_in(client, "sam@example.org", NEW).status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "password_reset"))


def test_expired_reset_link_no_longer_works(client):
    user = make_user()
    token = make_password_reset(user, lifetime=timedelta(seconds=-1))
    response = client.get(f"/reset-password/{token}")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_made_up_reset_link_gets_the_same_404(client):
    response = client.get("/reset-password/not-a-real-token")
    assert response.status_code == 404
    assert "This link no longer works" in response.get_data(as_text=True)


def test_reset_signs_out_every_session_of_that_account(app):
    user = make_user("sam@example.org")
    signed_in = app.test_client()
    login(signed_in, user)
    token = make_password_reset(user)
    app.test_client().post(f"/reset-password/{token}", data={"password": NEW, "confirm": NEW})
    assert signed_in.get("/dashboard").status_code == 302


def test_reset_makes_the_other_outstanding_reset_links_useless(client, db):
    user = make_user()
    first = make_password_reset(user)
    second = make_password_reset(user)
    client.post(f"/reset-password/{second}", data={"password": NEW, "confirm": NEW})
    assert client.get(f"/reset-password/{first}").status_code == 404
    assert all(r.used_at is not None for r in db.session.scalars(select(PasswordReset)))


def test_changing_the_password_makes_outstanding_reset_links_useless(client):
    user = make_user()
    token = make_password_reset(user)
    login(client, user)
    client.post("/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW})
    client.post("/sign-out")
    assert client.get(f"/reset-password/{token}").status_code == 404


def test_reset_applies_the_password_policy(client, db):
    user = make_user("sam@example.org", "Samantha Sample")
    token = make_password_reset(user)
    response = client.post(
        f"/reset-password/{token}", data={"password": "welkom1234", "confirm": "welkom1234"}
    )
    assert response.status_code == 200
    assert "too common" in response.get_data(as_text=True)
    response = client.post(
        f"/reset-password/{token}",
        data={"password": "samantha sample!", "confirm": "samantha sample!"},
    )
    assert "Do not use your name" in response.get_data(as_text=True)
    assert client.get(f"/reset-password/{token}").status_code == 200, "a refused try uses nothing"


def test_forgot_password_answers_the_same_for_known_and_unknown_addresses(client, db):
    make_user("sam@example.org")
    make_user("gone@example.org", active=False)
    pages = {
        email: finish(client.post("/forgot-password", data={"email": email}))
        for email in ("sam@example.org", "nobody@example.org", "gone@example.org")
    }
    bodies = {
        e: re.sub(r'value="[^"]*"', "", r.get_data(as_text=True)).replace(e, "X")
        for e, r in pages.items()
    }
    assert {r.status_code for r in pages.values()} == {200}
    assert len(set(bodies.values())) == 1
    assert "No e-mail will arrive" in bodies["nobody@example.org"], "without SMTP, no promise"
    resets = db.session.scalars(select(PasswordReset)).all()
    assert [r.user.email for r in resets] == ["sam@example.org"]


def test_a_password_the_app_sets_is_hashed_at_the_full_work_factor(db):
    """The test accounts use a cheap factor (tests/factories.py); the app never does."""
    user = make_user("factor@example.org")
    assert user.password_hash.startswith("scrypt:1024:")
    user.set_password(NEW)
    method, n, *_ = user.password_hash.split("$", 1)[0].split(":")
    assert method == "scrypt"
    assert int(n) >= 32768
    assert user.check_password(NEW)
