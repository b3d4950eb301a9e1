"""Steps that cannot easily be undone ask first, on a page that needs no JavaScript
(issue 7, item 13): handing in, removing a member, deleting evidence. GET shows what will
happen and changes nothing; the POST of the confirmation form does it."""

from __future__ import annotations

import re

from sqlalchemy import select

from portfolio.assessment.models import AssessmentStatus, SelfAssessment
from portfolio.cohorts.models import CohortMembership
from portfolio.evidence.models import EvidenceItem, EvidenceKind
from portfolio.extensions import db
from tests.factories import add_trainee, login, make_cohort, make_user
from tests.handing_in import answer_everything, open_round


def _form(html: str) -> tuple[str, str]:
    """The action and the button of the confirmation form."""
    form = re.search(
        r'<form method="post" action="([^"]+)" class="confirm-page__form">(.*?)</form>', html, re.S
    )
    assert form, "no confirmation form on the page"
    button = re.search(r"<button[^>]*>([^<]+)</button>", form.group(2))
    return form.group(1), button.group(1) if button else ""


def test_handing_in_asks_first_and_says_what_happens(app, framework_db):
    cohort = make_cohort(name="Tutors 2025")
    trainee = make_user(name="Tess Trainee")
    add_trainee(cohort, trainee)
    round_ = open_round(cohort)
    assessment = answer_everything(round_, trainee)
    client = app.test_client()
    login(client, trainee)
    overview = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert f'href="/rounds/{round_.id}/submit"' in overview  # a link to the page, not a POST
    page = client.get(f"/rounds/{round_.id}/submit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "your trainers in Tutors 2025 and the governance group of" in html
    assert "it becomes read-only for you" in html
    assert "a trainer can reopen it" in html
    assert _form(html) == (f"/rounds/{round_.id}/submit", "Yes, hand it in")
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).status == AssessmentStatus.DRAFT
    assert client.post(f"/rounds/{round_.id}/submit").status_code == 303
    db.session.expire_all()
    assert db.session.get(SelfAssessment, assessment.id).status == AssessmentStatus.SUBMITTED


def test_removing_a_member_asks_first(app, framework_db):
    cohort = make_cohort(name="Tutors 2025")
    trainee = make_user(name="Tess Trainee")
    membership = add_trainee(cohort, trainee)
    membership_id = membership.id
    admin = make_user(admin=True)
    client = app.test_client()
    login(client, admin)
    url = f"/cohorts/{cohort.id}/members/{membership.id}/remove"
    assert f'href="{url}"' in client.get(f"/cohorts/{cohort.id}").get_data(as_text=True)
    html = client.get(url).get_data(as_text=True)
    assert "Remove Tess Trainee from Tutors 2025?" in html
    assert "Their account stays; only this membership ends." in html
    assert _form(html) == (url, "Yes, remove them")
    assert db.session.get(CohortMembership, membership.id) is not None
    assert client.post(url).status_code == 303
    db.session.expire_all()
    assert db.session.get(CohortMembership, membership_id) is None


def test_deleting_evidence_asks_first_on_the_same_kind_of_page(app, framework_db):
    trainee = make_user()
    item = EvidenceItem(owner_id=trainee.id, title="Notes", kind=EvidenceKind.TEXT)
    db.session.add(item)
    db.session.commit()
    client = app.test_client()
    login(client, trainee)
    html = client.get(f"/evidence/{item.id}/delete").get_data(as_text=True)
    assert _form(html) == (f"/evidence/{item.id}/delete", "Yes, delete it")
    assert db.session.scalar(select(EvidenceItem.id)) == item.id
