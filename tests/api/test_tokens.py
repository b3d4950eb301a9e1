"""Personal access tokens: made on the profile's token page and shown once, stored only as
a hash, expiring, revoked at once, dead with a closed account, and audited."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import select

from portfolio.accounts import services as accounts
from portfolio.api.models import AccessToken, TokenScope
from portfolio.audit.models import AuditEvent
from portfolio.clock import today, utcnow
from tests.api.conftest import bearer, make_token
from tests.factories import login, make_user


def _make_on_the_page(client, name="My spreadsheet", scope="own", expires_on=None):
    expires = (expires_on or today() + timedelta(days=10)).isoformat()
    return client.post(
        "/account/tokens", data={"name": name, "scope": scope, "expires_on": expires}
    )


def test_the_profile_links_to_the_token_page_with_a_sensible_default(client, db):
    user = make_user()
    login(client, user)
    assert "/account/tokens" in client.get("/account").get_data(as_text=True)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert (today() + timedelta(days=30)).isoformat() in page


def test_a_token_is_shown_once_and_only_its_hash_is_kept(client, db):
    user = make_user()
    login(client, user)
    made = _make_on_the_page(client)
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    token = html.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("dtp_") and len(token) > 40
    stored = db.session.scalar(select(AccessToken))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.name, stored.hint, stored.token_hash}
    assert token not in client.get("/account/tokens").get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["id"] == user.id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "api_token_created"))
    assert event.actor_id == user.id and token not in str(event.details)


def test_expiry_dates_outside_today_to_a_year_are_refused_with_a_message(client, db):
    login(client, make_user())
    too_late = _make_on_the_page(client, expires_on=today() + timedelta(days=400))
    assert too_late.status_code == 400
    assert "at most a year" in too_late.get_data(as_text=True)
    too_early = _make_on_the_page(client, expires_on=today() - timedelta(days=1))
    assert too_early.status_code == 400
    nameless = _make_on_the_page(client, name="  ")
    assert nameless.status_code == 400
    assert db.session.scalar(select(db.func.count(AccessToken.id))) == 0


def test_an_expired_token_stops_working(client, db):
    user = make_user()
    token = make_token(user)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    stored = db.session.scalar(select(AccessToken))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_revoking_works_at_once_and_only_for_the_owner(client, db):
    owner, other = make_user(), make_user()
    token = make_token(owner, TokenScope.OWN, name="laptop")
    stored = db.session.scalar(select(AccessToken))
    login(client, other)
    assert client.get(f"/account/tokens/{stored.id}/revoke").status_code == 404
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 404
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    client.post("/sign-out")
    login(client, owner)
    assert "laptop" in client.get(f"/account/tokens/{stored.id}/revoke").get_data(as_text=True)
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 303
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert (
        db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "api_token_revoked")
        ).actor_id
        == owner.id
    )


def test_a_closed_account_s_tokens_stop_working_and_stay_dead(client, db):
    admin, user = make_user(admin=True), make_user()
    token = make_token(user)
    accounts.deactivate(admin, user)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    accounts.reactivate(admin, user)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_a_closed_account_is_refused_even_before_its_tokens_are_revoked(client, db):
    user = make_user()
    token = make_token(user)
    user.active = False  # as if closed by hand, without the service
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_as_a_new_user_would(client, db, world):
    """A trainee makes a token, reads their rounds, cannot read another's, and revokes it."""
    login(client, world.people["trainee"])
    page = _make_on_the_page(client, name="curl").get_data(as_text=True)
    token = page.split('id="new-token">')[1].split("<")[0]
    reader = client.application.test_client()  # no cookie: only the token
    rounds = reader.get("/api/v1/me/rounds", headers=bearer(token)).get_json()
    assert [r["title"] for r in rounds["items"]] == ["Baseline"]
    other = reader.get(f"/api/v1/me/rounds/{world.round_b.id}", headers=bearer(token))
    assert other.status_code == 404 and "Otto" not in other.get_data(as_text=True)
    stored = db.session.scalar(select(AccessToken).where(AccessToken.name == "curl"))
    assert client.post(f"/account/tokens/{stored.id}/revoke").status_code == 303
    assert reader.get("/api/v1/me/rounds", headers=bearer(token)).status_code == 401
