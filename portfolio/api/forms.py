"""The form that makes a personal access token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portfolio.api.models import TokenScope
from portfolio.inputs import Form, SelectChoice

SCOPE_CHOICES = [
    SelectChoice(TokenScope.OWN.value, _l("Read my own rounds, ratings, reflections and feedback")),
    SelectChoice(TokenScope.COHORTS.value, _l("Read the progress of the cohorts I train")),
    SelectChoice(TokenScope.CANDIDATES.value, _l("Read the candidates of the groups I govern")),
]


class TokenForm(Form):
    """Name, scope and expiry of a new token."""

    name = StringField(
        _l("Name"),
        description=_l("What the token is for, such as “my spreadsheet”."),
        validators=[DataRequired(_l("Give the token a name.")), Length(max=80)],
    )
    scope = SelectField(_l("What it may read"), choices=SCOPE_CHOICES, default=TokenScope.OWN.value)
    expires_on = DateField(
        _l("Expires on"),
        description=_l("At most a year from today. The token stops working after this day."),
        validators=[DataRequired(_l("Choose an expiry date."))],
    )
