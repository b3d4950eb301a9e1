"""Filling in a round in a real browser: keyboard only, autosave, closing the tab, phone, axe."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from portfolio.assessment.models import Rating, Reflection, SelfAssessment
from tests.assessment.conftest import world  # noqa: F401  (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, user):
    page.goto("/sign-in")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/dashboard")


def test_whole_round_filled_in_and_handed_in_with_the_keyboard_only(page, world, db):  # noqa: F811
    page.goto("/sign-in")
    page.keyboard.press("Tab")  # skip link
    page.focus("#email")
    page.keyboard.type(world.trainee.email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/dashboard")
    page.goto(f"/rounds/{world.round.id}/competencies/innovation")

    for _competency in range(5):
        heading = page.locator("h1").inner_text()
        for _ in range(400):
            page.keyboard.press("Tab")
            info = page.evaluate(
                """() => { const e = document.activeElement; return {
                    tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
                    group: e.type === 'radio'
                        ? !!document.querySelector(`input[name="${e.name}"]:checked`)
                        : false }; }"""
            )
            if info["type"] == "radio" and not info["group"]:
                page.keyboard.press("ArrowRight")  # checks the next level in the group
            elif info["tag"] == "TEXTAREA":
                page.keyboard.type("Typed with the keyboard only.")
            elif info["tag"] == "BUTTON" and info["value"] == "next":
                with page.expect_navigation():
                    page.keyboard.press("Enter")
                break
        else:
            pytest.fail(f"never reached 'Save and continue' on {heading}")

    page.wait_for_url(f"**/rounds/{world.round.id}")
    assert "64 of 64 indicators answered" in page.content()
    submit = page.get_by_role("link", name="Hand in this self-assessment")
    submit.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "it becomes read-only for you" in page.content()  # the confirmation page
    page.get_by_role("button", name="Yes, hand it in").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Handed in." in page.content()
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Rating.id))) == 64
    assert db.session.scalar(select(func.count(Reflection.id))) == 5
    assert db.session.scalar(select(SelfAssessment)).is_submitted


def test_autosave_keeps_every_answer_when_the_tab_is_closed(browser, live_server, world, db):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    sign_in(page, world.trainee)
    url = f"/rounds/{world.round.id}/competencies/demand"
    page.goto(url)
    first = page.locator("fieldset.rating").nth(0)
    first.locator("label.scale-option").nth(2).click()
    page.wait_for_selector("[data-save-status].save-status--ok")
    page.fill("#reflection-text", "Half a thought, typed just before my next appointment")
    page.close(run_before_unload=False)  # no pause for the autosave timer: the beacon must carry it

    page = context.new_page()
    page.goto(url)
    assert page.locator("fieldset.rating").nth(0).locator("input[value='3']").is_checked()
    assert "Half a thought" in page.locator("#reflection-text").input_value()
    context.close()


def test_leaving_with_unsaved_changes_asks_first(page, world):  # noqa: F811
    sign_in(page, world.trainee)
    page.goto(f"/rounds/{world.round.id}/competencies/demand")
    page.fill("#reflection-text", "Not saved yet")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]


def test_conflict_from_another_tab_is_shown_not_overwritten(browser, live_server, world, db):  # noqa: F811
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    tab_a, tab_b = context.new_page(), None
    sign_in(tab_a, world.trainee)
    tab_b = context.new_page()
    url = f"/rounds/{world.round.id}/competencies/learning"
    tab_a.goto(url)
    tab_b.goto(url)
    tab_a.locator("fieldset.rating").nth(0).locator("label.scale-option").nth(1).click()
    tab_a.wait_for_selector("[data-save-status].save-status--ok")
    tab_b.locator("fieldset.rating").nth(0).locator("label.scale-option").nth(3).click()
    tab_b.wait_for_selector("[data-conflict-banner]:not([hidden])")
    with tab_b.expect_navigation():
        tab_b.get_by_role("button", name="Show both versions").click()
    text = tab_b.content()
    assert "Saved elsewhere: <strong>2 Developing</strong>" in text
    assert "Yours (not saved yet): <strong>4 Exemplary</strong>" in text
    db.session.expire_all()
    assert db.session.scalar(select(Rating.level)) == 2
    context.close()


def test_reflection_with_script_and_javascript_link_is_harmless_in_preview(page, world):  # noqa: F811
    sign_in(page, world.trainee)
    page.goto(f"/rounds/{world.round.id}/competencies/knowledge")
    page.fill(
        "#reflection-text", "<script>window.hacked=1</script> [x](javascript:window.hacked=2)"
    )
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("[data-preview]:not([hidden])")
    link = page.locator("[data-preview] a")
    assert link.count() == 1 and link.get_attribute("href") is None
    assert page.evaluate("window.hacked") is None
    assert page.console_errors == []


def test_self_assessment_pages_have_no_accessibility_violations(page, phone_page, world, axe):  # noqa: F811
    for tab in (page, phone_page):
        sign_in(tab, world.trainee)
        for path in (
            "/dashboard",
            f"/rounds/{world.round.id}",
            f"/rounds/{world.round.id}/competencies/collaboration",
        ):
            tab.goto(path)
            assert axe(tab) == [], path
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
