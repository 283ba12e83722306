"""Forms of the consultation pages (field validation only; the rules that need the database
are in ``operations``). The answer forms themselves are built from the questions and read by
``answers``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from .models import COMMUNE_MAX, MAX_CHOICES, MAX_COMMUNES, MIN_CHOICES

TITLE_MAX = 200
INTRO_MAX = 1000
PROMPT_MAX = 300
CHOICE_MAX = 120


def lines(text: str | None) -> list[str]:
    """The non-empty lines of a text area, each with its spaces tidied."""
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


class ConsultationForm(FlaskForm):
    title_fr = StringField(
        _l("Title in French"), validators=[DataRequired(), Length(max=TITLE_MAX)]
    )
    title_ar = StringField(
        _l("Title in Arabic"), validators=[DataRequired(), Length(max=TITLE_MAX)]
    )
    title_en = StringField(_l("Title in English (optional)"), validators=[Length(max=TITLE_MAX)])
    intro_fr = TextAreaField(_l("Introduction in French"), validators=[Length(max=INTRO_MAX)])
    intro_ar = TextAreaField(_l("Introduction in Arabic"), validators=[Length(max=INTRO_MAX)])
    intro_en = TextAreaField(
        _l("Introduction in English (optional)"), validators=[Length(max=INTRO_MAX)]
    )
    communes = TextAreaField(_l("Communes where you consult (one a line)"))
    opens_on = DateField(_l("Opening date"), validators=[Optional()])
    closes_on = DateField(_l("Closing date"), validators=[Optional()])

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError(_l("The closing date is before the opening date."))

    def validate_communes(self, field):
        communes = lines(field.data)
        if len(communes) > MAX_COMMUNES:
            raise ValidationError(_l("At most %(n)d communes.", n=MAX_COMMUNES))
        if any(len(commune) > COMMUNE_MAX for commune in communes):
            raise ValidationError(_l("A commune has at most %(n)d characters.", n=COMMUNE_MAX))


def kind_choices() -> list[SelectChoice]:
    return [
        SelectChoice("single", _l("One choice")),
        SelectChoice("multiple", _l("Several choices")),
        SelectChoice("scale", _l("Scale from 1 to 5")),
        SelectChoice("text", _l("Short text")),
    ]


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of question"), choices=kind_choices, validators=[DataRequired()])
    prompt_fr = StringField(
        _l("Question in French"), validators=[DataRequired(), Length(max=PROMPT_MAX)]
    )
    prompt_ar = StringField(
        _l("Question in Arabic"), validators=[DataRequired(), Length(max=PROMPT_MAX)]
    )
    prompt_en = StringField(
        _l("Question in English (optional)"), validators=[Length(max=PROMPT_MAX)]
    )
    choices_fr = TextAreaField(_l("Choices in French (one a line)"))
    choices_ar = TextAreaField(_l("Choices in Arabic (one a line, in the same order)"))
    choices_en = TextAreaField(_l("Choices in English (optional, same order)"))
    required = BooleanField(_l("An answer is required"))

    def needs_choices(self) -> bool:
        return self.kind.data in ("single", "multiple")

    def validate_choices_fr(self, field):
        if not self.needs_choices():
            return
        count = len(lines(field.data))
        if count < MIN_CHOICES or count > MAX_CHOICES:
            raise ValidationError(
                _l(
                    "Write %(min)d to %(max)d choices, one a line.",
                    min=MIN_CHOICES,
                    max=MAX_CHOICES,
                )  # fmt: skip
            )
        if any(len(choice) > CHOICE_MAX for choice in lines(field.data)):
            raise ValidationError(_l("A choice has at most %(n)d characters.", n=CHOICE_MAX))

    def _same_count(self, field, required: bool):
        if not self.needs_choices():
            return
        given = lines(field.data)
        if not given and not required:
            return
        if len(given) != len(lines(self.choices_fr.data)):
            raise ValidationError(_l("Write as many choices as in French, in the same order."))
        if any(len(choice) > CHOICE_MAX for choice in given):
            raise ValidationError(_l("A choice has at most %(n)d characters.", n=CHOICE_MAX))

    def validate_choices_ar(self, field):
        self._same_count(field, required=True)

    def validate_choices_en(self, field):
        self._same_count(field, required=False)

    def choice_texts(self) -> list[dict[str, str]]:
        if not self.needs_choices():
            return []
        by_language = {
            code: lines(getattr(self, f"choices_{code}").data) for code in ("fr", "ar", "en")
        }
        return [
            {code: texts[n] for code, texts in by_language.items() if n < len(texts)}
            for n in range(len(by_language["fr"]))
        ]


class HideForm(FlaskForm):
    reason = StringField(_l("Why hide it"), validators=[DataRequired(), Length(max=200)])


class AttachForm(FlaskForm):
    lesson = SelectField(_l("Milestone"), coerce=int, validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file."))])
