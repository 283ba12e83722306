"""Verbs on indicators: define one, record a measured value. Plain values in, typed errors out;
nothing is written when a value is refused."""

from __future__ import annotations

import math
from datetime import date

from flask_babel import lazy_gettext as _l

from curriculum.db import db
from lms.circles.models import Project

from .models import Indicator, IndicatorValue

NAME_MAX = 200
UNIT_MAX = 40
SOURCE_MAX = 200


class IndicatorError(ValueError):
    """A refused indicator or value; ``field`` names the field at fault."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field
        self.message = message


def _number(field: str, raw) -> float:
    try:
        value = float(str(raw).strip().replace(",", "."))
    except (TypeError, ValueError):
        raise IndicatorError(field, _l("Enter a number.")) from None
    if not math.isfinite(value):
        raise IndicatorError(field, _l("Enter a number."))
    return value


def _text(field: str, raw, limit: int, required: bool) -> str:
    text = (raw or "").strip()
    if required and not text:
        raise IndicatorError(field, _l("This field is required."))
    if len(text) > limit:
        raise IndicatorError(field, _l("At most %(n)d characters.", n=limit))
    return text


def add_indicator(project: Project, *, name, unit, baseline, target, by=None) -> Indicator:
    indicator = Indicator(
        project_id=project.id,
        name=_text("name", name, NAME_MAX, True),
        unit=_text("unit", unit, UNIT_MAX, False),
        baseline=_number("baseline", baseline),
        target=_number("target", target),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(indicator)
    db.session.flush()
    return indicator


def record_value(indicator: Indicator, *, measured_on, value, source, by=None) -> IndicatorValue:
    if isinstance(measured_on, str):
        try:
            measured_on = date.fromisoformat(measured_on.strip())
        except ValueError:
            raise IndicatorError("measured_on", _l("Enter a date (YYYY-MM-DD).")) from None
    if not isinstance(measured_on, date):
        raise IndicatorError("measured_on", _l("Enter a date (YYYY-MM-DD)."))
    row = IndicatorValue(
        indicator=indicator,
        measured_on=measured_on,
        value=_number("value", value),
        source=_text("source", source, SOURCE_MAX, False),
        created_by_id=getattr(by, "id", None),
    )
    db.session.add(row)
    db.session.flush()
    return row
