"""Picking a level that differs from last round's brings "why did it change?" into view."""

from __future__ import annotations

import pytest

from tests.assessment.conftest import world  # noqa: F401  (fixture)
from tests.assessment.test_change_reason import rate_in_earlier_round
from tests.browser.conftest import artifact
from tests.browser.test_self_assessment_browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [390, 1280])
def test_choosing_another_level_opens_the_reason_field(page, world, db, width):  # noqa: F811
    first, second = world.indicators("innovation")[:2]
    rate_in_earlier_round(world, db, {first.id: 2, second.id: 2})
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, world.trainee)
    page.goto(f"/rounds/{world.round.id}/competencies/innovation")
    reason = page.locator(f"#r-{first.id}-reason")
    other_reason = page.locator(f"#r-{second.id}-reason")
    assert not reason.is_visible() and not other_reason.is_visible()

    page.locator(f"#ind-{first.id} label.scale-option").nth(3).click()  # level 4, was 2
    page.locator(f"#ind-{second.id} label.scale-option").nth(1).click()  # level 2 again
    assert reason.is_visible()
    question = "Your rating differs from last round's: why did it change?"
    assert page.get_by_label(question).count() == 1
    assert not other_reason.is_visible()
    reason.fill("I led two dialogues on my own since the baseline")
    page.locator(f"#ind-{first.id}").screenshot(path=artifact(f"rating-change-{width}.png"))
    page.wait_for_selector("[data-save-status].save-status--ok")

    # After saving and reloading, the server shows the field open as well.
    page.reload()
    assert reason.is_visible()
    assert reason.input_value() == "I led two dialogues on my own since the baseline"
    assert page.console_errors == []
