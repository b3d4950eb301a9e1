"""In a real browser at phone and desktop width: the autosave status sits in the sticky bar
where the person works, speaks the interface language, and a refused field says so at the
field; the rounds page plans, refuses with reasons, deletes and closes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from portfolio.assessment.models import Reflection, Round
from portfolio.clock import today
from tests.assessment.conftest import world  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

WIDTHS = [(390, 844), (1280, 900)]


def _tab(browser, live_server, width, height, locale="en-GB"):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": height}, locale=locale
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.console_errors = []
    tab.on("pageerror", lambda error: tab.console_errors.append(str(error)))
    return context, tab


def _sign_in(tab, user):
    tab.goto("/sign-in")
    tab.fill("#email", user.email)
    tab.fill("#password", PASSWORD)
    tab.press("#password", "Enter")
    tab.wait_for_url("**/dashboard")


def _answer(world, db):  # noqa: F811
    from portfolio.assessment import saving
    from portfolio.assessment.models import Rating

    assessment = saving.get_or_create_assessment(world.round, world.trainee)
    indicator = world.indicators("demand")[0]
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=2))
    db.session.commit()


def _in_viewport(tab, selector):
    return tab.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight; }""",
        selector,
    )


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_the_save_status_is_in_the_sticky_bar_where_one_works(
    browser,
    live_server,
    world,  # noqa: F811
    db,
    width,
    height,
    axe,
):
    context, tab = _tab(browser, live_server, width, height)
    _sign_in(tab, world.trainee)
    tab.goto(f"/rounds/{world.round.id}/competencies/demand")
    status = "[data-save-status]"
    assert tab.locator(f".form-actions--sticky {status}").count() == 1
    assert tab.locator(status).count() == 1
    # Work on an answer far down the page: the status is on screen next to it.
    rating = tab.locator("fieldset.rating").nth(8)
    rating.scroll_into_view_if_needed()
    rating.locator("label.scale-option").nth(1).click()
    tab.wait_for_selector(f"{status}.save-status--ok")
    text = tab.locator(status).inner_text()
    assert text.startswith("All changes saved (") and "M)" not in text, text
    assert _in_viewport(tab, status), "the status is out of sight"
    # The reflection at the very end, too.
    tab.locator("#reflection-text").scroll_into_view_if_needed()
    tab.fill("#reflection-text", "Listening first.")
    tab.wait_for_function(
        "() => document.querySelector('[data-save-status]').textContent.startsWith('All')"
        " && document.querySelector('[data-save-status]').classList.contains('save-status--ok')"
    )
    assert _in_viewport(tab, status)
    assert tab.evaluate("document.documentElement.scrollWidth") <= width
    assert axe(tab) == []
    assert tab.console_errors == []
    context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_a_nul_in_the_reflection_is_refused_at_the_field_by_autosave(
    browser,
    live_server,
    world,  # noqa: F811
    db,
    width,
    height,
):
    context, tab = _tab(browser, live_server, width, height)
    _sign_in(tab, world.trainee)
    tab.goto(f"/rounds/{world.round.id}/competencies/learning")
    tab.locator("#reflection-text").scroll_into_view_if_needed()
    tab.fill("#reflection-text", "Pasted from a PDF:\u0000 it looked fine.")
    error = tab.locator('[data-field-error="reflection"]')
    error.wait_for(state="visible")
    assert "invisible control character" in error.inner_text()
    assert error.get_attribute("aria-live") == "polite"
    described = tab.locator("#reflection-text").get_attribute("aria-describedby")
    assert "reflection-error" in described.split()
    status = tab.locator("[data-save-status]").inner_text()
    assert "see the messages at the marked answers" in status
    # The character is gone from the box; the next change saves the text.
    assert tab.locator("#reflection-text").input_value() == "Pasted from a PDF: it looked fine."
    db.session.expire_all()
    assert db.session.scalars(select(Reflection)).all() == []
    tab.locator("#reflection-text").press("End")
    tab.keyboard.type(" Really.")
    error.wait_for(state="hidden")
    tab.wait_for_selector("[data-save-status].save-status--ok")
    db.session.expire_all()
    assert db.session.scalars(select(Reflection.body)).all() == [
        "Pasted from a PDF: it looked fine. Really."
    ]
    context.close()


def test_the_autosave_texts_follow_the_interface_language(browser, live_server, world, db):  # noqa: F811
    context, tab = _tab(browser, live_server, 390, 844, locale="nl-NL")
    _sign_in(tab, world.trainee)
    tab.goto(f"/rounds/{world.round.id}/competencies/demand")
    assert tab.evaluate("document.documentElement.lang") == "nl"
    tab.locator("fieldset.rating").nth(0).locator("label.scale-option").nth(2).click()
    tab.wait_for_selector("[data-save-status].save-status--ok")
    assert (
        tab.locator("[data-save-status]")
        .inner_text()
        .startswith("Alle wijzigingen zijn opgeslagen (")
    )
    context.close()


@pytest.mark.parametrize(("width", "height"), WIDTHS)
def test_rounds_page_refuses_with_reasons_deletes_and_closes(
    browser,
    live_server,
    world,  # noqa: F811
    db,
    width,
    height,
    axe,
):
    upcoming = world.add_round("Later on", 30, 40)
    _answer(world, db)
    context, tab = _tab(browser, live_server, width, height)
    _sign_in(tab, world.trainer)
    tab.goto(f"/cohorts/{world.cohort.id}/rounds")
    assert axe(tab) == []

    # Overlapping the open round: refused, with the reason at the opening day.
    day = lambda n: (today() + timedelta(days=n)).isoformat()  # noqa: E731
    tab.fill("#title", "Clash")
    tab.fill("#opens_on", day(2))
    tab.fill("#closes_on", day(9))
    tab.get_by_role("button", name="Plan the round").click()
    tab.wait_for_selector("#opens_on-error")
    assert "overlap with the round “After module 1”" in tab.locator("#opens_on-error").inner_text()
    assert tab.locator("#title").input_value() == "Clash", "what was typed is kept"
    assert axe(tab) == []

    # Delete the upcoming round, through its confirmation page.
    tab.locator(f'a[href="/rounds/{upcoming.id}/delete"]').click()
    tab.wait_for_url(f"**/rounds/{upcoming.id}/delete")
    assert axe(tab) == []
    tab.get_by_role("button", name="Delete the round").click()
    tab.wait_for_url(f"**/cohorts/{world.cohort.id}/rounds")
    assert "is deleted" in tab.content()

    # The open round has an answer: it can only be closed, through its confirmation page.
    assert tab.locator(f'a[href="/rounds/{world.round.id}/delete"]').count() == 0
    tab.locator(f'a[href="/rounds/{world.round.id}/close"]').click()
    tab.wait_for_url(f"**/rounds/{world.round.id}/close")
    assert "Everything they saved is kept" in tab.content()
    assert axe(tab) == []
    tab.get_by_role("button", name="Close the round now").click()
    tab.wait_for_url(f"**/cohorts/{world.cohort.id}/rounds")
    assert "is closed" in tab.content()
    db.session.expire_all()
    assert {r.title for r in db.session.scalars(select(Round))} == {"After module 1"}
    assert db.session.scalar(select(Round.closed_at)) is not None
    # (Sideways scrolling of the rounds table at phone width is the responsive-tables work.)
    context.close()
