"""What the rater's form and the dialogue forms send, parsed into typed input.

Field names: ``r-<indicator id>-level`` (a level, ``no`` for "not observed", or empty) with
``r-<id>-v``/``r-<id>-h`` (the version and fingerprint the page loaded); per competency
``n-<competency id>-works``, ``-grow`` and ``-question`` with ``n-<id>-v``/``n-<id>-h``.
Only the indicators and competencies of the request are read: other names are ignored, so
editing the form cannot widen what the link is for.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

from portfolio.versioning import Edit, fingerprint, read_fingerprint, read_version

NARRATIVE_LIMIT: Final = 5000
REPLY_LIMIT: Final = 3000
SECTOR_OTHER_LIMIT: Final = 120
#: The rater's choice "not observed", beside the levels of the scale.
NOT_OBSERVED: Final = "no"


class AnswerError(enum.StrEnum):
    """Why a field of the rater's form cannot be saved (shown at the field)."""

    LEVEL = "level"
    TOO_LONG = "too_long"
    CONTROL = "control"
    SECTOR = "sector"


class AnswerAction(enum.StrEnum):
    """The buttons of the rater's form."""

    SAVE = "save"
    SUBMIT = "submit"


@dataclass(frozen=True)
class RatingChoice:
    """What the page sent for one indicator."""

    indicator_id: int
    choice: str
    base_version: int
    base_fingerprint: str

    @property
    def field(self) -> str:
        """The field's name prefix."""
        return f"r-{self.indicator_id}"

    @property
    def edit(self) -> Edit:
        """The versioned edit this input stands for."""
        return Edit(
            self.field,
            self.base_version,
            self.base_fingerprint,
            fingerprint(self.choice),
            self.choice,
        )


@dataclass(frozen=True)
class NarrativeInput:
    """What the page sent for one competency's three texts."""

    competency_id: int
    works: str
    grow: str
    question: str
    base_version: int
    base_fingerprint: str

    @property
    def field(self) -> str:
        """The fields' name prefix."""
        return f"n-{self.competency_id}"

    @property
    def edit(self) -> Edit:
        """The versioned edit this input stands for."""
        shown = "\n\n".join(t for t in (self.works, self.grow, self.question) if t)
        return Edit(
            self.field,
            self.base_version,
            self.base_fingerprint,
            fingerprint(self.works, self.grow, self.question),
            shown,
        )


@dataclass(frozen=True)
class AnswerInput:
    """Everything the rater's form sent, parsed.

    ``errors`` are per field (the others are saved); ``tampered`` names hidden fields that
    came back with a value the page never writes (then nothing is saved).
    """

    ratings: dict[int, RatingChoice]
    narratives: dict[int, NarrativeInput]
    sector: str | None
    sector_other: str
    action: AnswerAction
    wants_json: bool
    errors: dict[str, AnswerError] = field(default_factory=dict)
    tampered: list[str] = field(default_factory=list)


def _text(form: Mapping[str, str], name: str) -> str:
    return form.get(name, "").replace("\r\n", "\n").strip()


def parse_answer_form(
    form: Mapping[str, str],
    indicator_ids: Collection[int],
    competency_ids: Collection[int],
    levels: Collection[int],
    sectors: Collection[str],
    refused: Mapping[str, str] | None = None,
) -> AnswerInput:
    """Read the rater's form for the request's indicators and competencies."""
    refused = refused or {}
    tampered: list[str] = []
    errors: dict[str, AnswerError] = {}
    allowed = {"", NOT_OBSERVED, *(str(v) for v in levels)}
    ratings: dict[int, RatingChoice] = {}
    for indicator_id in indicator_ids:
        name = f"r-{indicator_id}"
        if f"{name}-v" not in form:
            continue
        choice = form.get(f"{name}-level", "")
        if choice not in allowed:
            errors[f"{name}-level"] = AnswerError.LEVEL
            choice = ""
        ratings[indicator_id] = RatingChoice(
            indicator_id,
            choice,
            read_version(form, f"{name}-v", tampered),
            read_fingerprint(form, f"{name}-h", tampered),
        )
    narratives: dict[int, NarrativeInput] = {}
    for competency_id in competency_ids:
        name = f"n-{competency_id}"
        if f"{name}-v" not in form:
            continue
        texts = {}
        for part in ("works", "grow", "question"):
            key = f"{name}-{part}"
            texts[part] = _text(form, key)
            if key in refused:
                errors[key] = AnswerError.CONTROL
            elif len(texts[part]) > NARRATIVE_LIMIT:
                errors[key] = AnswerError.TOO_LONG
        narratives[competency_id] = NarrativeInput(
            competency_id,
            texts["works"],
            texts["grow"],
            texts["question"],
            read_version(form, f"{name}-v", tampered),
            read_fingerprint(form, f"{name}-h", tampered),
        )
    sector: str | None = None
    sector_other = ""
    if "sector" in form:
        sector = form.get("sector", "")
        sector_other = _text(form, "sector-other")
        if sector and sector not in sectors:
            errors["sector"] = AnswerError.SECTOR
        elif len(sector_other) > SECTOR_OTHER_LIMIT:
            errors["sector"] = AnswerError.TOO_LONG
        elif "sector-other" in refused:
            errors["sector"] = AnswerError.CONTROL
    sent = form.get("action", "") or AnswerAction.SAVE
    try:
        action = AnswerAction(sent)
    except ValueError:
        tampered.append("action")
        action = AnswerAction.SAVE
    response_format = form.get("_format", "")
    if response_format not in ("", "json"):
        tampered.append("_format")
    return AnswerInput(
        ratings,
        narratives,
        sector,
        sector_other,
        action,
        response_format == "json",
        errors,
        sorted(set(tampered)),
    )


@dataclass(frozen=True)
class ReplyInput:
    """The trainee's reply in the dialogue: three optional parts, at least one filled in."""

    takeaway: str
    try_next: str
    question: str
    base_version: int = 0

    @property
    def empty(self) -> bool:
        """Nothing was written."""
        return not (self.takeaway or self.try_next or self.question)
