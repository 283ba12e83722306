"""The form of a launch waiting for its person's choice: the existing account's password, or a
new account (field validation only: the password is checked by ``accounts.choose``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SubmitField


class ChooseAccountForm(FlaskForm):
    password = PasswordField(_l("Password of this account"))
    link = SubmitField(_l("Link my account"))
    new_account = SubmitField(_l("Continue with a new account"))

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.link.data and not self.password.data:
            self.password.errors.append(_l("Type the password of this account."))
            return False
        return self.link.data or self.new_account.data
