"""Forms of publishing and of the showcase (field validation only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField
from wtforms.fields import SelectChoice

from lms.circles.forms import STAGE_LABELS, THEME_LABELS


class ConsentForm(FlaskForm):
    publish = BooleanField(_l("I agree that our project is shown on the public page and the sheet"))
    show_first_name = BooleanField(_l("My first name may appear on them"))


class ShowcaseFilters(FlaskForm):
    """The showcase's filters: a GET form (no CSRF: it changes nothing and is bookmarkable)."""

    class Meta:
        csrf = False

    programme = SelectField(_l("Programme"), validate_choice=False)
    province = SelectField(_l("Province"), validate_choice=False)
    theme = SelectField(_l("Theme"), validate_choice=False)
    stage = SelectField(_l("Stage"), validate_choice=False)

    def offer(self, provinces: list[str], courses, language: str) -> None:
        every = [SelectChoice("", _l("All"))]
        self.programme.choices = every + [SelectChoice(c.slug, c.title(language)) for c in courses]
        self.province.choices = every + [SelectChoice(p, p) for p in provinces]
        self.theme.choices = every + [SelectChoice(k, v) for k, v in THEME_LABELS.items()]
        self.stage.choices = every + [SelectChoice(k, v) for k, v in STAGE_LABELS.items()]
