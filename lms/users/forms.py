"""Account forms: field validation only (rules that need the database live in operations)."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields import SelectChoice  # tuples as choices are deprecated since WTForms 3.3
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from lms.errors import InvalidInput
from lms.i18n import LANGUAGE_NAMES


def strip(value):
    """Spaces around an address (pasted from a message) are not part of it."""
    return value.strip() if isinstance(value, str) else value


def _language_choices():
    return [
        SelectChoice(code, LANGUAGE_NAMES.get(code, code))
        for code in current_app.config["LMS_LANGUAGES"]
    ]


class PasswordLength:
    """At least LMS_PASSWORD_MIN_LENGTH characters (read at validation time)."""

    def __call__(self, form, field):
        minimum = current_app.config["LMS_PASSWORD_MIN_LENGTH"]
        if len(field.data or "") < minimum:
            raise ValidationError(_l("Use at least %(n)d characters.", n=minimum))


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Remember me on this device"))


class RegisterForm(FlaskForm):
    name = StringField(
        _l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    locale = SelectField(_l("Preferred language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = _language_choices()


class ProfileForm(FlaskForm):
    name = StringField(
        _l("Full name"), filters=[strip], validators=[DataRequired(), Length(max=200)]
    )
    locale = SelectField(_l("Preferred language"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = _language_choices()


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PasswordLength()])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class AddEmailForm(FlaskForm):
    email = EmailField(_l("E-mail"), filters=[strip], validators=[DataRequired(), Length(max=254)])


class ConfirmForm(FlaskForm):
    """A button and its CSRF token."""


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserRolesForm(FlaskForm):
    roles = MultiCheckboxField(
        _l("Roles"),
        choices=[
            SelectChoice("learner", _l("Learner")),
            SelectChoice("trainer", _l("Trainer")),
            SelectChoice("admin", _l("Administrator")),
        ],
    )

    def validate_roles(self, field):
        # no role at all would be an account that can do nothing: deactivate it instead
        if not field.data:
            raise ValidationError(
                _l("Choose at least one role (deactivate the account to close it).")
            )


class ActionForm(FlaskForm):
    """A form with only its CSRF token, for buttons that change state."""


def require_action_form() -> None:
    """A state-changing button's POST carries a valid CSRF token (else 400)."""
    if not ActionForm().validate_on_submit():
        raise InvalidInput()
