"""Dates and moments in words: one unambiguous European form in every language.

Used by templates (as filters), by services that put a date into a message, and by e-mails.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import format_date, format_datetime

# Day before month, the month as a word, a 24-hour clock: "1 Dec 2026, 08:13" and
# "1 dec 2026, 08:13". Times are shown in the application's time zone
# (BABEL_DEFAULT_TIMEZONE). Every template and message uses these, never Babel's "short"
# formats, which read "12/1/26, 8:13 AM" in English.
DATE_PATTERN = "d MMM y"
LONG_DATE_PATTERN = "d MMMM y"
DATETIME_PATTERN = "d MMM y, HH:mm"


def date_text(value: date | datetime | None, long: bool = False) -> str:
    """A day in words: 1 Dec 2026 (``long``: 1 December 2026); '' for no date."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, LONG_DATE_PATTERN if long else DATE_PATTERN)
    return format_date(value, LONG_DATE_PATTERN if long else DATE_PATTERN)


def datetime_text(value: datetime | None) -> str:
    """A moment: 1 Dec 2026, 08:13 (24-hour clock, in the application's time zone)."""
    return "" if value is None else format_datetime(value, DATETIME_PATTERN)


def long_date_text(value: date | datetime | None) -> str:
    """A day with the month written out: 1 December 2026."""
    return date_text(value, long=True)


def day_span_text(first: date, last: date) -> str:
    """A span of days, the shared month and year said once: 12–13 Mar 2026,
    30 Mar – 2 Apr 2026, 30 Dec 2026 – 2 Jan 2027; one day is just that day."""
    if first == last:
        return date_text(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{date_text(last)}"
    if first.year == last.year:
        return f"{format_date(first, 'd MMM')} – {date_text(last)}"
    return f"{date_text(first)} – {date_text(last)}"
