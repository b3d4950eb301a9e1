"""The public framework page in both languages."""

from __future__ import annotations

import pytest

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
