"""Forms of the indicator pages. Numbers and dates are read by the operations (a comma as the
decimal mark is fine), which name the field at fault; the forms only carry what was typed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from .operations import NAME_MAX, SOURCE_MAX, UNIT_MAX


class IndicatorForm(FlaskForm):
    name = StringField(_l("Name of the indicator"), render_kw={"maxlength": NAME_MAX})
    unit = StringField(_l("Unit (optional)"), render_kw={"maxlength": UNIT_MAX})
    baseline = StringField(
        _l("Baseline (the value at the start)"), render_kw={"inputmode": "decimal"}
    )
    target = StringField(_l("Target"), render_kw={"inputmode": "decimal"})


class ValueForm(FlaskForm):
    measured_on = StringField(_l("Date measured"), render_kw={"type": "date"})
    value = StringField(_l("Value"), render_kw={"inputmode": "decimal"})
    source = StringField(_l("Source (optional)"), render_kw={"maxlength": SOURCE_MAX})
