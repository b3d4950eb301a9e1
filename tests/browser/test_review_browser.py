"""In a real browser: a trainee shares the portfolio draft, a trainer comments, the trainee
answers on a phone and marks the comment handled, and the trainer sees it handled.

The trainee works in Dutch on a phone-sized screen, the trainer in English at desktop
width. Each page on the way passes axe-core and does not scroll sideways.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_clean, sign_in, watch_console
from tests.reviews.helpers import shared_draft

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]


def test_a_comment_goes_from_trainer_to_trainee_and_back(browser, live_server, page, axe):
    world = shared_draft(share=False)
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 390, "height": 800}, locale="en-GB"
    )
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    watch_console(phone)

    # The trainee shares the draft (the interface follows their profile: Dutch).
    sign_in(phone, world.trainee.email)
    phone.goto(f"/cohorts/{world.cohort.id}/portfolio")
    phone.get_by_role("button", name="Mijn concept delen met mijn trainers").click()
    phone.get_by_text("Je concept is gedeeld").first.wait_for()
    assert_clean(axe, phone, "the portfolio page, shared, on a phone")

    # The trainer finds the draft from the cohort's list and comments on the introduction.
    sign_in(page, world.trainer.email)
    page.goto(f"/cohorts/{world.cohort.id}/portfolios")
    page.get_by_role("link", name="read the draft").click()
    page.get_by_role("heading", name="Portfolio draft of Lotte Trainee").wait_for()
    assert_clean(axe, page, "the shared draft")
    page.get_by_text("Comment on the introduction").click()
    page.locator("#comment-text-introduction").fill("Why did these goals matter to your team?")
    page.get_by_role("button", name="Add comment").first.click()
    page.get_by_text("Comment added.").wait_for()
    assert page.get_by_text("Why did these goals matter to your team?").count() == 1
    assert_clean(axe, page, "the shared draft with a comment")

    # The trainee reads it on the comments page, answers, and marks it handled.
    phone.goto("/comments")
    phone.get_by_text("Why did these goals matter to your team?").wait_for()
    assert_clean(axe, phone, "the comments page on a phone")
    phone.get_by_text("Antwoorden", exact=True).click()
    phone.get_by_label("Je antwoord").fill("We had just started working with families.")
    phone.get_by_role("button", name="Antwoord versturen").click()
    phone.get_by_text("Antwoord geplaatst.").wait_for()
    phone.get_by_role("button", name="Markeren als afgehandeld").click()
    phone.get_by_text("Gemarkeerd als afgehandeld.").wait_for()
    assert_clean(axe, phone, "the comments page after handling, on a phone")

    # The trainer sees the answer and that the comment is handled.
    page.goto("/comments")
    page.get_by_text("Every comment you made is handled.").wait_for()
    page.get_by_text("1 handled comment").click()
    page.get_by_text("We had just started working with families.").wait_for()
    assert_clean(axe, page, "the trainer's comments page")
    context.close()
