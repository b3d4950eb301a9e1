"""Forms for organisations, cohorts and invitations."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from portfolio.cohorts.models import CohortRole, TrainingModule
from portfolio.inputs import Form as FlaskForm
from portfolio.inputs import SelectChoice

# SelectChoice rather than (value, label) tuples, which WTForms 3.3 deprecates.
ORGANISATION_KINDS = [
    SelectChoice("municipality", _l("Municipality")),
    SelectChoice("region", _l("Region")),
    SelectChoice("care-provider", _l("Care provider")),
    SelectChoice("education", _l("Education")),
    SelectChoice("other", _l("Other")),
]
ROLE_CHOICES = [
    SelectChoice(CohortRole.TRAINEE.value, _l("Trainee")),
    SelectChoice(CohortRole.TRAINER.value, _l("Trainer")),
]


class OrganisationForm(FlaskForm):
    """A new organisation."""

    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=200)]
    )
    kind = SelectField(_l("Kind of organisation"), choices=ORGANISATION_KINDS, default="other")
    country = StringField(
        _l("Country code"),
        description=_l("Two letters, for example NL, IT, FI, PT."),
        validators=[Optional(), Length(min=2, max=2, message=_l("Use the two-letter code."))],
        filters=[lambda v: v.strip().upper() if v else v],
    )


class CohortForm(FlaskForm):
    """A new run of the tutor training."""

    name = StringField(
        _l("Name"),
        description=_l("For example: Dialogical Tutor Training 2025 — Forlì"),
        validators=[DataRequired(_l("Enter a name for the cohort.")), Length(max=200)],
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(
        _l("First training day"),
        validators=[Optional()],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    ends_on = DateField(
        _l("Last training day"),
        validators=[Optional()],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )

    def validate_ends_on(self, field: Any) -> None:
        """The training cannot end before it starts."""
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The last day must be on or after the first day."))


class GovernanceInviteForm(FlaskForm):
    """Invite someone into an organisation's governance group."""

    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter the e-mail address of the person to invite.")),
            Email(_l("Enter an e-mail address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[lambda v: v.strip().lower() if v else v],
    )
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    message = TextAreaField(
        _l("Personal message (optional)"), validators=[Optional(), Length(max=2000)]
    )


class InviteForm(GovernanceInviteForm):
    """Invite someone into a cohort: the same fields, and the role in the cohort."""

    role = SelectField(_l("Role in this cohort"), choices=ROLE_CHOICES)


class DayField(DateField):
    """A date field that says what to type when it cannot read the day (YYYY-MM-DD).

    Use it with ``InputRequired`` (``DataRequired`` would put its own message in place of
    this one when the text cannot be read)."""

    def __init__(self, label: Any, *, unreadable: Any, **kwargs: Any) -> None:
        super().__init__(label, **kwargs)
        self.unreadable = unreadable

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the day; when it cannot be read, say how to write it (the text stays)."""
        if not " ".join(str(v) for v in valuelist).strip():
            self.data = None  # nothing typed: the "enter the day" message says so
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(str(self.unreadable)) from error


class ModuleForm(FlaskForm):
    """A training module of a cohort: usually two days."""

    title = StringField(
        _l("Title of the module"),
        description=_l("For example: Module 1 — Dialogical spaces"),
        validators=[
            DataRequired(_l("Give the module a title.")),
            Length(
                max=TrainingModule.TITLE_LENGTH,
                message=_l("Keep the title under %(max)d characters."),
            ),
        ],
    )
    first_day = DayField(
        _l("First day"),
        unreadable=_l(
            "The first day is not a date that can be read. Write it as YYYY-MM-DD, for "
            "example 2026-03-12."
        ),
        validators=[InputRequired(_l("Enter the module's first day, as YYYY-MM-DD."))],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    last_day = DayField(
        _l("Last day"),
        description=_l("The same as the first day for a one-day module."),
        unreadable=_l(
            "The last day is not a date that can be read. Write it as YYYY-MM-DD, for "
            "example 2026-03-13."
        ),
        validators=[InputRequired(_l("Enter the module's last day, as YYYY-MM-DD."))],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    description = TextAreaField(
        _l("Short description (optional)"),
        validators=[
            Optional(),
            Length(
                max=TrainingModule.DESCRIPTION_LENGTH,
                message=_l("Keep the description under %(max)d characters."),
            ),
        ],
        render_kw={"rows": 2},
    )

    def planned(self) -> dict[str, Any]:
        """What the module services are asked for, once the form validated."""
        return {
            "title": self.title.data or "",
            "first_day": self.first_day.data,
            "last_day": self.last_day.data,
            "description": self.description.data or "",
        }

    def show_refusal(self, problems: list[Any]) -> None:
        """Put the module rules' messages at their fields."""
        for problem in problems:
            field = getattr(self, problem.field)
            field.errors = [*field.errors, problem.message]
