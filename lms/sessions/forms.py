"""Forms of in-person sessions: scheduling one, and the attendance list."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    DateField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length

from lms.errors import InvalidInput


class SessionForm(FlaskForm):
    lesson = SelectField(_l("Session of the course"), coerce=int, validators=[DataRequired()])
    day = DateField(_l("Date"), validators=[DataRequired()])
    time = TimeField(_l("Time"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=255)])
    notes = TextAreaField(_l("Notes for the learners (optional)"), validators=[Length(max=2000)])


ATTENDANCE_VALUES = {"present": True, "absent": False}


def parse_attendance(form: MultiDict) -> dict[int, bool]:
    """``a-<enrolment id>`` = present | absent for each learner the trainer marked.

    Any other field, or another value, is refused as a whole: nothing of the list is recorded.
    """
    marks: dict[int, bool] = {}
    for name, values in form.lists():
        if name == "csrf_token":
            continue
        number = name[2:] if name.startswith("a-") else ""
        if not number.isdigit() or len(values) != 1 or values[0] not in ATTENDANCE_VALUES:
            raise InvalidInput(_("The attendance list does not match this session."))
        marks[int(number)] = ATTENDANCE_VALUES[values[0]]
    return marks


class SessionChangeForm(SessionForm):
    """Changing a session: its day, time, place and notes. Its lesson stays (attendance already
    taken belongs to it); to hold another lesson, schedule another session."""

    lesson = None

    def fill(self, local_start: datetime, place: str, notes: str) -> None:
        self.day.data = local_start.date()
        self.time.data = local_start.time().replace(second=0, microsecond=0)
        self.place.data, self.notes.data = place, notes
