"""The framework page in a real browser: renders, switches language, is accessible."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_framework_page_renders_all_five_competencies(page):
    page.goto("/framework")
    headings = page.locator("section.competency h2").all_inner_texts()
    assert len(headings) == 5
    assert "Innovation-oriented acting" in headings[0]
    assert page.locator("ul.indicators > li").count() == 60
    assert page.console_errors == []


def test_language_switch_changes_and_remembers_the_language(page):
    page.goto("/framework")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Nederlands").click()
    page.wait_for_url("**/framework")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert (
        "Vernieuwingsgericht handelen" in page.locator("section.competency h2").first.inner_text()
    )
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "nl"
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"


def test_framework_page_has_no_accessibility_violations(page, axe):
    page.goto("/framework")
    assert axe(page) == []
    page.goto("/")
    assert axe(page) == []


def test_framework_page_fits_a_phone_screen(phone_page, axe):
    phone_page.goto("/framework")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert phone_page.locator("html").get_attribute("lang") == "nl"
    assert axe(phone_page) == []


def test_context_opens_with_the_keyboard(page):
    page.goto("/framework")
    summary = page.locator("details.context summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.context").first.get_attribute("open") is not None


def test_the_accessibility_check_does_find_problems(page, axe):
    page.goto("/framework")
    page.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<img src=\"/static/favicon.svg\"><button></button>')"
    )
    found = {violation["id"] for violation in axe(page)}
    assert {"image-alt", "button-name"} <= found


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("locale", ["nl-NL", "en-GB"])
def test_provenance_notices_and_repairs_fit_and_pass_axe(browser, live_server, axe, width, locale):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}, locale=locale
    )
    try:
        page = context.new_page()
        page.goto("/framework")
        assert page.locator(".provenance").count() >= 9
        page.locator("details.repairs summary").click()
        assert page.locator(".repairs__table").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert axe(page) == []
    finally:
        context.close()
