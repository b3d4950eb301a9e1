"""The portfolio as a document: content (live or a snapshot) + language → what a reader sees.

A pure builder: no request, no current user, no database. The preview page, the snapshot
page and the exports render the same :class:`Document` with one template, so what the
trainee previews is what an assessor reads. Framework texts come from the content itself
(a snapshot keeps them as they were at the hand-in); tool names from the framework passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from portfolio.framework import Framework
from portfolio.markdown import render_markdown
from portfolio.portfolios import content as layout
from portfolio.portfolios.content import Problem, readiness


def _text(texts: Mapping[str, str] | None, language: str, source: str) -> str:
    if not texts:
        return ""
    return texts.get(language) or texts.get(source) or next(iter(texts.values()))


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


_CITED_HTML = re.compile(r"\[E(\d{1,4})\]")


def with_citation_links(html: Markup, numbers: set[int]) -> Markup:
    """Sanitised HTML with each "[E3]" of a known item made a link to its entry."""

    def link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        if number not in numbers:
            return match.group(0)
        return f'<a href="#evidence-{number}" class="citation">E{number}</a>'

    return Markup(_CITED_HTML.sub(link, str(html)))


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator with the self-rating of each round (a level, "nj" or None)."""

    key: str
    element: str
    text: str
    levels: tuple[int | str | None, ...]


@dataclass(frozen=True)
class EvidenceEntry:
    """A numbered evidence item as the document shows it."""

    number: int
    title: str
    kind: str
    occurred_on: date | None
    description: Markup
    url: str
    file_name: str | None
    file_size: int | None
    file_sha256: str | None
    tool: str | None
    indicator_texts: tuple[str, ...]
    competency_numbers: tuple[int, ...]


@dataclass(frozen=True)
class FeedbackCell:
    """One series' mean of the indicators of a competency in one round, and how many ratings."""

    series: str
    mean: float | None
    ratings: int


@dataclass(frozen=True)
class Voice:
    """What the raters of one source said of one competency in one round, as the rule shows
    it: one identified answer, or a group's summary (its texts sorted, unattributed)."""

    round: str
    #: "identified" or "summary".
    source: str
    #: The rater group's name in the document's language ("" for the summary of "others").
    group: str
    count: int
    works: tuple[str, ...]
    grow: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True)
class DialogueTurn:
    """The trainee's reply to one source's feedback in a round, and the rater's answer."""

    round: str
    source: str
    group: str
    count: int
    takeaway: str
    try_next: str
    question: str
    #: The identified rater's answer to the reply ("" when none).
    answer: str


@dataclass(frozen=True)
class Section:
    """One competency of the portfolio."""

    key: str
    number: int
    name: str
    statement: str
    justification: Markup
    words: int
    indicators: tuple[IndicatorRow, ...]
    #: Mean self-rating per round (None where nothing was rated), in round order.
    self_means: tuple[float | None, ...]
    #: Per round, what feedback the rule shows.
    feedback: tuple[tuple[FeedbackCell, ...], ...]
    reflections: tuple[tuple[str, Markup], ...]
    evidence: tuple[EvidenceEntry, ...]
    tools: tuple[str, ...]
    problems: tuple[Problem, ...]
    #: The raters' words on this competency, round by round (hand-ins before this part of
    #: the format have none).
    voices: tuple[Voice, ...] = ()


@dataclass(frozen=True)
class Document:
    """The whole portfolio in one language."""

    language: str
    trainee: str
    cohort: str
    organisation: str
    starts_on: date | None
    ends_on: date | None
    framework: str
    #: None for a live portfolio; the snapshot's number, moment and digest otherwise.
    number: int | None
    handed_in_at: datetime | None
    sha256: str | None
    introduction: Markup
    rounds: tuple[str, ...]
    sections: tuple[Section, ...]
    evidence: tuple[EvidenceEntry, ...]
    feedback_groups: tuple[str, ...]
    #: What the readiness check finds missing (for a snapshot: nothing, it passed).
    problems: tuple[Problem, ...]
    general_problems: tuple[Problem, ...]
    #: The scale's "cannot judge" option in this language (its label in the framework).
    not_judgeable: str = ""
    #: The trainee's replies to the feedback, round by round.
    dialogue: tuple[DialogueTurn, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing written yet."""
        return not str(self.introduction) and not any(str(s.justification) for s in self.sections)


SERIES = ("rater.fellow-trainee", "rater.trainer", "others")


def _mean(values: Sequence[int | str | None]) -> float | None:
    levels = [v for v in values if isinstance(v, int)]
    return sum(levels) / len(levels) if levels else None


def build_document(
    data: Mapping[str, Any],
    language: str,
    framework: Framework,
    *,
    sha256: str | None = None,
    feedback_groups: int = 2,
) -> Document:
    """The document of ``data`` (a portfolio's content) in ``language``."""
    source = framework.framework.source_language
    tools = {t.key: _text(dict(t.name), language, source) for t in framework.tools()}
    rounds = list(data.get("rounds", []))
    handed_in_rounds = [r for r in rounds if r.get("submission")]
    competencies = list(data.get("competencies", []))
    number_of = {c["key"]: c["number"] for c in competencies}
    indicator_text = {
        i["key"]: _text(i["text"], language, source) for c in competencies for i in c["indicators"]
    }
    numbers = {e["number"] for e in data.get("evidence", [])}
    evidence = tuple(
        EvidenceEntry(
            number=e["number"],
            title=e["title"],
            kind=e["kind"],
            occurred_on=_day(e.get("occurred_on")),
            description=render_markdown(e.get("description") or ""),
            url=e.get("url") or "",
            file_name=e.get("file_name"),
            file_size=e.get("file_size"),
            file_sha256=e.get("file_sha256"),
            tool=tools.get(e["tool_key"], e["tool_key"]) if e.get("tool_key") else None,
            indicator_texts=tuple(
                indicator_text[k] for k in e.get("indicator_keys", []) if k in indicator_text
            ),
            competency_numbers=tuple(
                sorted(number_of[k] for k in e.get("competency_keys", []) if k in number_of)
            ),
        )
        for e in data.get("evidence", [])
    )
    by_number = {e.number: e for e in evidence}
    problems = tuple(readiness(data, feedback_groups=feedback_groups)) if sha256 is None else ()
    feedback_of = {f["round_id"]: f for f in data.get("feedback", [])}
    groups = {
        g.key: _text(dict(g.label), language, source) for g in framework.feedback.rater_groups
    }
    sources = [
        (r["title"], voice)
        for r in handed_in_rounds
        for voice in feedback_of.get(r["id"], {}).get("voices", [])
    ]
    sections = []
    for c in competencies:
        keys = [i["key"] for i in c["indicators"]]
        rows = tuple(
            IndicatorRow(
                i["key"],
                _text(i["element"], language, source),
                _text(i["text"], language, source),
                tuple(r["ratings"].get(i["key"]) for r in handed_in_rounds),
            )
            for i in c["indicators"]
        )
        feedback = []
        for r in handed_in_rounds:
            shown = feedback_of.get(r["id"], {}).get("series", {})
            cells = []
            for series in SERIES:
                pairs = [shown.get(series, {}).get(k) for k in keys]
                total = sum(p[0] for p in pairs if p)
                count = sum(p[1] for p in pairs if p)
                cells.append(FeedbackCell(series, total / count if count else None, count))
            feedback.append(tuple(cells))
        chosen = tuple(by_number[n] for n in c.get("evidence", []) if n in by_number)
        justification = str(c.get("justification") or "")
        sections.append(
            Section(
                key=c["key"],
                number=c["number"],
                name=_text(c["name"], language, source),
                statement=_text(c["statement"], language, source),
                justification=with_citation_links(render_markdown(justification), numbers),
                words=layout.word_count(justification),
                indicators=rows,
                self_means=tuple(
                    _mean([r["ratings"].get(k) for k in keys]) for r in handed_in_rounds
                ),
                feedback=tuple(feedback),
                reflections=tuple(
                    (r["title"], render_markdown(r["reflections"][c["key"]]))
                    for r in handed_in_rounds
                    if (r.get("reflections") or {}).get(c["key"])
                ),
                evidence=chosen,
                tools=tuple(sorted({e.tool for e in chosen if e.tool})),
                problems=tuple(p for p in problems if p.where == c["key"]),
                voices=tuple(
                    Voice(
                        title,
                        voice["source"],
                        groups.get(voice["group"], ""),
                        voice["count"],
                        tuple(voice["texts"][c["key"]]["works"]),
                        tuple(voice["texts"][c["key"]]["grow"]),
                        tuple(voice["texts"][c["key"]]["questions"]),
                    )
                    for title, voice in sources
                    if c["key"] in voice["texts"]
                ),
            )
        )
    cohort = data.get("cohort", {})
    known = set(number_of)
    meta = data.get("framework", {})
    return Document(
        language=language,
        trainee=data.get("trainee", {}).get("name") or data.get("trainee", {}).get("email", ""),
        cohort=cohort.get("name", ""),
        organisation=cohort.get("organisation", ""),
        starts_on=_day(cohort.get("starts_on")),
        ends_on=_day(cohort.get("ends_on")),
        framework=f"{meta.get('key', '')} {meta.get('version', '')}".strip(),
        number=data.get("number"),
        handed_in_at=_moment(data.get("handed_in_at")),
        sha256=sha256,
        introduction=render_markdown(str(data.get("introduction") or "")),
        rounds=tuple(r["title"] for r in handed_in_rounds),
        sections=tuple(sections),
        evidence=evidence,
        feedback_groups=tuple(data.get("feedback_groups", [])),
        problems=problems,
        general_problems=tuple(p for p in problems if p.where not in known),
        not_judgeable=_text(dict(framework.rating_scale.not_judgeable.label), language, source),
        dialogue=tuple(
            DialogueTurn(
                title,
                voice["source"],
                groups.get(voice["group"], ""),
                voice["count"],
                voice["reply"]["takeaway"],
                voice["reply"]["try_next"],
                voice["reply"]["question"],
                voice.get("answer") or "",
            )
            for title, voice in sources
            if voice.get("reply")
        ),
    )
