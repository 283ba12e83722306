"""Indicators: defining one, recording values (refused values write nothing), the SVG chart."""

from datetime import date
from xml.etree import ElementTree

import pytest

from curriculum.db import db
from lms.circles.indicators.charts import indicator_chart, line_chart
from lms.circles.indicators.models import Indicator, IndicatorValue
from lms.circles.indicators.operations import IndicatorError, add_indicator, record_value


@pytest.fixture
def project(app, trainer, make_cohort, add_learners, make_circle):
    cohort = make_cohort([trainer])
    learners = [e.user for e in add_learners(cohort, 2)]
    return make_circle(cohort, learners).project


def test_indicator_with_values_drawn_in_order(project):
    ind = add_indicator(project, name="Jeunes inscrits", unit="jeunes", baseline="10", target="40")
    record_value(ind, measured_on="2026-03-01", value="25", source="registre")
    record_value(ind, measured_on=date(2026, 1, 1), value="12,5", source="")
    db.session.commit()
    db.session.expire_all()
    ind = db.session.get(Indicator, ind.id)
    assert [v.value for v in ind.values] == [12.5, 25.0]
    svg = str(indicator_chart(ind))
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}polyline") is not None
    assert len(root.findall(f"{ns}circle")) == 2
    assert "2026-01-01" in svg and "2026-03-01" in svg


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("name", {"name": "  "}),
        ("name", {"name": "x" * 201}),
        ("unit", {"unit": "u" * 41}),
        ("baseline", {"baseline": "beaucoup"}),
        ("target", {"target": "nan"}),
    ],
)
def test_bad_indicator_refused_nothing_written(project, field, kwargs):
    values = {"name": "Taux", "unit": "%", "baseline": "1", "target": "2"} | kwargs
    with pytest.raises(IndicatorError) as refused:
        add_indicator(project, **values)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(Indicator).count() == 0


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("measured_on", {"measured_on": "03/01/2026"}),
        ("value", {"value": ""}),
        ("source", {"source": "s" * 201}),
    ],
)
def test_bad_value_refused(project, field, kwargs):
    ind = add_indicator(project, name="Taux", unit="%", baseline="1", target="2")
    db.session.commit()
    values = {"measured_on": "2026-01-01", "value": "3", "source": ""} | kwargs
    with pytest.raises(IndicatorError) as refused:
        record_value(ind, **values)
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.query(IndicatorValue).count() == 0


def test_chart_escapes_label_and_handles_no_or_flat_values():
    svg = str(line_chart([], 5, 5, '<script>"x"</script>'))
    assert "<script>" not in svg
    ElementTree.fromstring(svg)
    svg = str(line_chart([(date(2026, 1, 1), 5.0)], 5, 5, "flat"))
    ElementTree.fromstring(svg)
