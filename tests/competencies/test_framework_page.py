"""The public framework page in both languages."""

from __future__ import annotations

import pytest
from markupsafe import escape

from portfolio.competencies import current_framework


def test_framework_page_shows_every_element_and_indicator_in_dutch(client):
    html = client.get("/framework", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    framework = current_framework()
    for competency in framework.competencies:
        assert competency.name["nl"] in html
        for element in competency.elements:
            assert element.title["nl"] in html
            for indicator in element.indicators:
                assert indicator.text["nl"].replace("'", "&#39;").replace('"', "&#34;") in html


def test_framework_page_shows_every_indicator_in_english(client):
    html = client.get("/framework", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    for _competency, _element, indicator in current_framework().ratable():
        expected = indicator.text["en"].replace("'", "&#39;").replace('"', "&#34;")
        assert expected in html
    assert 'lang="en"' in html


@pytest.mark.parametrize(
    ("header", "expected"),
    [("nl-NL,nl;q=0.9,en;q=0.5", "nl"), ("en-US", "en"), ("fi-FI", "en"), ("de, nl;q=0.3", "nl")],
)
def test_language_follows_accept_language(client, header, expected):
    html = client.get("/framework", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in html


def test_language_switch_is_remembered_in_a_cookie(client):
    response = client.post("/language", data={"lang": "nl", "next": "/framework"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/framework"
    html = client.get("/framework", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "Vernieuwingsgericht handelen" in html


def test_language_switch_refuses_to_redirect_off_site(client):
    response = client.post("/language", data={"lang": "en", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    client.post("/language", data={"lang": "xx", "next": "/framework"})
    html = client.get("/framework", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in html


def test_whole_element_is_marked_as_rated_as_a_whole(client):
    html = client.get("/framework", headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert "Het gebruik van de methoden en werkwijzen uit de toolbox dialogisch" in html


def _page(client, lang):
    return client.get("/framework", headers={"Accept-Language": lang}).get_data(as_text=True)


def _escaped(text):
    return str(escape(text))


@pytest.mark.parametrize(
    ("lang", "profile", "programme", "handbook"),
    [
        ("en", "From the profile", "Set by the training programme", "From the handbook"),
        ("nl", "Uit het profiel", "Vastgesteld door de opleiding", "Uit het handboek"),
    ],
)
def test_framework_page_says_where_each_part_comes_from(client, lang, profile, programme, handbook):
    html = _page(client, lang)
    framework = current_framework()
    assert html.count('class="provenance provenance--programme"') == 3  # scale, rubric, STARR
    assert html.count(programme) == 3
    assert html.count(handbook) == len(framework.toolbox)
    assert profile in html
    for part in (framework.rating_scale, framework.rubric, framework.reflection_template):
        assert _escaped(part.provenance.note[lang]) in html
    assert _escaped(framework.meta.provenance.note[lang]) in html
    for tool in framework.toolbox:
        assert _escaped(tool.provenance.citation) in html


def test_framework_page_marks_the_back_translated_heading_and_the_missing_toolbox_element(client):
    framework = current_framework()
    for lang in ("nl", "en"):
        html = _page(client, lang)
        communication = next(
            e
            for c in framework.competencies
            for e in c.elements
            if e.key == "collaboration.communication"
        )
        heading = html.index('id="collaboration.communication"')
        note = html.index(_escaped(communication.title_provenance.note[lang]))
        assert heading < note < html.index('id="collaboration.communication.enthuse"')
        innovation = framework.competencies[0]
        section = html[html.index('id="innovation"') : html.index('id="demand"')]
        assert _escaped(innovation.provenance.note[lang]) in section


def test_framework_page_shows_the_starr_template_and_the_repairs(client):
    html = _page(client, "en")
    framework = current_framework()
    assert 'id="reflection-template"' in html
    assert "<strong>Situation</strong>" in html
    assert f"{len(framework.repairs)} repairs to the Dutch of the source" in html
    assert '<td lang="nl">pro actief</td><td lang="nl">proactief</td>' in html
    assert 'href="#innovation.enterprising.proactive"' in html
    dutch = _page(client, "nl")
    assert "<strong>Situatie</strong>" in dutch
