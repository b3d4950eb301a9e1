"""A long list in the browser: one page of 50 at phone and desktop width, axe-clean, with
Previous / Next that work without JavaScript."""

from __future__ import annotations

import pytest

from benchmarks.synthetic import PASSWORD, build
from tests.browser.conftest import artifact


@pytest.fixture
def world(app, db):
    world = build(70, rounds=2, seed=11)
    db.session.commit()
    return world


@pytest.mark.parametrize(("width", "locale"), [(390, "nl-NL"), (1280, "en-GB")])
def test_round_progress_pages_through_seventy_trainees(
    browser, live_server, axe, world, width, locale
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}, locale=locale
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    try:
        tab.goto("/sign-in")
        tab.fill("#email", world.trainer.email)
        tab.fill("#password", PASSWORD)
        tab.press("#password", "Enter")
        tab.wait_for_url("**/dashboard")
        tab.goto(f"/rounds/{world.round_ids[0]}/progress")
        assert tab.locator("tbody tr").count() == 50
        assert tab.locator("nav.pagination").is_visible()
        assert axe(tab) == []
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        tab.screenshot(path=artifact(f"round-progress-page-1-{width}.png"), full_page=True)
        tab.locator("nav.pagination a").last.click()
        tab.wait_for_url("**page=2")
        assert tab.locator("tbody tr").count() == 20
        assert "51–70" in tab.locator("main").inner_text()
        assert axe(tab) == []
    finally:
        context.close()
