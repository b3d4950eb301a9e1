"""The final assessment's forms. The levels and motivations per competency are read from
the request by :func:`portfolio.judging.views.read_entries` (their number follows the
framework); these forms carry the CSRF token and the fields that are always there."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length

from portfolio.inputs import Form


class StepForm(Form):
    """A judgement or consensus page (CSRF only; the entries are read separately)."""


class AssignForm(Form):
    """Assign a trainer of the cohort to the free seat."""

    trainer = SelectField(
        _l("Trainer"),
        coerce=str,
        validators=[DataRequired(_l("Choose the trainer to assign."))],
    )

    @classmethod
    def offering(
        cls, candidates: Iterable[tuple[int, str]], *, prompt: str | None = None, **kwargs: Any
    ) -> AssignForm:
        """The form with ``candidates`` (id, name) as its choices (``prompt`` first, empty)."""
        form = cls(**kwargs)
        choices = [("", prompt)] if prompt else []
        form.trainer.choices = choices + [(str(uid), name) for uid, name in candidates]
        return form


class ConflictForm(Form):
    """A trainer says they have a conflict with the portfolio."""

    reason = TextAreaField(
        _l("What is the conflict?"),
        description=_l(
            "For example: you are the trainee's manager, colleague in the same team, or "
            "related. The other trainers of the cohort see this."
        ),
        validators=[
            DataRequired(_l("Say what the conflict is, in a few words.")),
            Length(max=2000, message=_l("Keep it under 2,000 characters.")),
        ],
    )


class ReferForm(Form):
    """A main assessor refers the portfolio to a third assessor."""

    reason = TextAreaField(
        _l("Where do you disagree?"),
        description=_l("The third assessor and the cohort's trainers read this."),
        validators=[
            DataRequired(_l("Say where you could not agree, so the third assessor knows.")),
            Length(max=2000, message=_l("Keep it under 2,000 characters.")),
        ],
    )
