"""The forms of formative review: a comment, an answer, a status change, sharing a draft.

A page shows many of these forms (one per thread and part), written out in the templates
with their own element ids; these classes read and check what one of them sent.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length

from portfolio.inputs import Form
from portfolio.reviews.models import MESSAGE_LIMIT

_TOO_LONG = _l("Keep it to 4,000 characters or fewer: this is a short thread, not a document.")


class CommentForm(Form):
    """A trainer's comment on one part (``part`` names it, e.g. ``text:introduction``)."""

    body = TextAreaField(
        _l("Your comment"),
        validators=[
            DataRequired(_l("Write your comment first: the box was empty.")),
            Length(max=MESSAGE_LIMIT, message=_TOO_LONG),
        ],
    )
    part = HiddenField()
    next = HiddenField()


class AnswerForm(Form):
    """An answer in a thread."""

    body = TextAreaField(
        _l("Your answer"),
        validators=[
            DataRequired(_l("Write your answer first: the box was empty.")),
            Length(max=MESSAGE_LIMIT, message=_TOO_LONG),
        ],
    )
    next = HiddenField()


class StatusForm(Form):
    """Mark a thread handled or open again (the button sends ``status``)."""

    next = HiddenField()


class ShareForm(Form):
    """Share the draft with the trainers or stop (the button sends ``share``)."""
