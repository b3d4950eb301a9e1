"""What the fill-in page sends, parsed into typed input for the saving services.

The page's own hidden fields (versions, fingerprints, ``action``, ``_format``) are input
too: a value the page never writes is reported in ``tampered``, and then nothing is saved.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Final

from portfolio.versioning import Edit, fingerprint, read_fingerprint, read_version

NOTE_LIMIT: Final = 1000
REASON_LIMIT: Final = 1000
REFLECTION_LIMIT: Final = 20000
#: The rating choice "cannot judge (yet)", beside the levels of the scale.
NOT_JUDGEABLE: Final = "nj"
#: The form field of the competency's reflection.
REFLECTION_FIELD: Final = "reflection"


class FillInAction(enum.StrEnum):
    """What the fill-in page's buttons send as ``action``."""

    SAVE = "save"
    NEXT = "next"
    STARR = "starr"
    PREVIEW = "preview"


class InputError(enum.StrEnum):
    """Why a field the person filled in cannot be saved (shown at the field)."""

    LEVEL = "level"
    NOTE = "note"
    REASON = "reason"
    REFLECTION = "reflection"
    CONTROL = "control"


def rating_field(indicator_id: int) -> str:
    """The name prefix of an indicator's fields on the form (``r-<id>``)."""
    return f"r-{indicator_id}"


@dataclass(frozen=True)
class RatingInput:
    """What a tab sent for one indicator."""

    choice: str
    note: str
    reason: str
    base_version: int
    base_fingerprint: str

    @property
    def fingerprint(self) -> str:
        """Digest of what the tab now holds."""
        return fingerprint(self.choice, self.note, self.reason)

    def edit(self, indicator_id: int) -> Edit:
        """The versioned edit this input stands for."""
        return Edit(
            rating_field(indicator_id),
            self.base_version,
            self.base_fingerprint,
            self.fingerprint,
            self.choice,
        )


@dataclass(frozen=True)
class ReflectionInput:
    """What a tab sent for the competency's reflection."""

    text: str
    base_version: int
    base_fingerprint: str

    @property
    def edit(self) -> Edit:
        """The versioned edit this input stands for."""
        return Edit(
            REFLECTION_FIELD,
            self.base_version,
            self.base_fingerprint,
            fingerprint(self.text),
            self.text,
        )


@dataclass(frozen=True)
class FillInInput:
    """Everything the fill-in form sent, parsed.

    ``errors`` are the person's own mistakes, per field (shown at the field; the other
    fields are saved). ``tampered`` names the hidden fields the page writes itself that came
    back with a value it never writes: then nothing is saved and the page says so.
    """

    ratings: dict[int, RatingInput]
    reflection: ReflectionInput | None
    action: FillInAction
    wants_json: bool
    errors: dict[str, InputError] = field(default_factory=dict)
    tampered: list[str] = field(default_factory=list)

    @property
    def refused_indicators(self) -> set[int]:
        """Indicators with an error in one of their fields: they are not saved."""
        return {int(name.split("-")[1]) for name in self.errors if name.startswith("r-")}


def parse_fill_in_form(
    form: Mapping[str, str],
    indicator_ids: Collection[int],
    levels: Collection[int],
    refused: Mapping[str, str] | None = None,
) -> FillInInput:
    """Read the fill-in form of one competency: ratings, reflection, and the hidden fields.

    ``refused`` names the fields whose text had to be cleaned of control characters
    (:func:`portfolio.inputs.refused_fields`): each is refused with the error ``control``.
    """
    refused = refused or {}
    tampered: list[str] = []
    ratings, errors = parse_rating_form(form, indicator_ids, levels, refused, tampered)
    reflection = None
    if f"{REFLECTION_FIELD}-v" in form:
        text = form.get(REFLECTION_FIELD, "").replace("\r\n", "\n")
        reflection = ReflectionInput(
            text,
            read_version(form, f"{REFLECTION_FIELD}-v", tampered),
            read_fingerprint(form, f"{REFLECTION_FIELD}-h", tampered),
        )
        if REFLECTION_FIELD in refused:
            errors[REFLECTION_FIELD] = InputError.CONTROL
        elif len(text) > REFLECTION_LIMIT:
            errors[REFLECTION_FIELD] = InputError.REFLECTION
    sent = form.get("action", "") or FillInAction.SAVE
    try:
        action = FillInAction(sent)
    except ValueError:
        tampered.append("action")
        action = FillInAction.SAVE
    response_format = form.get("_format", "")
    if response_format not in ("", "json"):
        tampered.append("_format")
    tampered.extend(name for name in ("action", "_format") if name in refused)
    return FillInInput(
        ratings,
        reflection,
        action,
        response_format == "json",
        errors,
        sorted(set(tampered)),
    )


def parse_rating_form(
    form: Mapping[str, str],
    indicator_ids: Collection[int],
    levels: Collection[int],
    refused: Mapping[str, str] | None = None,
    tampered: list[str] | None = None,
) -> tuple[dict[int, RatingInput], dict[str, InputError]]:
    """Read the rating fields of a competency form; returns inputs and per-field errors.

    Hidden fields with a value the page never writes are added to ``tampered``.
    """
    refused = refused or {}
    tampered = tampered if tampered is not None else []
    allowed = {"", NOT_JUDGEABLE, *(str(v) for v in levels)}
    inputs: dict[int, RatingInput] = {}
    errors: dict[str, InputError] = {}
    for indicator_id in indicator_ids:
        prefix = rating_field(indicator_id)
        if f"{prefix}-v" not in form:
            continue  # not on this form (retired, or a partial autosave)
        choice = form.get(f"{prefix}-level", "").strip()
        note = form.get(f"{prefix}-note", "").strip()
        reason = form.get(f"{prefix}-reason", "").strip()
        base = read_version(form, f"{prefix}-v", tampered)
        base_fp = read_fingerprint(form, f"{prefix}-h", tampered)
        if choice not in allowed:
            errors[f"{prefix}-level"] = InputError.LEVEL
        parts = (
            ("note", note, NOTE_LIMIT, InputError.NOTE),
            ("reason", reason, REASON_LIMIT, InputError.REASON),
        )
        for part, text, limit, error in parts:
            if f"{prefix}-{part}" in refused:
                errors[f"{prefix}-{part}"] = InputError.CONTROL
            elif len(text) > limit:
                errors[f"{prefix}-{part}"] = error
        inputs[indicator_id] = RatingInput(choice, note, reason, base, base_fp)
    return inputs, errors
