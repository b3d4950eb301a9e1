"""The demo trainee's growth page in a real browser: every chart draws (an SVG with the
expected number of traces, from the locally served plotly.js), under the strict CSP, and
the page passes axe at phone and desktop width, in Dutch and English."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from portfolio.accounts.models import User
from portfolio.demo import seed_demo
from portfolio.extensions import db
from tests.browser.conftest import artifact

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("framework_db")]

DEMO_PASSWORD = "dialogue-demo-2025"
#: The SVG element of one trace, per chart type.
TRACE = {
    "scatterpolar": ".scatterlayer .trace",
    "scatter": ".scatterlayer .trace",
    "heatmap": ".hm",
}


def _sign_in(page: Any, email: str) -> None:
    page.goto("/sign-in")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form[novalidate] button[type=submit]").click()
    page.wait_for_url("**/dashboard")


@pytest.mark.parametrize(("width", "language"), [(1280, "en"), (390, "nl")])
def test_every_chart_draws_and_the_page_passes_axe(browser, live_server, axe, width, language):
    seed_demo()
    db.session.commit()
    trainee = db.session.scalar(select(User).where(User.email == "trainee01@demo.example.org"))
    trainee.language = language
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
        _sign_in(page, trainee.email)
        page.locator(f"a[href='/trainees/{trainee.id}/growth']").first.click()
        page.wait_for_url(f"**/trainees/{trainee.id}/growth")
        for chart in ("chart-radar", "chart-lines", "chart-heatmap"):
            page.wait_for_selector(f"#{chart}[data-drawn]", state="attached")
            figure = json.loads(page.locator(f"script[data-chart={chart}]").text_content())
            kind = figure["data"][0]["type"]
            assert page.locator(f"#{chart} svg.main-svg").count() >= 1, chart
            drawn = page.locator(f"#{chart} {TRACE[kind]}").count()
            assert drawn == len(figure["data"]), f"{chart}: {drawn} traces drawn"
        radar = json.loads(page.locator("script[data-chart=chart-radar]").text_content())
        assert len(radar["data"]) == 3  # self, fellow trainees, other raters: the demo's
        page.screenshot(path=artifact(f"growth-{width}-{language}.png"), full_page=True)
        assert axe(page) == []
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the page scrolls sideways ({scroll}px)"
        assert errors == [], errors
        # Keyboard: the chart takes focus, its numbers open with Enter.
        page.locator("#chart-radar").focus()
        assert page.evaluate("document.activeElement.id") == "chart-radar"
        summary = page.locator("#chart-radar-title ~ details summary")
        summary.focus()
        page.keyboard.press("Enter")
        assert page.locator("#chart-radar-title ~ details").get_attribute("open") is not None
        assert page.locator("table[data-chart-table=chart-radar]").is_visible()
        assert axe(page) == []
    finally:
        context.close()


def test_first_load_is_small_and_a_repeat_load_takes_plotly_from_the_cache(browser, live_server):
    """First load at most 1.5 MB over the wire (compressed), a repeat at most 100 KB."""
    seed_demo()
    db.session.commit()
    trainee = db.session.scalar(select(User).where(User.email == "trainee01@demo.example.org"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        _sign_in(page, trainee.email)
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        sizes: list[int] = []
        session.on("Network.loadingFinished", lambda e: sizes.append(e["encodedDataLength"]))
        loads = []
        for _load in ("first", "repeat"):
            sizes.clear()
            page.goto(f"/trainees/{trainee.id}/growth")
            page.wait_for_selector("#chart-heatmap[data-drawn]", state="attached")
            page.wait_for_load_state("networkidle")
            loads.append(sum(sizes))
        first, repeat = loads
        assert 100_000 < first <= 1_500_000, f"first load {first} bytes"
        assert repeat <= 100_000, f"repeat load {repeat} bytes"
    finally:
        context.close()
