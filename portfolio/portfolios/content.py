"""The layout of a portfolio's content, and the rules read from it (pure Python, no Flask).

The same dictionary is gathered from the live portfolio
(:func:`portfolio.portfolios.queries.live_content`) and stored, as canonical JSON, in a
snapshot. Format 1:

``format``, ``kind``            1 and ``"dialogical-portfolio"``
``portfolio_id``, ``number``    the portfolio and the snapshot's number (None when live)
``handed_in_at``                ISO moment of the hand-in (None when live)
``trainee``, ``cohort``         who and where (names as they were at the hand-in)
``framework``                   the framework's key, version and languages
``introduction``                Markdown
``competencies``                per competency in framework order: key, number, name,
                                statement and indicators (texts in every language of the
                                framework, so a snapshot reads the same after the framework
                                changes), ``justification`` (Markdown) and ``evidence``
                                (the numbers chosen for it)
``rounds``                      the cohort's rounds: dates, state, whether handed in, the
                                latest submission's number and SHA-256, its ratings per
                                indicator key (a level, ``"nj"`` or None) and reflections
``feedback``                    per round what the anonymity rule shows: per series
                                (``rater.fellow-trainee``, ``rater.trainer``, ``others``)
                                and indicator key the sum of levels and their count
``feedback_groups``             the rater groups that answered at all (breadth)
``evidence``                    the numbered items: fields, file digest, indicator keys,
                                the competencies chosen for, the frozen version's id
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

FORMAT = 1
KIND = "dialogical-portfolio"
INTRODUCTION = "introduction"
NOT_JUDGEABLE = "nj"

#: A citation of an evidence item in a justification: "[E3]".
CITATION = re.compile(r"\[E(\d{1,4})\]")

#: The recommended length of a justification, in words (advice, not a rule).
RECOMMENDED_WORDS = (150, 800)

#: Longest text stored for the introduction or one justification (characters).
TEXT_LIMIT = 40000


def submission_content(text: str) -> dict[str, Any]:
    """A handed-in self-assessment's stored content (see ``assessment.submissions``)."""
    loaded = json.loads(text)
    return loaded if isinstance(loaded, dict) else {}


def cited(text: str) -> list[int]:
    """The evidence numbers a text cites, in order of first citation."""
    seen: list[int] = []
    for match in CITATION.finditer(text or ""):
        number = int(match.group(1))
        if number not in seen:
            seen.append(number)
    return seen


def word_count(text: str) -> int:
    """Words in a Markdown text (marks and citations count as they are written)."""
    return len(re.findall(r"\w+", text or ""))


class Missing(enum.StrEnum):
    """One thing the readiness check finds missing."""

    INTRODUCTION = "introduction"
    JUSTIFICATION = "justification"
    NO_CITATION = "no_citation"
    UNKNOWN_CITATION = "unknown_citation"
    ROUND_NOT_HANDED_IN = "round_not_handed_in"
    FEEDBACK_BREADTH = "feedback_breadth"


@dataclass(frozen=True)
class Problem:
    """Something to do before handing in; ``where`` names the competency or round key/id."""

    kind: Missing
    where: str = ""
    #: Numbers, counts or titles the message needs (e.g. the unknown citation numbers).
    detail: tuple[str, ...] = ()


def readiness(content: Mapping[str, Any], *, feedback_groups: int) -> list[Problem]:
    """What stops this content being handed in, in the order a trainee would fix it.

    - an introduction;
    - per competency a justification that cites at least one evidence item of the
      portfolio, and no number that is not in it;
    - every round of the cohort that has opened is handed in;
    - answers from at least ``feedback_groups`` rater groups.
    """
    problems: list[Problem] = []
    if not str(content.get("introduction") or "").strip():
        problems.append(Problem(Missing.INTRODUCTION))
    numbers = {e["number"] for e in content.get("evidence", [])}
    for competency in content.get("competencies", []):
        key = competency["key"]
        text = str(competency.get("justification") or "")
        if not text.strip():
            problems.append(Problem(Missing.JUSTIFICATION, key))
            continue
        citations = cited(text)
        unknown = [n for n in citations if n not in numbers]
        if unknown:
            problems.append(Problem(Missing.UNKNOWN_CITATION, key, tuple(f"E{n}" for n in unknown)))
        if not [n for n in citations if n in numbers]:
            problems.append(Problem(Missing.NO_CITATION, key))
    for round_ in content.get("rounds", []):
        if round_["state"] != "upcoming" and not round_["handed_in"]:
            problems.append(
                Problem(Missing.ROUND_NOT_HANDED_IN, str(round_["id"]), (round_["title"],))
            )
    answered = len(content.get("feedback_groups", []))
    if answered < feedback_groups:
        problems.append(
            Problem(Missing.FEEDBACK_BREADTH, "", (str(answered), str(feedback_groups)))
        )
    return problems


def problems_by_place(problems: Iterable[Problem]) -> dict[str, list[Problem]]:
    """The problems grouped by where they are (``""`` for the whole portfolio)."""
    out: dict[str, list[Problem]] = {}
    for problem in problems:
        out.setdefault(problem.where, []).append(problem)
    return out
