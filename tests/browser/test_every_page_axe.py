"""Every page, every role, phone and desktop width, Dutch and English: axe and no sideways scroll.

The pages come from the app's ``url_map``: every GET route that the route sweep
(tests/security/test_route_sweep.py) lets the role open with 200, with its URL arguments
filled from the sweep's world. A new page is therefore crawled as soon as it has an access
decision, without touching this file.

For each page, at 390 px and at 1280 px, in Dutch and in English:

- axe-core finds no violations (WCAG 2.1 A/AA and best practices);
- the page does not scroll sideways (``scrollWidth <= innerWidth``);
- nothing is cut off sideways out of sight: an element whose content is wider than its box
  must be a scroll region people can reach and recognise (``role=region``, a label,
  ``tabindex=0``), so a hidden fifth tab or a clipped rating label fails;
- the page is in the language asked for.

One browser for the whole module, one test and one tab per role and language (signed in
once), and each page is loaded once and checked at both widths by resizing. Screenshots of
every page go to test-artifacts/every-page/ for people to look at (not in CI, where nobody
would: a full-page screenshot costs as much as the checks).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from portfolio.extensions import db
from tests.browser.conftest import LiveServer, artifact, watch_console
from tests.conftest import IN_CI
from tests.factories import PASSWORD, add_trainee
from tests.security.test_route_sweep import (
    EXPECTED,
    OK,
    PUBLIC,
    World,
    _methods,
    _url,
    build_world,
)

pytestmark = pytest.mark.browser

ROLES = ("anonymous", "trainee", "trainer", "governance", "admin")
LANGUAGES = {"nl": "nl-NL", "en": "en-GB"}
WIDTHS = (390, 1280)
#: Routes that are not pages (files, and the JSON probes of portfolio/health.py).
NOT_PAGES = {
    "static",
    "evidence.download",
    "evidence.version_file",
    # A hand-in as a file to download (PDF, HTML, Markdown, JSON, ZIP).
    "portfolios.export",
    # The framework as a file for Mahara or Moodle.
    "competencies.framework_export",
    # What the application holds about a rater with a link, as a JSON file.
    "feedback.rater_data",
    # How far a file being made is (JSON for the waiting page's script).
    "portfolios.download_status",
    "health.healthz",
    "health.readyz",
    # JSON for programs (portfolio/api/v1.py); their readable reference is a page.
    "api.framework",
    "api.openapi",
}

#: Scripts run in the page. Offenders are described as "tag#id.class 'text'".
DESCRIBE = """
    (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
        + (e.className && typeof e.className === 'string'
           ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
        + " '" + (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + "'"
"""
CLIPPED = f"""() => {{
    const describe = {DESCRIBE};
    const isRegion = (e) => e.getAttribute('role') === 'region' && e.tabIndex === 0
        && (e.hasAttribute('aria-label') || e.hasAttribute('aria-labelledby'));
    const found = [];
    for (const e of document.body.querySelectorAll('*')) {{
        if (e.closest('.visually-hidden, select, textarea, input, [hidden]')) continue;
        // Inside a drawn SVG (a chart) the box sizes say nothing about clipping: SVG text
        // reports a client width narrower than its glyphs while every glyph shows.
        if (e.ownerSVGElement) continue;
        const style = getComputedStyle(e);
        if (style.display === 'none' || style.visibility === 'hidden') continue;
        if (style.textOverflow === 'ellipsis') continue;  // shortened on purpose
        // 1 px wide: visually hidden (read by screen readers only)
        if (e.clientWidth <= 1 || e.scrollWidth <= e.clientWidth + 1) continue;
        if (isRegion(e)) continue;
        if (e.parentElement && e.parentElement.closest('[role=region][tabindex="0"]')
            && style.overflowX === 'visible') continue;  // inside a reachable scroll region
        found.push(describe(e) + ` (${{e.scrollWidth}} px of content in ${{e.clientWidth}} px)`);
        if (found.length >= 5) break;
    }}
    return found;
}}"""
SIDEWAYS = f"""() => {{
    const describe = {DESCRIBE};
    const inner = window.innerWidth;
    // The innermost elements that reach past the right edge: what makes the page wide.
    const wide = [...document.body.querySelectorAll('*')].filter((e) =>
        e.getBoundingClientRect().right > inner + 1
        && ![...e.children].some((c) => c.getBoundingClientRect().right > inner + 1));
    return {{
        scroll: document.documentElement.scrollWidth, inner: inner,
        lang: document.documentElement.lang, wide: wide.slice(0, 3).map(describe),
    }};
}}"""


def pages_for(app: Flask, world: World, role: str) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET page ``role`` may open, by the route sweep's decisions."""
    pages = []
    for endpoint in sorted({rule.endpoint for rule in app.url_map.iter_rules()}):
        if endpoint in NOT_PAGES or "GET" not in _methods(app, endpoint):
            continue
        # Public pages are the same for everyone (only the header differs, and the header
        # is checked on every other page): they are crawled once, signed out.
        if (role == "anonymous") if endpoint in PUBLIC else EXPECTED[endpoint][role] == OK:
            pages.append((endpoint, _url(app, endpoint, world)))
    return pages


def richer_world() -> World:
    """The sweep's world, with what makes pages wide: long names and addresses, handed-in
    ratings with notes, audit events."""
    from portfolio.assessment.models import Rating, SelfAssessment
    from portfolio.audit import record
    from portfolio.competencies.models import Indicator

    world = build_world()
    long_name = add_trainee(
        world.cohort_a,
        _user(
            "maximiliana.vandenberg-oosterhuis@zorg-en-welzijnsorganisatie.example.org",
            "Maximiliana van den Berg-Oosterhuis",
        ),
    )
    handed_in = db.session.scalars(
        db.select(SelfAssessment).where(SelfAssessment.round_id == world.extra["round_done"].id)
    ).one()
    indicators = db.session.scalars(db.select(Indicator).order_by(Indicator.position)).all()
    for position, indicator in enumerate(indicators):
        db.session.add(
            Rating(
                self_assessment_id=handed_in.id,
                indicator_id=indicator.id,
                level=None if position % 7 == 3 else 1 + position % 5,
                not_judgeable=position % 7 == 3,
                note="Seen in the team meeting of March" if position % 4 == 0 else "",
            )
        )
    for _ in range(3):
        record("sign_in", actor=long_name.user, target=long_name.user)
    db.session.commit()
    return world


def _user(email: str, name: str) -> Any:
    from tests.factories import make_user

    return make_user(email, name)


@pytest.fixture
def uploads_in_tmp(app: Flask, tmp_path: Path) -> None:
    app.config["UPLOAD_FOLDER"] = str(tmp_path / "uploads")


@pytest.fixture
def server(app: Flask, uploads_in_tmp: None) -> Iterator[LiveServer]:
    live = LiveServer(app)
    live.start()
    yield live
    live.stop()


def _sign_in(tab: Any, email: str) -> None:
    tab.goto("/sign-in")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    with tab.expect_navigation():
        tab.press("#password", "Enter")
    assert "/sign-in" not in tab.url, f"signing in as {email} failed"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe_and_fits_at_phone_and_desktop_width(
    app: Flask, browser: Any, server: LiveServer, axe: Any, role: str, lang: str
) -> None:
    world = richer_world()
    pages = pages_for(app, world, role)
    pages.append(("(error page)", "/this-page-does-not-exist"))
    assert len(pages) >= 5, f"only {pages} found for {role}"
    problems: list[str] = []
    shots = Path(artifact("every-page"))
    shots.mkdir(exist_ok=True)

    context = browser.new_context(
        base_url=server.url, locale=LANGUAGES[lang], viewport={"width": WIDTHS[0], "height": 844}
    )
    # The language chosen with the switch, as a person who picked it would have: a
    # feedback link otherwise opens in the language chosen for its rater.
    context.add_cookies([{"name": "lang", "value": lang, "url": server.url}])
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    watch_console(tab)
    if role != "anonymous":
        _sign_in(tab, world.users[role].email)
    for endpoint, url in pages:
        response = tab.goto(url)
        where = f"{role} {lang} {url} ({endpoint})"
        expected_status = 404 if endpoint == "(error page)" else 200
        if response is None or response.status != expected_status:
            problems.append(f"{where}: status {response and response.status}")
            continue
        for width in WIDTHS:
            tab.set_viewport_size({"width": width, "height": 844 if width < 800 else 900})
            at = f"{where} at {width} px"
            size = tab.evaluate(SIDEWAYS)
            if size["lang"] != lang:
                problems.append(f"{at}: page language is {size['lang']!r}")
            if size["scroll"] > size["inner"]:
                problems.append(
                    f"{at}: scrolls sideways ({size['scroll']} px wide in {size['inner']} px; "
                    f"too wide: {size['wide']})"
                )
            for clipped in tab.evaluate(CLIPPED):
                problems.append(f"{at}: content cut off sideways: {clipped}")
            for violation in axe(tab):
                problems.append(
                    f"{at}: axe {violation['id']} ({violation['help']}) at {violation['targets']}"
                )
            if not IN_CI:
                name = f"{role}-{endpoint}-{lang}-{width}".replace(".", "_").replace(" ", "")
                tab.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        tab.set_viewport_size({"width": WIDTHS[0], "height": 844})
        if endpoint == "(error page)":  # its 404 is logged on the console, as it should be
            tab.console_errors.clear()
    if tab.console_errors:
        problems.append(f"{role} {lang}: console errors {tab.console_errors[:3]}")
    context.close()

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
