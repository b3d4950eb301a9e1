"""The notification pages in a real browser: a long list with unread and read entries and
long titles, the unread count in the navigation, and the e-mail choices — axe-clean, no
sideways scrolling at phone and desktop width, in Dutch and English; marking read works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from portfolio.extensions import db
from portfolio.notifications import NotificationKind, Recipient, notify
from portfolio.notifications.queries import PER_PAGE
from portfolio.urls import absolute_url
from tests.browser.conftest import LiveServer, artifact
from tests.browser.test_every_page_axe import CLIPPED, SIDEWAYS
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.browser

LANGUAGES = {"nl": "nl-NL", "en": "en-GB"}
WIDTHS = (390, 1280)
LONG_TITLE = "Eindbeoordeling na de volledige opleiding tot dialogisch begeleider, najaar 2026"


def _fill(user: Any) -> None:
    for number in range(PER_PAGE + 3):
        notify(
            None,
            Recipient.of_user(user),
            NotificationKind.WORK_REOPENED if number % 2 else NotificationKind.ROUND_OPENS,
            link=absolute_url("main.dashboard"),
            context=(
                {"round": f"{LONG_TITLE} {number}", "trainer": "Tom", "reason": "Kijk nog eens."}
                if number % 2
                else {"round": f"Ronde {number}", "cohort": "Cohort A", "closes_on": _day()}
            ),
        )
    db.session.commit()


def _day() -> Any:
    from datetime import date

    return date(2026, 12, 24)


def test_notification_pages_pass_axe_and_fit(
    app: Any, browser: Any, live_server: LiveServer, axe: Any
) -> None:
    user = make_user(
        "maximiliana.vandenberg-oosterhuis@zorg-en-welzijn.example.org",
        "Maximiliana van den Berg-Oosterhuis",
    )
    _fill(user)
    shots = Path(artifact("notifications"))
    shots.mkdir(exist_ok=True)
    problems: list[str] = []
    for lang, locale in LANGUAGES.items():
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": WIDTHS[0], "height": 844}
        )
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        tab.goto("/sign-in")
        tab.fill("#email", user.email)
        tab.fill("#password", PASSWORD)
        with tab.expect_navigation():
            tab.press("#password", "Enter")
        for path in ("/notifications", "/notifications?page=2", "/account/notifications"):
            response = tab.goto(path)
            assert response is not None and response.status == 200, path
            for width in WIDTHS:
                tab.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
                at = f"{lang} {path} at {width} px"
                size = tab.evaluate(SIDEWAYS)
                if size["lang"] != lang:
                    problems.append(f"{at}: page language is {size['lang']!r}")
                if size["scroll"] > size["inner"]:
                    problems.append(f"{at}: scrolls sideways: {size['wide']}")
                problems.extend(f"{at}: cut off: {c}" for c in tab.evaluate(CLIPPED))
                problems.extend(
                    f"{at}: axe {v['id']} ({v['help']}) at {v['targets']}" for v in axe(tab)
                )
                name = f"{lang}-{path.strip('/').replace('/', '-').replace('?', '-')}-{width}"
                tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        context.close()
    assert not problems, "\n".join(problems)


def test_marking_read_in_the_browser_lowers_the_count(
    app: Any, browser: Any, live_server: LiveServer
) -> None:
    user = make_user()
    for title in ("Baseline", "After module 1"):
        notify(
            None,
            Recipient.of_user(user),
            NotificationKind.WORK_REOPENED,
            link=absolute_url("main.dashboard"),
            context={"round": title, "trainer": "Tom", "reason": "Look again."},
        )
    db.session.commit()
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.goto("/sign-in")
    tab.fill("#email", user.email)
    tab.fill("#password", PASSWORD)
    with tab.expect_navigation():
        tab.press("#password", "Enter")
    tab.goto("/notifications")
    assert tab.inner_text(".nav-count").startswith("2")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Mark as read").first.click()
    assert tab.inner_text(".nav-count").startswith("1")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Mark all as read").click()
    assert tab.locator(".nav-count").count() == 0
    with tab.expect_navigation():
        tab.get_by_role("link", name="Your work in “Baseline” was reopened").click()
    assert tab.url.endswith("/dashboard")
    context.close()
