"""Links in e-mails and on pages are built on BASE_URL, never on the request's Host header."""

from __future__ import annotations

import logging
import re

import pytest

from tests.cohorts.conftest import link_in
from tests.factories import PASSWORD, add_trainer, extra_app, make_cohort, make_user

BASE = "https://portfolio.example.org"


def _login_on_evil_host(client, user):
    """The attacker's request goes to evil.example, and so does its session cookie."""
    response = client.post(
        "/sign-in",
        data={"email": user.email, "password": PASSWORD},
        headers={"Host": "evil.example"},
    )
    assert response.status_code == 302


def _invite(client, cohort, email="nina@example.org"):
    return client.post(
        f"/cohorts/{cohort.id}",
        data={"email": email, "role": "trainee"},
        headers={"Host": "evil.example"},
    )


def test_an_invitation_link_shown_on_the_page_ignores_a_forged_host(app, database_url, caplog):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    with extra_app(database_url, BASE_URL=BASE) as second:
        client = second.test_client()
        _login_on_evil_host(client, trainer)
        with caplog.at_level(logging.WARNING, logger="portfolio"):
            html = _invite(client, cohort).get_data(as_text=True)
    assert "evil.example" not in html
    link = re.search(r'<code class="copy-link">([^<]+)</code>', html)[1]
    assert re.fullmatch(BASE + r"/invitations/accept/[A-Za-z0-9_-]{40,}", link)
    # Without e-mail, the console log gets the same link, on one line.
    (line,) = [r.getMessage() for r in caplog.records if "/invitations/accept/" in r.getMessage()]
    assert link in line and "nina@example.org" in line and "evil.example" not in line


def test_an_invitation_link_mailed_ignores_a_forged_host(app, database_url, smtp):
    cohort = make_cohort()
    trainer = make_user()
    add_trainer(cohort, trainer)
    with extra_app(
        database_url, BASE_URL=BASE, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port
    ) as second:
        client = second.test_client()
        _login_on_evil_host(client, trainer)
        assert _invite(client, cohort).status_code == 303
    _envelope, message = smtp.only_message()
    body = message.get_content()
    assert "evil.example" not in body
    assert BASE + "/invitations/accept/" in body
    assert link_in(message).startswith("/invitations/accept/")


def test_absolute_url_keeps_a_path_prefix_and_works_without_a_request(app):
    from portfolio.urls import absolute_url

    app.config["BASE_URL"] = "https://example.org/portfolio/"
    assert absolute_url("accounts.reset_password", token="abc") == (
        "https://example.org/portfolio/reset-password/abc"
    )
    with app.test_request_context("/", base_url="http://evil.example"):
        assert absolute_url("main.index") == "https://example.org/portfolio/"


@pytest.mark.parametrize("bad", ["", "portfolio.example.org", "ftp://x.org", "https://"])
def test_a_base_url_that_is_no_address_is_explained(app, bad):
    from portfolio.urls import BaseUrlError, absolute_url

    app.config["BASE_URL"] = bad
    with pytest.raises(BaseUrlError, match="PORTFOLIO_BASE_URL must be the public address"):
        absolute_url("main.index")


def test_the_cli_invitation_link_is_on_base_url(app, runner):
    cohort = make_cohort()
    app.config["BASE_URL"] = BASE
    result = runner.invoke(
        args=["users", "invite", "--email", "nina@example.org", "--cohort", str(cohort.id)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(re.escape(BASE) + r"/invitations/accept/\S{40,}", result.output)
