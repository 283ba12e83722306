"""Forms of the circle pages (field validation only; the rules that need the database are in
operations)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from lms.users.forms import MultiCheckboxField

from .models import MAX_MEMBERS, MIN_MEMBERS

STAGE_LABELS = {
    "charter": _l("Charter"),
    "diagnosis": _l("Diagnosis"),
    "prototype": _l("Prototype"),
    "pilot": _l("Pilot"),
    "presented": _l("Presented"),
}
THEME_LABELS = {
    "employment": _l("Employment"),
    "training": _l("Training"),
    "entrepreneurship": _l("Entrepreneurship"),
    "mobility": _l("Mobility"),
    "digital": _l("Digital"),
    "environment": _l("Environment"),
    "culture": _l("Culture and sport"),
    "health": _l("Health"),
    "other": _l("Other"),
}
ALLY_KIND_LABELS = {
    "commune": _l("Commune"),
    "province": _l("Province"),
    "association": _l("Association"),
    "cooperative": _l("Cooperative"),
    "company": _l("Company"),
    "public_agency": _l("Public agency (ANAPEC, INDH…)"),
    "donor": _l("Donor"),
}
OUTCOME_LABELS = {"": _l("Not decided yet"), "continued": _l("Continued"), "stopped": _l("Stopped")}


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(key, label) for key, label in labels.items()]


class FormCircleForm(FlaskForm):
    name = StringField(_l("Name of the circle"), validators=[DataRequired(), Length(max=120)])
    members = MultiCheckboxField(
        _l("Members (%(min)d to %(max)d learners of the cohort)", min=MIN_MEMBERS, max=MAX_MEMBERS),
        coerce=int,
        validators=[DataRequired(message=_l("Choose the circle's members."))],
        validate_choice=False,  # the operation names who cannot be added, and why
    )


class SettingsForm(FlaskForm):
    self_formation = BooleanField(_l("Learners may create or join a circle with its code"))
    max_members = IntegerField(
        _l("Members at most in a circle learners form"),
        validators=[InputRequired(), NumberRange(min=MIN_MEMBERS, max=MAX_MEMBERS)],
        default=6,
    )


class DueDateForm(FlaskForm):
    lesson = IntegerField(validators=[InputRequired()])
    due_on = DateField(_l("Due date"), validators=[Optional()])


class AddMemberForm(FlaskForm):
    #: any id is read: the operation says why one cannot be added (twice, another cohort...)
    user = SelectField(
        _l("Add a learner"), coerce=int, validators=[InputRequired()], validate_choice=False
    )


class NewCircleForm(FlaskForm):
    name = StringField(_l("Name of your circle"), validators=[DataRequired(), Length(max=120)])


class JoinCircleForm(FlaskForm):
    code = StringField(_l("Circle code"), validators=[DataRequired(), Length(max=20)])


class ProjectForm(FlaskForm):
    title = StringField(_l("Title of the project"), validators=[DataRequired(), Length(max=200)])
    second_title = StringField(
        _l("The title in the other language (Arabic if the title is in French, or French)"),
        validators=[Length(max=200)],
    )
    problem_who = TextAreaField(_l("Who is affected?"), validators=[Length(max=5000)])
    problem_what = TextAreaField(_l("What is the problem?"), validators=[Length(max=5000)])
    problem_where = TextAreaField(_l("Where?"), validators=[Length(max=5000)])
    problem_how_many = TextAreaField(_l("How many people?"), validators=[Length(max=5000)])
    problem_why = TextAreaField(_l("Why does it matter?"), validators=[Length(max=5000)])
    tried = TextAreaField(_l("What we tried"), validators=[Length(max=5000)])
    province = StringField(_l("Province"), validators=[Length(max=100)])
    commune = StringField(_l("Commune"), validators=[Length(max=100)])
    theme = SelectField(_l("Theme"), choices=_choices(THEME_LABELS))
    stage = SelectField(_l("Stage"), choices=_choices(STAGE_LABELS))
    outcome = SelectField(_l("After the presentation"), choices=_choices(OUTCOME_LABELS))
    stop_reason = TextAreaField(_l("Why the project stopped"), validators=[Length(max=5000)])


class AllyForm(FlaskForm):
    organisation = StringField(_l("Organisation"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Kind of organisation"), choices=_choices(ALLY_KIND_LABELS))
    contact_role = StringField(_l("Role of the contact person"), validators=[Length(max=200)])
    commitment = TextAreaField(_l("What they commit to"), validators=[Length(max=5000)])
    letter = FileField(_l("Letter of support (PDF or photo, optional)"))


class HandInForm(FlaskForm):
    text = TextAreaField(_l("The circle's work"), validators=[Length(max=20000)])
    file = FileField(_l("Attach a file (PDF, JPEG or PNG)"))


class TeamReviewForm(FlaskForm):
    #: the version the facilitator read: a newer one handed in meanwhile is not reviewed blind
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    feedback = TextAreaField(
        _l("Feedback (Markdown: **bold**, lists, links)"), validators=[Length(max=20000)]
    )
    accept = SubmitField(_l("Accept the work"))
    revise = SubmitField(_l("Ask for changes"))


class WaiverForm(FlaskForm):
    email = StringField(_l("E-mail address of the learner"), validators=[DataRequired(),
                                                                        Length(max=254)])  # fmt: skip
    reason = StringField(_l("Reason"), validators=[Length(max=500)])
