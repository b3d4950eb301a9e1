"""Forms for signing in, signing up from an invitation, and looking after your account."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portfolio.accounts.passwords import MAX_LENGTH, StrongPassword
from portfolio.inputs import Form as FlaskForm
from portfolio.inputs import SelectChoice

# SelectChoice rather than (value, label) tuples, which WTForms 3.3 deprecates.
LANGUAGE_CHOICES = [
    SelectChoice("", _l("The language of my browser")),
    SelectChoice("nl", "Nederlands"),
    SelectChoice("en", "English"),
]


def _email_field(label: str | None = None) -> EmailField:
    return EmailField(
        label or _l("E-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address like name@example.org."), check_deliverability=False),
            Length(max=254),
        ],
        filters=[lambda value: value.strip().lower() if value else value],
        render_kw={"autocomplete": "email"},
    )


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    password = PasswordField(
        _l("New password"),
        description=_l("At least 10 characters. A short sentence is easy to remember."),
        validators=[DataRequired(_l("Choose a password.")), StrongPassword()],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The two passwords are not the same.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class SignInForm(FlaskForm):
    """E-mail and password."""

    email = _email_field()
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ForgotPasswordForm(FlaskForm):
    """Ask for a reset link."""

    email = _email_field()


class NewPasswordForm(FlaskForm):
    """A form that chooses a password for a known person.

    The password check refuses the person's name and e-mail address; forms without those
    fields are told whose password it is with :meth:`for_person`.
    """

    person_email = ""
    person_name = ""

    def for_person(self, email: str, name: str) -> None:
        """Whose password this is (for the check that it does not contain their name)."""
        self.person_email, self.person_name = email, name


class ResetPasswordForm(NewPasswordForm):
    """Choose a new password from a reset link."""

    password, confirm = _new_password_fields()


class SignUpForm(NewPasswordForm):
    """Create an account from an invitation."""

    name = StringField(
        _l("Your name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    password, confirm = _new_password_fields()


class ProfileForm(FlaskForm):
    """Name and interface language."""

    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Enter your name.")), Length(max=120)],
        render_kw={"autocomplete": "name"},
    )
    language = SelectField(_l("Language of the interface"), choices=LANGUAGE_CHOICES)


class ChangePasswordForm(NewPasswordForm):
    """Change the password, proving the current one."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    password, confirm = _new_password_fields()
