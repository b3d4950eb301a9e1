"""Forms for planning rounds and for reopening a self-assessment."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, Field, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from portfolio.assessment.rounds import RoundProblem
from portfolio.inputs import Form as FlaskForm


class PlannedRound(TypedDict):
    """What the round form asks the round services for (create_round, update_round)."""

    title: str
    opens_on: date
    closes_on: date
    confirmed: bool


class RoundForm(FlaskForm):
    """An assessment moment of a cohort."""

    title = StringField(
        _l("Name of the round"),
        description=_l("For example: Baseline, After module 1, Final"),
        validators=[DataRequired(_l("Give the round a name.")), Length(max=120)],
    )
    opens_on = DateField(
        _l("Opens on"),
        validators=[DataRequired(_l("Enter the first day trainees can fill it in (YYYY-MM-DD)."))],
    )
    closes_on = DateField(
        _l("Closes on"),
        validators=[DataRequired(_l("Enter the last day trainees can fill it in (YYYY-MM-DD)."))],
    )

    confirm_outside = BooleanField(_l("Plan it like this anyway, outside the cohort's dates"))

    def validate_closes_on(self, field: Field) -> None:
        """A round cannot close before it opens (the service checks the other rules)."""
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing day must be on or after the opening day."))

    def planned(self) -> PlannedRound:
        """What the form asks the round services for, once it validated."""
        assert self.opens_on.data is not None and self.closes_on.data is not None
        return {
            "title": self.title.data or "",
            "opens_on": self.opens_on.data,
            "closes_on": self.closes_on.data,
            "confirmed": bool(self.confirm_outside.data),
        }

    def show_refusal(self, problems: list[RoundProblem]) -> None:
        """Put the planning rules' messages at their fields (see rounds.round_problems).

        The confirmation box is only shown when the dates fall outside the cohort's.
        """
        for problem in problems:
            field = getattr(self, problem.field)
            field.errors = [*field.errors, problem.message]
        if not any(p.field == "confirm_outside" for p in problems):
            self.hide_confirmation()

    def hide_confirmation(self) -> None:
        """No confirmation asked: leave the box off the page."""
        if "confirm_outside" in self._fields:
            del self.confirm_outside


class ReopenForm(FlaskForm):
    """Give a submitted self-assessment back to the trainee."""

    reason = TextAreaField(
        _l("Why are you reopening it?"),
        description=_l(
            "The trainee sees this reason on their overview until they hand it in again."
        ),
        validators=[
            DataRequired(
                _l("Write why you are reopening it: the trainee needs to know what to change.")
            ),
            Length(max=1000, message=_l("Keep the reason under 1,000 characters.")),
        ],
    )
