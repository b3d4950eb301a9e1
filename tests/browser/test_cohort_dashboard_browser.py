"""The demo trainer's cohort dashboard in a real browser: both charts draw (an SVG with
the expected number of traces, from the locally served plotly.js, under the strict CSP),
the filter works without JavaScript, and the page passes axe at phone and desktop width, in
Dutch and English."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.cohorts.models import Cohort
from portfolio.demo import COHORT, seed_demo
from portfolio.extensions import db
from tests.browser.conftest import artifact
from tests.browser.test_growth_browser import _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]

#: The SVG element of one trace, per chart type.
TRACE = {"box": ".boxlayer .trace", "scatter": ".scatterlayer .trace"}


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "nl")])
def test_both_charts_draw_and_the_page_passes_axe(browser, live_server, axe, width, language):
    seed_demo()
    db.session.commit()
    trainer = db.session.scalar(select(User).where(User.email == "trainer1@demo.example.org"))
    trainer.language = language
    cohort = db.session.scalar(select(Cohort).where(Cohort.name == COHORT))
    db.session.commit()
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _sign_in(page, trainer.email)
        page.locator(f"a[href='/cohorts/{cohort.id}/dashboard']").first.click()
        page.wait_for_url(f"**/cohorts/{cohort.id}/dashboard")
        for chart in ("chart-spread", "chart-means"):
            page.wait_for_selector(f"#{chart}[data-drawn]", state="attached")
            figure = json.loads(page.locator(f"script[data-chart={chart}]").text_content())
            kind = figure["data"][0]["type"]
            assert page.locator(f"#{chart} svg.main-svg").count() >= 1, chart
            drawn = page.locator(f"#{chart} {TRACE[kind]}").count()
            assert drawn == len(figure["data"]), f"{chart}: {drawn} traces drawn"
        spread = json.loads(page.locator("script[data-chart=chart-spread]").text_content())
        assert len(spread["data"]) == 3  # the demo's three rounds all have hand-ins
        # Five competencies, three rounds: fifteen boxes.
        assert page.locator("#chart-spread .boxlayer .trace path.box").count() == 15
        means = json.loads(page.locator("script[data-chart=chart-means]").text_content())
        assert len(means["data"]) == 5
        page.screenshot(path=artifact(f"cohort-dashboard-{width}-{language}.png"), full_page=True)
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways ({scroll}px)"
        assert errors == [], errors

        # The numbers open from the keyboard.
        summary = page.locator("#chart-spread-title ~ details summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("table[data-chart-table=chart-spread]").is_visible()
        assert axe(page) == []

        # The filter is a plain link: fewer rows, every one needing attention.
        everyone = page.locator(".attention-table tbody tr").count()
        page.locator(".filter-choice a").nth(1).click()
        page.wait_for_url("**attention=1**")
        fewer = page.locator(".attention-table tbody tr").count()
        assert 0 < fewer < everyone
    finally:
        context.close()
