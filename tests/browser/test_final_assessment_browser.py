"""In a real browser: two assessors judge a handed-in portfolio and agree the verdict.

A trainer assigns themself and a colleague. Each judges alone (the second, on a phone-sized
screen, does not see the first judgement until both are in), they agree the verdict, and
each confirms. A change sent from a page that was open before the verdict was locked is
refused, and what was typed stays on the screen. The trainee then reads the verdict with
its motivations. Pages on the way are checked with axe-core.
"""

from __future__ import annotations

from typing import Any

import pytest

from portfolio.competencies import current_framework
from tests.browser.conftest import artifact, assert_clean, sign_in, watch_console
from tests.judging.helpers import handed_in_world

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]


def _fill(page: Any, key: str, level: str, motivation: str) -> None:
    page.locator(f'input[name="level-{key}"][value="{level}"]').check()
    page.locator(f"#motivation-{key}").fill(motivation)


def test_two_assessors_judge_alone_agree_and_lock_the_verdict(browser, live_server, page, axe):
    world = handed_in_world()
    keys = [c.key for c in current_framework().competencies]
    url = f"/portfolio-snapshots/{world.snapshot.id}/assessment"

    # The first trainer assigns themself and a colleague.
    sign_in(page, world.first.email)
    page.goto(url)
    assert_clean(axe, page, "the assessment page before anyone is assigned")
    for trainer in (world.first, world.second):
        page.get_by_label("Trainer").select_option(label=trainer.name)
        page.get_by_role("button", name="Assign as assessor").click()
        page.get_by_text(f"{trainer.name} is assigned").wait_for()

    # The first judges alone and submits.
    for key in keys:
        _fill(page, key, "rubric.good", f"First assessor on {key}: convincing [E1].")
    assert_clean(axe, page, "the judgement form, filled in")
    page.get_by_role("button", name="Save and submit my judgement").click()
    page.get_by_text("Your judgement is submitted").wait_for()

    # The second, on a phone-sized screen, does not see the first judgement.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 800}, locale="en-GB"
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    watch_console(phone)
    sign_in(phone, world.second.email)
    phone.goto(url)
    assert phone.get_by_text("First assessor on").count() == 0
    assert_clean(axe, phone, "the second assessor's judgement form on a phone")
    for key in keys:
        _fill(phone, key, "rubric.sufficient", f"Second assessor on {key}.")
    phone.get_by_role("button", name="Save and submit my judgement").click()
    phone.get_by_text("Your judgement is submitted").wait_for()
    # Both are in: side by side, and the consensus form.
    assert phone.get_by_text(f"First assessor on {keys[0]}").count() == 1
    phone.get_by_role("heading", name="The agreed verdict").wait_for()
    for key in keys:
        _fill(phone, key, "rubric.good", f"Agreed on {key}.")
    _fill(phone, "overall", "passed", "We agree: a convincing portfolio.")
    assert_clean(axe, phone, "the consensus form on a phone")
    phone.screenshot(path=artifact("final-assessment-consensus-phone.png"), full_page=True)
    phone.get_by_role("button", name="Save and confirm").click()
    phone.get_by_text("The verdict is locked once the other assessor confirms").wait_for()
    # This tab keeps the form open while the first trainer confirms.

    page.goto(url)
    assert page.locator(f"#motivation-{keys[0]}").input_value() == f"Agreed on {keys[0]}."
    page.get_by_role("button", name="Save and confirm").click()
    page.get_by_text("Both confirmed: the verdict is locked").wait_for()
    page.get_by_role("heading", name="Final verdict").wait_for()
    assert_clean(axe, page, "the locked verdict")

    # A change from the page still open on the phone is refused; the text stays on screen.
    phone.locator("#motivation-overall").fill("Not passed after all.")
    phone.get_by_role("button", name="Save", exact=True).click()
    phone.get_by_text("The verdict is locked: it can no longer be changed").wait_for()
    assert phone.get_by_text("Not passed after all.").count() == 1
    context.close()

    # The trainee reads the verdict with the motivations on their hand-in.
    trainee = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    trainee.set_default_timeout(10_000)
    watch_console(trainee)
    sign_in(trainee, world.trainee.email)
    trainee.goto(f"/portfolio-snapshots/{world.snapshot.id}")
    trainee.get_by_role("heading", name="Final verdict").wait_for()
    assert trainee.get_by_text("We agree: a convincing portfolio.").count() == 1
    assert trainee.get_by_text(f"Agreed on {keys[0]}.").count() == 1
    trainee.screenshot(path=artifact("final-assessment-verdict-trainee.png"), full_page=True)
    # The handed-in portfolio itself cannot be changed either.
    trainee.goto(f"/cohorts/{world.ready.cohort.id}/portfolio/competencies/{keys[0]}")
    trainee.get_by_text("this text is read-only").wait_for()
    trainee.context.close()
