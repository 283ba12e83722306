"""The form of a SCORM package uploaded as a new lesson of an existing module."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class PackageForm(FlaskForm):
    module_id = SelectField(_l("Module"), coerce=int, validators=[DataRequired()])
    title = StringField(_l("Title of the lesson"), validators=[DataRequired(), Length(max=200)])
    minutes = IntegerField(
        _l("Estimated minutes"), default=15, validators=[NumberRange(min=0, max=600)]
    )
    required = BooleanField(_l("Required for the course"), default=True)
    package = FileField(_l("SCORM package (.zip)"), validators=[FileRequired()])
