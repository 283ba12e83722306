"""Forms of the learner's journey (field validation only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class JoinForm(FlaskForm):
    code = StringField(_l("Join code"), validators=[DataRequired(), Length(max=20)])


class AssignmentForm(FlaskForm):
    text = TextAreaField(_l("Your answer"), validators=[Length(max=20000)])
    file = FileField(_l("Attach a file (PDF, JPEG or PNG)"))
