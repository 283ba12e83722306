"""The indicator pages: members and facilitators add indicators and values through the forms
(a bad value is named and nothing is written), and the charts appear on the circle's page."""

from __future__ import annotations

from curriculum.db import db
from lms.circles.indicators.models import Indicator, IndicatorValue


def test_indicator_and_values_through_the_forms(
    app, trainer, make_cohort, add_learners, make_circle, as_user
):
    cohort = make_cohort([trainer])
    first, second, outsider = (e.user for e in add_learners(cohort, 3))
    circle = make_circle(cohort, [first, second])
    make_circle(cohort, [outsider])
    member, staff = as_user(first), as_user(trainer)
    url = f"/circles/{circle.id}/indicators"

    refused = member.post(url, data={"name": "Jeunes reçus", "baseline": "dix", "target": "40"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Jeunes reçus" in page  # what was typed stays
    assert db.session.query(Indicator).count() == 0

    assert member.post(url, data={"name": "Jeunes reçus", "unit": "jeunes", "baseline": "10",
                                  "target": "40"}).status_code == 302  # fmt: skip
    indicator = db.session.query(Indicator).one()
    values = f"{url}/{indicator.id}/values"
    prefix = f"v{indicator.id}-"
    bad = staff.post(values, data={prefix + "measured_on": "2026-13-40", prefix + "value": "12"})
    assert bad.status_code == 400
    assert db.session.query(IndicatorValue).count() == 0
    for day, value in (("2026-10-01", "12"), ("2026-11-01", "19,5")):
        answer = staff.post(values, data={prefix + "measured_on": day, prefix + "value": value,
                                          prefix + "source": "registre"})  # fmt: skip
        assert answer.status_code == 302
    assert sorted(v.value for v in db.session.query(IndicatorValue)) == [12.0, 19.5]

    circle_page = member.get(f"/circles/{circle.id}").get_data(as_text=True)
    assert "<svg" in circle_page and "Jeunes reçus" in circle_page
    assert "2026-11-01" in circle_page
    assert as_user(outsider).get(url).status_code == 403
