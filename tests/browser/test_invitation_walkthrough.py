"""In a real browser: a trainer invites, the trainee joins from the link, ids cannot be guessed.

E-mail is not configured here, so the trainer copies the link from the page, as a
trainer would without a mail server. The pages on the way are checked with axe-core.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import artifact, watch_console
from tests.factories import (
    PASSWORD,
    add_trainee,
    add_trainer,
    make_cohort,
    make_organisation,
    make_user,
)

pytestmark = pytest.mark.browser

NEW = "Seven swans glide past the mill"


def _no_violations(axe: Any, page: Any, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"axe found problems on {what}: {violations}"


def _sign_in(page: Any, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard")


def test_trainer_invites_trainee_who_signs_up_and_cannot_guess_other_pages(
    app, browser, live_server, page, axe
):
    organisation = make_organisation("Comune di Forlì")
    cohort = make_cohort(organisation, "Dialogical Tutor Training 2025")
    trainer = make_user("trainer@example.org", "Tom Trainer")
    add_trainer(cohort, trainer)
    other_cohort = make_cohort(make_organisation("Elsewhere"), "Another Training")
    stranger = make_user("stranger@example.org", "Sara Stranger")
    add_trainee(other_cohort, stranger)

    # The trainer signs in and invites a trainee; without e-mail the link is shown.
    page.goto("/sign-in")
    _no_violations(axe, page, "the sign-in page")
    _sign_in(page, "trainer@example.org", PASSWORD)
    page.get_by_role("link", name="Dialogical Tutor Training 2025", exact=True).click()
    page.get_by_label("E-mail address").fill("nina@example.org")
    page.get_by_label("Name", exact=True).fill("Nina Newcomer")
    page.get_by_label("Role in this cohort").select_option("trainee")
    page.get_by_role("button", name="Send the invitation").click()
    link = page.locator("code.copy-link").inner_text().strip()
    assert link.startswith(f"{live_server.url}/invitations/accept/")
    assert page.console_errors == []
    _no_violations(axe, page, "the cohort page with the link to copy")

    # The trainee opens the link in a browser of their own.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    try:
        newcomer = context.new_page()
        newcomer.set_default_timeout(10_000)
        watch_console(newcomer)
        newcomer.goto(link)
        assert newcomer.get_by_role("heading", name="Create your account").is_visible()
        assert newcomer.get_by_label("Your name").input_value() == "Nina Newcomer"
        _no_violations(axe, newcomer, "the sign-up page")
        newcomer.screenshot(path=artifact("invitation-sign-up.png"), full_page=True)

        # A weak password first: the errors are explained, and accessibly so.
        newcomer.get_by_label("New password", exact=True).fill("welkom1234")
        newcomer.get_by_label("Repeat the new password").fill("welkom1234")
        newcomer.get_by_role("button", name="Create my account").click()
        assert newcomer.get_by_role("alert").get_by_text("too common").is_visible()
        _no_violations(axe, newcomer, "the sign-up page with an error")

        newcomer.get_by_label("New password", exact=True).fill(NEW)
        newcomer.get_by_label("Repeat the new password").fill(NEW)
        newcomer.get_by_role("button", name="Create my account").click()
        newcomer.wait_for_url("**/dashboard")
        assert newcomer.get_by_role("heading", name="Hello, Nina Newcomer").is_visible()
        assert newcomer.get_by_text("Your account is ready. Welcome, Nina Newcomer.").is_visible()
        _no_violations(axe, newcomer, "the dashboard")

        # Later: sign out, and sign in again with the new password.
        newcomer.get_by_role("button", name="Sign out").click()
        newcomer.wait_for_url(f"{live_server.url}/")
        _sign_in(newcomer, "nina@example.org", NEW)
        assert newcomer.get_by_text("Dialogical Tutor Training 2025").is_visible()

        assert newcomer.console_errors == [], "no CSP violations or script errors"

        # The link was for one use only.
        newcomer.goto(link)
        assert newcomer.get_by_text("It has already been used").is_visible()

        # Guessing the ids of someone else's portfolio or another cohort shows the 404 page.
        for url in (
            f"/trainees/{stranger.id}",
            f"/cohorts/{other_cohort.id}",
            f"/cohorts/{cohort.id}",
        ):
            response = newcomer.goto(url)
            assert response.status == 404, url
            assert newcomer.get_by_role("heading", name="Page not found").is_visible()
            assert "Sara Stranger" not in newcomer.content()
            assert "Another Training" not in newcomer.content()
        _no_violations(axe, newcomer, "the 404 page")
        # The browser notes each 404 it was given; nothing else went wrong.
        assert all("404" in error for error in newcomer.console_errors), newcomer.console_errors
    finally:
        context.close()
