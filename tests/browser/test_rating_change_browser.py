"""Picking a level that differs from last round's brings "why did it change?" into view."""

from __future__ import annotations

import pytest

from tests.assessment.conftest import world  # noqa: F401  (fixture)
from tests.assessment.test_change_reason import rate_in_earlier_round
from tests.browser.conftest import artifact, watch_console
from tests.browser.test_self_assessment_browser import sign_in

pytestmark = pytest.mark.browser


QUESTION = {
    "en": "Your rating differs from last round's: why did it change?",
    "nl": "Je beoordeling verschilt van die in de vorige ronde: waarom is die veranderd?",
}


@pytest.mark.parametrize(("width", "language"), [(390, "nl"), (1280, "en"), (390, "en")])
def test_choosing_another_level_opens_the_reason_field(
    browser,
    live_server,
    world,  # noqa: F811
    db,
    width,
    language,
):
    first, second = world.indicators("innovation")[:2]
    rate_in_earlier_round(world, db, {first.id: 2, second.id: 2})
    context = browser.new_context(
        base_url=live_server.url,
        locale={"en": "en-GB", "nl": "nl-NL"}[language],
        viewport={"width": width, "height": 900},
    )
    page = context.new_page()
    watch_console(page)
    sign_in(page, world.trainee)
    page.goto(f"/rounds/{world.round.id}/competencies/innovation")
    reason = page.locator(f"#r-{first.id}-reason")
    other_reason = page.locator(f"#r-{second.id}-reason")
    assert not reason.is_visible() and not other_reason.is_visible()

    page.locator(f"#ind-{first.id} label.scale-option").nth(3).click()  # level 4, was 2
    page.locator(f"#ind-{second.id} label.scale-option").nth(1).click()  # level 2 again
    assert reason.is_visible()
    assert page.get_by_label(QUESTION[language]).count() == 1
    assert not other_reason.is_visible()
    reason.fill("I led two dialogues on my own since the baseline")
    page.locator(f"#ind-{first.id}").screenshot(
        path=artifact(f"rating-change-{language}-{width}.png")
    )
    page.wait_for_selector("[data-save-status].save-status--ok")

    # After saving and reloading, the server shows the field open as well.
    page.reload()
    assert reason.is_visible()
    assert reason.input_value() == "I led two dialogues on my own since the baseline"
    assert page.console_errors == []
    context.close()
