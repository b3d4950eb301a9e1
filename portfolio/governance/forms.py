"""The governance group's forms: open a decision, vote, stand aside, record the outcome;
and, for administrators, an organisation's network and decision rule."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portfolio.governance.models import (
    Choice,
    Decision,
    DecisionKind,
    DecisionRule,
    StandAside,
    Vote,
)
from portfolio.inputs import Form, SelectChoice

KIND_CHOICES = [
    SelectChoice(
        DecisionKind.INTAKE.value, _l("Intake: is this person trained as a dialogical tutor?")
    ),
    SelectChoice(
        DecisionKind.CERTIFICATION.value,
        _l("Certification: does this trainee become a dialogical tutor?"),
    ),
]
VOTE_CHOICES = [
    SelectChoice(Choice.SELECTED.value, _l("Selected")),
    SelectChoice(Choice.NOT_YET.value, _l("Not yet")),
    SelectChoice(Choice.DECLINED.value, _l("Declined")),
]
RULE_CHOICES = [
    SelectChoice(DecisionRule.MAJORITY.value, _l("Majority of the votes")),
    SelectChoice(DecisionRule.CONSENSUS.value, _l("Consensus: every vote the same")),
]


class OpenDecisionForm(Form):
    """A member opens a decision about a candidate."""

    kind = RadioField(
        _l("What does the group decide?"),
        choices=KIND_CHOICES,
        validators=[InputRequired(_l("Choose what the group decides."))],
    )
    question = TextAreaField(
        _l("Context for the members (optional)"),
        description=_l("For example the call or the criteria this decision follows."),
        validators=[
            Length(max=Decision.QUESTION_LENGTH, message=_l("Keep it under 2,000 characters."))
        ],
    )


class VoteForm(Form):
    """A member's vote, with a rationale."""

    choice = RadioField(
        _l("Your vote"),
        choices=VOTE_CHOICES,
        validators=[InputRequired(_l("Choose selected, not yet or declined."))],
    )
    rationale = TextAreaField(
        _l("Why"),
        description=_l(
            "The other members read this once they have voted too. The candidate does not."
        ),
        validators=[
            DataRequired(_l("Write why you vote this way, in a few sentences.")),
            Length(max=Vote.RATIONALE_LENGTH, message=_l("Keep it under 5,000 characters.")),
        ],
    )


class StandAsideForm(Form):
    """A member declares a conflict with the decision."""

    reason = TextAreaField(
        _l("Why you stand aside (optional)"),
        description=_l(
            "For example: you manage this person, or work in the same team. You will not vote "
            "and will not see the votes on this decision."
        ),
        validators=[
            Length(max=StandAside.REASON_LENGTH, message=_l("Keep it under 2,000 characters."))
        ],
    )


class RecordForm(Form):
    """A member records the outcome the votes give, with the group's rationale."""

    rationale = TextAreaField(
        _l("The group's rationale"),
        description=_l("The candidate reads this with the outcome."),
        validators=[
            DataRequired(_l("Write the group's rationale: the candidate reads it.")),
            Length(max=Decision.RATIONALE_LENGTH, message=_l("Keep it under 5,000 characters.")),
        ],
    )
    version = HiddenField()


class NetworkMemberForm(Form):
    """An administrator adds an organisation to a network."""

    member = SelectField(
        _l("Organisation"),
        coerce=str,
        validators=[DataRequired(_l("Choose the organisation to add."))],
    )


class RuleForm(Form):
    """An administrator sets how the organisation's governance group decides."""

    rule = SelectField(_l("How the group decides"), choices=RULE_CHOICES)
