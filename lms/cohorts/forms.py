"""Forms of the trainer's pages (field validation only; rules that need the database are in
operations), and the reading of the attendance list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from lms.users.forms import MultiCheckboxField


class CohortForm(FlaskForm):
    """Editing a cohort (its course cannot change: its learners' progress belongs to it)."""

    name = StringField(_l("Name of the cohort"), validators=[DataRequired(), Length(max=200)])
    province = StringField(_l("Province"), validators=[Length(max=100)])
    commune = StringField(_l("Commune"), validators=[Length(max=100)])
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    capacity = IntegerField(
        _l("Capacity (empty: no limit)"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    trainers = MultiCheckboxField(
        _l("Trainers"),
        coerce=int,
        validators=[DataRequired(message=_l("Choose at least one trainer."))],
    )

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end date comes before the start date."))


class NewCohortForm(CohortForm):
    course = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])


class RosterUploadForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])


class RosterConfirmForm(FlaskForm):
    """Confirming a roster whose every row is right (one with an error cannot be confirmed)."""

    #: the fingerprint of the rows the trainer saw: a stale tab cannot confirm other rows
    digest = HiddenField()


class MoveForm(FlaskForm):
    target = SelectField(_l("Move to the cohort"), coerce=int, validators=[DataRequired()])
