"""Numbers with one decimal, and the request's locale parsed once per language."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from portfolio import i18n
from portfolio.templating import one_decimal


@pytest.mark.parametrize(
    ("language", "value", "expected"),
    [
        ("en", 2.5, "2.5"),
        ("nl", 2.5, "2,5"),
        ("en", 3.0, "3.0"),
        ("nl", 0.04, "0,0"),
        ("en", -0.04, "0.0"),
        ("nl", -1.25, "-1,2"),
        ("en", 10.06, "10.1"),
    ],
)
def test_one_decimal_in_the_page_language(app, language, value, expected):
    with app.test_request_context(headers={"Accept-Language": language}):
        assert one_decimal(value) == expected


@pytest.mark.parametrize("language", ["en", "nl"])
@pytest.mark.parametrize("value", [0.0, 1.0, 1.5, 2.3333, 3.9999, 4.0, 2.67])
def test_one_decimal_agrees_with_babel_for_chart_values(app, language, value):
    """For the values the charts show (levels and means), the shortcut says what Babel says."""
    with app.test_request_context(headers={"Accept-Language": language}):
        assert one_decimal(round(value, 1)) == format_decimal(
            round(value, 1), format="0.0", locale=language
        )


def test_the_locale_of_a_language_is_parsed_once(app):
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        first = i18n.selected_locale()
        second = i18n.selected_locale()
    with app.test_request_context(headers={"Accept-Language": "en"}):
        other = i18n.selected_locale()
    assert first is second
    assert str(first) == "nl" and str(other) == "en"
