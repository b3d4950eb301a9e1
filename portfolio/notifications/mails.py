"""The words of a notification: its subject, and its e-mail as plain text and HTML.

Every kind has a subject here and two templates, ``templates/notifications/mail/<kind>.txt``
and ``.html``, rendered with the context the caller gave (plain values: strings, numbers,
dates), plus ``recipient_name``, ``link``, ``has_account`` and ``preferences_link``. The
texts are rendered inside ``force_locale(language)``: the recipient's language, not the
language of whoever caused the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import render_template
from flask_babel import LazyString, force_locale
from flask_babel import lazy_gettext as _l

from portfolio.dates import long_date_text
from portfolio.notifications.models import NotificationKind
from portfolio.urls import absolute_url

#: A value a caller may put into a notification's context.
ContextValue = str | int | date


@dataclass(frozen=True)
class KindSpec:
    """What a kind of notification needs: the context keys it must and may have, and its
    subject (a lazy text with ``%(key)s`` placeholders from the context)."""

    required: frozenset[str]
    optional: frozenset[str]
    subject: LazyString
    #: What the kind means, for the e-mail preferences page.
    label: LazyString
    #: The blueprint of the feature that sends it; the preferences page offers the kind only
    #: once that feature is installed (None: always).
    feature: str | None = None


SPECS: dict[NotificationKind, KindSpec] = {
    NotificationKind.FEEDBACK_REQUEST: KindSpec(
        frozenset({"requester", "round"}),
        # group: the rater group they are asked as; anonymous_k: for an anonymous request,
        # how many answers a group needs before the trainee sees a summary.
        frozenset({"due_on", "message", "group", "anonymous_k"}),
        _l("%(requester)s asks for your feedback"),
        _l("Someone asks for my feedback"),
        "feedback",
    ),
    NotificationKind.FEEDBACK_REMINDER: KindSpec(
        frozenset({"requester", "round"}),
        frozenset({"due_on"}),
        _l("Reminder: %(requester)s asks for your feedback"),
        _l("I get a reminder of a feedback request I have not answered"),
        "feedback",
    ),
    NotificationKind.FEEDBACK_ANSWERED: KindSpec(
        frozenset({"round"}),
        frozenset(),
        _l("New feedback on “%(round)s”"),
        _l("Feedback I asked for arrives"),
        "feedback",
    ),
    NotificationKind.FEEDBACK_REPLY: KindSpec(
        frozenset({"round"}),
        frozenset({"author"}),
        _l("A reply in the feedback dialogue on “%(round)s”"),
        _l("Someone replies in a feedback dialogue I take part in"),
        "feedback",
    ),
    NotificationKind.ROUND_OPENS: KindSpec(
        frozenset({"round", "cohort", "closes_on"}),
        frozenset(),
        _l("Round “%(round)s” is open"),
        _l("A round of my cohort opens"),
    ),
    NotificationKind.ROUND_CLOSES_SOON: KindSpec(
        frozenset({"round", "cohort", "closes_on"}),
        frozenset(),
        _l("Round “%(round)s” closes on %(closes_on)s"),
        _l("A round closes in three days and I have not handed in"),
    ),
    NotificationKind.WORK_REOPENED: KindSpec(
        frozenset({"round", "trainer", "reason"}),
        frozenset(),
        _l("Your work in “%(round)s” was reopened"),
        _l("A trainer reopens my handed-in work"),
    ),
    NotificationKind.PORTFOLIO_HANDED_IN: KindSpec(
        frozenset({"trainee", "cohort", "number"}),
        frozenset(),
        _l("%(trainee)s handed in their final portfolio"),
        _l("A trainee of a cohort I train hands in their final portfolio"),
        "portfolios",
    ),
    NotificationKind.PORTFOLIO_RETURNED: KindSpec(
        frozenset({"cohort", "trainer", "reason"}),
        frozenset(),
        _l("Your final portfolio was returned for revision"),
        _l("A trainer returns my final portfolio for revision"),
        "portfolios",
    ),
    NotificationKind.ASSESSOR_ASSIGNED: KindSpec(
        frozenset({"trainee", "cohort", "seat"}),
        frozenset(),
        _l("You are asked to assess the final portfolio of %(trainee)s"),
        _l("I am assigned as an assessor of a final portfolio"),
        "judging",
    ),
    NotificationKind.CONSENSUS_READY: KindSpec(
        frozenset({"trainee", "cohort"}),
        frozenset(),
        _l("Both judgements of %(trainee)s's portfolio are in: agree the verdict"),
        _l("Both assessors of a portfolio I assess have submitted their judgement"),
        "judging",
    ),
    NotificationKind.ASSESSMENT_REFERRED: KindSpec(
        frozenset({"trainee", "cohort", "reason"}),
        frozenset(),
        _l("The final assessment of %(trainee)s needs a third assessor"),
        _l("The assessors of a portfolio in a cohort I train refer it to a third assessor"),
        "judging",
    ),
    NotificationKind.VERDICT_LOCKED: KindSpec(
        frozenset({"cohort", "verdict"}),
        frozenset(),
        _l("The verdict on your final portfolio is in"),
        _l("The verdict on my final portfolio is final"),
        "judging",
    ),
    NotificationKind.DRAFT_SHARED: KindSpec(
        frozenset({"trainee", "cohort"}),
        frozenset(),
        _l("%(trainee)s shares their portfolio draft for your comments"),
        _l("A trainee of a cohort I train shares their portfolio draft for comments"),
        "reviews",
    ),
    NotificationKind.REVIEW_COMMENT: KindSpec(
        frozenset({"trainer", "part", "cohort", "comment"}),
        frozenset(),
        _l("%(trainer)s commented on %(part)s"),
        _l("A trainer comments on my work"),
        "reviews",
    ),
    NotificationKind.REVIEW_ANSWER: KindSpec(
        frozenset({"author", "part", "answer"}),
        frozenset(),
        _l("%(author)s answered on %(part)s"),
        _l("Someone answers in a comment thread on my work or on a comment of mine"),
        "reviews",
    ),
    NotificationKind.REVIEW_HANDLED: KindSpec(
        frozenset({"trainee", "part"}),
        frozenset(),
        _l("%(trainee)s marked your comment on %(part)s as handled"),
        _l("A trainee marks a comment of mine as handled"),
        "reviews",
    ),
}

#: Context keys that hold dates (stored as ISO text, read back as dates).
DATE_KEYS = frozenset({"due_on", "closes_on"})


class ContextError(ValueError):
    """A caller gave a context that does not fit the kind (a programming error)."""


def check_context(kind: NotificationKind, context: Mapping[str, Any]) -> dict[str, ContextValue]:
    """The context as plain values, or :class:`ContextError` naming what is wrong."""
    spec = SPECS[kind]
    missing = spec.required - set(context)
    unknown = set(context) - spec.required - spec.optional
    if missing or unknown:
        raise ContextError(
            f"{kind.value}: missing {sorted(missing)}, unknown {sorted(unknown)}; "
            f"needs {sorted(spec.required)}, may have {sorted(spec.optional)}"
        )
    values: dict[str, ContextValue] = {}
    for key, value in context.items():
        if value is None and key in spec.optional:
            continue
        if key in DATE_KEYS:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ContextError(f"{kind.value}: {key} must be a date, not {value!r}")
        elif isinstance(value, bool) or not isinstance(value, str | int):
            raise ContextError(f"{kind.value}: {key} must be text or a number, not {value!r}")
        values[key] = value
    return values


def to_json(values: Mapping[str, ContextValue]) -> dict[str, str | int]:
    """The context as it is stored (dates as ISO text)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}


def from_json(stored: Mapping[str, Any]) -> dict[str, ContextValue]:
    """The stored context with its dates as dates again."""
    values: dict[str, ContextValue] = {}
    for key, value in stored.items():
        if key in DATE_KEYS and isinstance(value, str):
            try:
                values[key] = date.fromisoformat(value)
            except ValueError:
                values[key] = value
        else:
            values[key] = value
    return values


class _Words(dict[str, object]):
    """Context values for a subject; a key an older row lacks reads as an ellipsis."""

    def __missing__(self, key: str) -> str:
        return "…"


def subject(kind: NotificationKind, values: Mapping[str, ContextValue]) -> str:
    """The subject in the current language (also the entry's title in the list)."""
    words = _Words({k: long_date_text(v) if isinstance(v, date) else v for k, v in values.items()})
    return str(SPECS[kind].subject) % words


def offered_kinds(blueprints: Iterable[str]) -> list[NotificationKind]:
    """The kinds whose feature is installed (given the application's blueprint names)."""
    installed = set(blueprints)
    return [kind for kind in NotificationKind if SPECS[kind].feature in (None, *installed)]


def kind_label(kind: NotificationKind) -> str:
    """What a kind means, in the current language."""
    return str(SPECS[kind].label)


@dataclass(frozen=True)
class Rendered:
    """A notification in words."""

    subject: str
    text: str
    html: str


def render(
    kind: NotificationKind,
    values: Mapping[str, ContextValue],
    *,
    recipient_name: str,
    language: str,
    link: str,
    has_account: bool,
) -> Rendered:
    """Subject, text and HTML of a notification, in ``language``."""
    with force_locale(language):
        context: dict[str, Any] = dict(values)
        context.update(
            recipient_name=recipient_name,
            link=link,
            has_account=has_account,
            preferences_link=absolute_url("notifications.preferences") if has_account else "",
        )
        # One line: a title typed with a line break must not break the mail's header.
        title = " ".join(subject(kind, values).split())
        text = render_template(f"notifications/mail/{kind.value}.txt", subject=title, **context)
        html = render_template(f"notifications/mail/{kind.value}.html", subject=title, **context)
    return Rendered(subject=title, text=text.strip() + "\n", html=html)
