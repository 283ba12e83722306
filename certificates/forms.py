"""Certificate forms (field validation only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional


class IssueForm(FlaskForm):
    email = EmailField(_l("E-mail of the person"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Full name (only if the person has no account yet)"), validators=[Optional(), Length(max=200)])
    course = SelectField(_l("Course"), validators=[DataRequired()])
    force = BooleanField(_l("Issue even though the course's rule is not met"))
    reason = TextAreaField(_l("Reason (kept in the audit trail)"), validators=[DataRequired(), Length(max=2000)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revoking"), validators=[DataRequired(), Length(max=2000)])


class CorrectForm(FlaskForm):
    name = StringField(_l("Corrected full name"), validators=[DataRequired(), Length(max=200)])
    reason = TextAreaField(_l("Reason for the correction"), validators=[DataRequired(), Length(max=2000)])


class VerifyUploadForm(FlaskForm):
    pdf = FileField(_l("Certificate (PDF)"), validators=[FileRequired()])
