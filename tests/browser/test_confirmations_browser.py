"""Confirmation pages in a real browser at phone (390 px) and desktop (1280 px) width, with
axe: handing in, removing a member, deleting evidence (issue 7, item 13). They work
without JavaScript, so the tests run with JavaScript both on and off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portfolio.assessment.models import SelfAssessment
from portfolio.cohorts.models import CohortMembership
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.extensions import db
from tests.browser.conftest import artifact
from tests.factories import PASSWORD, add_trainee, make_cohort, make_organisation, make_user
from tests.handing_in import answer_everything, open_round

pytestmark = pytest.mark.browser

WIDTHS = [390, 1280]


@pytest.fixture(
    params=[(w, js) for w in WIDTHS for js in (True, False)],
    ids=lambda p: f"{p[0]}px-{'js' if p[1] else 'no-js'}",
)
def tab(request, browser, live_server):
    width, javascript = request.param
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": width, "height": 800},
        locale="en-GB",
        java_script_enabled=javascript,
        is_mobile=width < 500,
        has_touch=width < 500,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.width = width
    page.javascript = javascript
    yield page
    context.close()


def sign_in(page, user):
    page.goto("/sign-in")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.press("#password", "Enter")
    page.wait_for_url("**/dashboard")


def check_page(page, axe, name):
    """axe and no sideways scrolling (both run scripts, so only with JavaScript on: the page
    is the same HTML without it); a screenshot either way."""
    if page.javascript:
        assert axe(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    suffix = "" if page.javascript else "-no-js"
    page.screenshot(path=artifact(f"confirm-{name}-{page.width}{suffix}.png"), full_page=True)


def test_handing_in_through_the_confirmation_page(tab, axe, framework_db, app):
    cohort = make_cohort(make_organisation("Comune di Prova"), name="Tutors 2025")
    trainee = make_user(name="Tess Trainee")
    add_trainee(cohort, trainee)
    round_ = open_round(cohort)
    assessment = answer_everything(round_, trainee)
    sign_in(tab, trainee)
    tab.goto(f"/rounds/{round_.id}")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Hand in this self-assessment").click()
    text = tab.locator("main").inner_text()
    assert "your trainers in Tutors 2025 and the governance group of Comune di Prova" in text
    assert "a trainer can reopen it" in text
    check_page(tab, axe, "hand-in")
    db.session.expire_all()
    assert not db.session.get(SelfAssessment, assessment.id).is_submitted  # only asked so far
    with tab.expect_navigation():
        tab.get_by_role("button", name="Yes, hand it in").click()
    assert "Handed in." in tab.locator("main").inner_text()
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).is_submitted


def test_removing_a_member_through_the_confirmation_page(tab, axe, framework_db):
    cohort = make_cohort(name="Tutors 2025")
    membership = add_trainee(cohort, make_user(name="Tess Trainee"))
    membership_id = membership.id
    admin = make_user(name="Ada Admin", admin=True)
    sign_in(tab, admin)
    tab.goto(f"/cohorts/{cohort.id}")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Remove Tess Trainee").click()
    assert "Remove Tess Trainee from Tutors 2025?" in tab.locator("h1").inner_text()
    check_page(tab, axe, "remove-member")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Yes, remove them").click()
    assert "Tess Trainee is no longer in this cohort." in tab.locator("body").inner_text()
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership_id) is None


def test_deleting_evidence_through_the_confirmation_page(tab, axe, framework_db):
    trainee = make_user(name="Tess Trainee")
    item = EvidenceItem(owner_id=trainee.id, title="Notes from a dialogue", kind=EvidenceKind.TEXT)
    db.session.add(item)
    db.session.commit()
    item_id = item.id
    sign_in(tab, trainee)
    tab.goto(f"/evidence/{item_id}")
    with tab.expect_navigation():
        tab.get_by_role("link", name="Delete").click()
    assert "Delete this evidence?" in tab.locator("h1").inner_text()
    check_page(tab, axe, "delete-evidence")
    with tab.expect_navigation():
        tab.get_by_role("button", name="Yes, delete it").click()
    db.session.expire_all()
    assert db.session.scalar(select(EvidenceItem.id).where(EvidenceItem.id == item_id)) is None
