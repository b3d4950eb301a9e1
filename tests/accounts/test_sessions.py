"""Sign-out ends the session on the server: a copied cookie opens nothing afterwards.

Sessions are signed cookies; each carries the account's ``session_version`` (the session
cookie in ``_user_id``, the remember-me cookie in its value). Sign-out, a password change
and deactivation bump the version, so every copy made before stops working.
"""

from __future__ import annotations

from tests.factories import PASSWORD, login, make_password_reset, make_user

NEW = "Seven swans glide past the mill"


def _cookies(client) -> dict[str, str]:
    return {cookie.key: cookie.value for cookie in client._cookies.values()}


def _replay(app, cookies: dict[str, str]):
    """A fresh browser that carries only the copied cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _signed_in(client) -> bool:
    return client.get("/dashboard").status_code == 200


def _sign_in_remembered(client, user) -> None:
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302


def test_a_session_cookie_copied_before_sign_out_is_signed_out_after(app):
    user = make_user()
    client = app.test_client()
    login(client, user)
    copied = _cookies(client)
    assert "session" in copied
    assert _signed_in(_replay(app, copied)), "the copy works while the session lasts"
    client.post("/sign-out")
    assert not _signed_in(_replay(app, copied))


def test_the_remember_me_cookie_alone_is_refused_after_sign_out(app):
    user = make_user()
    client = app.test_client()
    _sign_in_remembered(client, user)
    copied = _cookies(client)
    remember = {"remember_token": copied["remember_token"]}
    assert _signed_in(_replay(app, remember)), "the remember-me cookie alone signs in"
    client.post("/sign-out")
    assert not _signed_in(_replay(app, remember))
    assert not _signed_in(_replay(app, copied))


def test_sign_out_ends_the_sessions_on_other_devices_too(app):
    user = make_user()
    phone, laptop = app.test_client(), app.test_client()
    login(phone, user)
    _sign_in_remembered(laptop, user)
    phone.post("/sign-out")
    assert not _signed_in(laptop)


def test_a_password_change_ends_copied_sessions_but_keeps_this_one(app):
    user = make_user()
    client = app.test_client()
    _sign_in_remembered(client, user)
    copied = _cookies(client)
    response = client.post(
        "/account/password", data={"current": PASSWORD, "password": NEW, "confirm": NEW}
    )
    assert response.status_code == 303
    assert _signed_in(client)
    assert not _signed_in(_replay(app, copied))
    assert not _signed_in(_replay(app, {"remember_token": copied["remember_token"]}))
    # The new remember-me cookie of this browser works on its own.
    assert _signed_in(_replay(app, {"remember_token": _cookies(client)["remember_token"]}))


def test_a_password_reset_ends_copied_sessions(app):
    user = make_user()
    client = app.test_client()
    _sign_in_remembered(client, user)
    copied = _cookies(client)
    token = make_password_reset(user)
    app.test_client().post(f"/reset-password/{token}", data={"password": NEW, "confirm": NEW})
    assert not _signed_in(_replay(app, copied))
    assert not _signed_in(_replay(app, {"remember_token": copied["remember_token"]}))


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, db):
    from portfolio.accounts import services

    user = make_user()
    admin = make_user(admin=True)
    client = app.test_client()
    _sign_in_remembered(client, user)
    copied = _cookies(client)
    services.deactivate(admin, user)
    db.session.commit()
    assert not _signed_in(client)
    services.reactivate(admin, user)
    db.session.commit()
    assert not _signed_in(_replay(app, copied)), "reopening does not revive old cookies"
    assert not _signed_in(_replay(app, {"remember_token": copied["remember_token"]}))
    login(app.test_client(), user)  # the person signs in again with the password
