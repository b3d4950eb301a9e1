"""The forms a trainee fills in to ask for feedback and to reply to it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portfolio.feedback.inputs import REPLY_LIMIT
from portfolio.feedback.queries import MemberChoice
from portfolio.feedback.services import (
    EMAIL_LIMIT,
    MESSAGE_LIMIT,
    NAME_LIMIT,
    SITUATION_LIMIT,
)
from portfolio.framework import Framework
from portfolio.inputs import Form as FlaskForm
from portfolio.inputs import SelectChoice

#: The value of the "who" list that means: someone without an account in the cohort.
SOMEONE_ELSE = "other"


class CheckboxesField(SelectMultipleField):
    """A list of checkboxes (several choices)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _too_long(limit: int) -> Length:
    return Length(
        max=limit,
        message=_l("This is longer than %(max)d characters: shorten it.", max=limit),
    )


class AskForm(FlaskForm):
    """Ask one person for feedback on a round."""

    who = SelectField(_l("Whom do you ask?"), default=SOMEONE_ELSE)
    rater_name = StringField(_l("Their name"), validators=[Optional(), _too_long(NAME_LIMIT)])
    rater_email = EmailField(
        _l("Their e-mail address"),
        description=_l("They get a personal link; they do not need an account."),
        validators=[
            Optional(),
            Email(_l("Enter an e-mail address like name@example.org.")),
            Length(max=EMAIL_LIMIT),
        ],
    )
    rater_group = SelectField(
        _l("They are"),
        description=_l("Anonymous answers are shown per group, so choose the one that fits."),
    )
    competencies = CheckboxesField(
        _l("Which competencies should they look at?"),
        description=_l("All of them, unless you choose fewer."),
    )
    situation_date = DateField(
        _l("Date of the meeting or situation they saw (optional)"),
        validators=[Optional()],
        render_kw={"placeholder": "YYYY-MM-DD"},
    )
    situation = TextAreaField(
        _l("What happened there (optional)"),
        validators=[Optional(), _too_long(SITUATION_LIMIT)],
        render_kw={"rows": 3},
    )
    tool = SelectField(_l("Dialogical tool used there (optional)"), default="")
    message = TextAreaField(
        _l("A personal message (optional)"),
        validators=[Optional(), _too_long(MESSAGE_LIMIT)],
        render_kw={"rows": 3},
    )
    anonymous = RadioField(
        _l("How will you see their answer?"),
        choices=[
            SelectChoice("identified", _l("With their name, as soon as they answer")),
            SelectChoice(
                "anonymous",
                _l("Anonymously, within a summary of their group"),
            ),
        ],
        default="identified",
    )
    share_self_ratings = BooleanField(_l("Let them see my own ratings of this round"))
    language = SelectField(_l("Language of their e-mail and pages"))
    confirm_duplicate = HiddenField(default="")

    def fill(
        self,
        framework: Framework,
        members: Sequence[MemberChoice],
        language: str,
        languages: Sequence[str],
        language_names: dict[str, str],
    ) -> None:
        """Choices that depend on the framework, the cohort and the installation."""
        from portfolio.competencies.texts import localized

        self.who.choices = [
            SelectChoice(SOMEONE_ELSE, _l("Someone else, by e-mail")),
            *(SelectChoice(str(m.id), m.name) for m in members),
        ]
        self.rater_group.choices = [
            SelectChoice(g.key, localized(g.label, language))
            for g in framework.feedback.rater_groups
        ]
        self.competencies.choices = [
            SelectChoice(c.key, f"{c.number}. {localized(c.name, language)}")
            for c in framework.competencies
        ]
        self.tool.choices = [
            SelectChoice("", _l("None named")),
            *(SelectChoice(t.key, localized(t.name, language)) for t in framework.tools()),
        ]
        self.language.choices = [
            SelectChoice(code, language_names.get(code, code)) for code in languages
        ]
        if not self.is_submitted():
            self.competencies.data = [c.key for c in framework.competencies]
            self.language.data = language

    def validate_rater_email(self, field: Any) -> None:
        """Someone outside the cohort needs an address."""
        if self.who.data == SOMEONE_ELSE and not (field.data or "").strip():
            raise ValidationError(_l("Enter the e-mail address of the person you ask."))

    def validate_rater_name(self, field: Any) -> None:
        """Someone outside the cohort needs a name."""
        if self.who.data == SOMEONE_ELSE and not (field.data or "").strip():
            raise ValidationError(_l("Enter the name of the person you ask."))

    def validate_competencies(self, field: Any) -> None:
        """At least one competency."""
        if not field.data:
            raise ValidationError(_l("Choose at least one competency."))


class ReplyForm(FlaskForm):
    """The trainee's reply to feedback: three optional parts, at least one."""

    takeaway = TextAreaField(
        _l("What I take from this"),
        validators=[Optional(), _too_long(REPLY_LIMIT)],
        render_kw={"rows": 3},
    )
    try_next = TextAreaField(
        _l("What I will try"),
        validators=[Optional(), _too_long(REPLY_LIMIT)],
        render_kw={"rows": 3},
    )
    question = TextAreaField(
        _l("A question back"),
        validators=[Optional(), _too_long(REPLY_LIMIT)],
        render_kw={"rows": 2},
    )
    version = HiddenField(default="0")

    def validate_takeaway(self, field: Any) -> None:
        """At least one of the three parts."""
        if not any((f.data or "").strip() for f in (field, self.try_next, self.question)):
            raise ValidationError(_l("Write at least one of the three parts of your reply."))


class RaterReplyForm(FlaskForm):
    """The rater's answer to the trainee's reply (once)."""

    body = TextAreaField(
        _l("Your answer"),
        validators=[
            DataRequired(_l("Write your answer, or leave the page.")),
            _too_long(REPLY_LIMIT),
        ],
        render_kw={"rows": 4},
    )


class DeclineForm(FlaskForm):
    """Saying no to a request, with an optional reason."""

    reason = TextAreaField(
        _l("Why not? (optional, the trainee sees this)"),
        validators=[Optional(), _too_long(MESSAGE_LIMIT)],
        render_kw={"rows": 3},
    )


class RaterDataForm(FlaskForm):
    """The button that downloads what is held about the rater (CSRF protection only)."""
