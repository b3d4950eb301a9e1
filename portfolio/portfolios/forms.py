"""The portfolio's forms: a text (introduction or justification), handing in, giving back."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portfolio.inputs import Form
from portfolio.portfolios.content import TEXT_LIMIT


class TextForm(Form):
    """One text of the portfolio; the hidden fields carry what the page was based on."""

    text = TextAreaField(
        _l("Text"),
        validators=[
            Length(
                max=TEXT_LIMIT,
                message=_l("The text is too long: keep it to 40,000 characters or fewer."),
            )
        ],
    )
    version = HiddenField()
    fingerprint = HiddenField()


class HandInForm(Form):
    """Confirm handing the portfolio in (the CSRF token only)."""


class ReturnForm(Form):
    """Give a handed-in portfolio back to the trainee for revision."""

    reason = TextAreaField(
        _l("What should the trainee revise?"),
        description=_l("The trainee sees this on their portfolio until they hand it in again."),
        validators=[
            DataRequired(_l("Write what to revise: the trainee needs to know what to change.")),
            Length(max=2000, message=_l("Keep the reason under 2,000 characters.")),
        ],
    )
