"""Forms of the pack upload: the zip, then the token of the checked upload to apply."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired


class UploadForm(FlaskForm):
    pack = FileField(_l("Pack (.zip)"), validators=[FileRequired()])


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[DataRequired()])
