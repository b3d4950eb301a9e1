"""Filling in a round: ratings, notes, reflections, validation, and nothing lost."""

from __future__ import annotations

import re

from sqlalchemy import select

from portfolio.assessment.models import Rating, Reflection, SelfAssessment
from tests.assessment.conftest import form_for
from tests.factories import login


def _page(client, world, key="innovation"):
    response = client.get(f"/rounds/{world.round.id}/competencies/{key}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_ratings_notes_and_reflection_are_saved(client, world, db):
    login(client, world.trainee)
    html = _page(client, world)
    first, second = world.indicators("innovation")[:2]
    data = form_for(html)
    data.update(
        {
            f"r-{first.id}-level": "3",
            f"r-{first.id}-note": "In the March team meeting",
            f"r-{second.id}-level": "nj",
            "reflection": "I learned to *wait*.",
            "action": "save",
        }
    )
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    assert response.status_code == 303
    assessment = db.session.scalar(select(SelfAssessment))
    ratings = {r.indicator_id: r for r in db.session.scalars(select(Rating))}
    assert ratings[first.id].level == 3 and ratings[first.id].note == "In the March team meeting"
    assert ratings[second.id].not_judgeable and ratings[second.id].level is None
    assert db.session.scalar(select(Reflection.body)) == "I learned to *wait*."
    assert assessment.trainee_id == world.trainee.id
    html = _page(client, world)
    assert f'name="r-{first.id}-level" value="3" checked' in html


def test_save_and_continue_goes_to_the_next_competency(client, world):
    login(client, world.trainee)
    data = form_for(_page(client, world)) | {"action": "next"}
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    assert response.headers["Location"].endswith(f"/rounds/{world.round.id}/competencies/demand")


def test_invalid_level_is_refused_with_a_message_and_other_answers_are_saved(client, world, db):
    login(client, world.trainee)
    first, second = world.indicators("innovation")[:2]
    data = form_for(_page(client, world))
    data.update({f"r-{first.id}-level": "9", f"r-{second.id}-level": "2", "action": "save"})
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose one of the levels, or “Cannot judge (yet)”." in html
    levels = {r.indicator_id: r.level for r in db.session.scalars(select(Rating))}
    assert levels == {second.id: 2}


def test_too_long_reflection_is_refused_but_stays_on_screen(client, world, db):
    login(client, world.trainee)
    text = "word " * 5000
    data = form_for(_page(client, world)) | {"reflection": text, "action": "save"}
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "The reflection is too long" in html
    assert text.strip()[:200] in html
    assert db.session.scalar(select(Reflection)) is None


def test_previous_round_rating_is_shown_and_a_change_can_be_explained(client, world, db):
    earlier = world.add_round("Baseline", -60, -40)
    indicator = world.indicators("innovation")[0]
    assessment = SelfAssessment(round=earlier, trainee=world.trainee)
    db.session.add(assessment)
    db.session.flush()
    db.session.add(Rating(self_assessment_id=assessment.id, indicator_id=indicator.id, level=1))
    db.session.commit()
    login(client, world.trainee)
    html = _page(client, world)
    assert "Last round (Baseline):" in html
    assert f'id="r-{indicator.id}-reason"' in html
    data = form_for(html) | {
        f"r-{indicator.id}-level": "3",
        f"r-{indicator.id}-reason": "I led two dialogues since",
        "action": "save",
    }
    client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    saved = db.session.scalar(select(Rating).where(Rating.self_assessment_id != assessment.id))
    assert saved.change_reason == "I led two dialogues since"


def test_unknown_competency_is_404(client, world):
    login(client, world.trainee)
    assert client.get(f"/rounds/{world.round.id}/competencies/nope").status_code == 404


def test_other_people_cannot_open_the_fill_in_page(client, world):
    for person in (world.other_trainee, world.trainer, world.governance):
        login(client, person)
        assert client.get(f"/rounds/{world.round.id}/competencies/innovation").status_code == 404
        assert client.get(f"/rounds/{world.round.id}").status_code == 404
        client.post("/sign-out")


def test_reflection_markup_is_rendered_harmless(client, world):
    login(client, world.trainee)
    evil = '<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror="alert(2)">'
    data = form_for(_page(client, world)) | {"reflection": evil, "action": "preview"}
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    body = preview.split('class="preview prose"', 1)[1].split("</section>", 1)[0]
    assert "<script>alert(1)" not in body
    assert "javascript:" not in body and "onerror" not in body
    assert "<a rel=" in body  # the link survives without its href


def test_markdown_preview_endpoint_sanitises(client, world):
    login(client, world.trainee)
    html = client.post("/markdown/preview", data={"text": "**ok** <script>x</script>"}).get_json()[
        "html"
    ]
    assert "<strong>ok</strong>" in html and "<script>" not in html


def test_starr_template_fills_an_empty_reflection(client, world):
    login(client, world.trainee)
    data = form_for(_page(client, world)) | {"action": "starr"}
    response = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "**Situation**" in html and "**Reflection**" in html


def test_closed_round_refuses_saves_and_keeps_the_text_on_screen(client, world, db):
    closed = world.add_round("Old", -30, -10)
    login(client, world.trainee)
    html = client.get(f"/rounds/{closed.id}/competencies/innovation").get_data(as_text=True)
    assert "disabled" in html
    data = form_for(html) | {"reflection": "Something I must not lose", "action": "save"}
    response = client.post(f"/rounds/{closed.id}/competencies/innovation", data=data)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Something I must not lose" in page and "nothing was" in page
    assert db.session.scalar(select(Reflection)) is None


def test_autosave_answers_in_json(client, world):
    login(client, world.trainee)
    indicator = world.indicators("innovation")[0]
    data = form_for(_page(client, world)) | {f"r-{indicator.id}-level": "2", "_format": "json"}
    body = client.post(f"/rounds/{world.round.id}/competencies/innovation", data=data).get_json()
    assert body["status"] == "saved"
    assert body["saved"] == [f"r-{indicator.id}"]
    assert body["versions"][f"r-{indicator.id}"][0] == 1
    assert body["progress"]["answered"] == 1


def test_evidence_linked_to_an_indicator_is_shown_beside_it(client, world, db):
    from portfolio.evidence.models import EvidenceItem, EvidenceKind

    indicator = world.indicators("innovation")[0]
    db.session.add(
        EvidenceItem(
            owner=world.trainee,
            title="Dialogue with the Rossi family",
            kind=EvidenceKind.TEXT,
            indicators=[indicator],
        )
    )
    db.session.add(
        EvidenceItem(
            owner=world.other_trainee,
            title="Someone else's notes",
            kind=EvidenceKind.TEXT,
            indicators=[indicator],
        )
    )
    db.session.commit()
    login(client, world.trainee)
    html = _page(client, world)
    assert "Dialogue with the Rossi family" in html
    assert "Someone else&#39;s notes" not in html and "Someone else's notes" not in html
    new = client.get(f"/evidence/new?indicator={indicator.key}").get_data(as_text=True)
    assert re.search(rf'value="{re.escape(indicator.key)}" id="[^"]+" checked', new)


def test_starr_template_comes_from_the_framework_in_the_interface_language(client, world, db):
    from portfolio.competencies import current_framework

    template = current_framework().reflection_template
    world.trainee.language = "nl"
    db.session.commit()
    login(client, world.trainee)
    url = f"/rounds/{world.round.id}/competencies/innovation?starr=1"
    html = client.get(url).get_data(as_text=True)
    assert template.text["nl"].splitlines()[0] in html
    assert "**Situatie** — Waar en wanneer?" in html
