"""The indicator pages of a circle's project: the indicators with their charts, adding one, and
recording a measured value.

Access: the circle's current members, its facilitators and administrators (``Project.can_edit``;
403 for anyone else). A refused value shows the page again with what was typed and, on the field
at fault, the reason; nothing is written.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.boundary import attempt
from lms.circles import queries as circle_queries
from lms.circles.models import Project

from . import operations, queries
from .charts import indicator_chart
from .forms import IndicatorForm, ValueForm


def _page(project: Project, form=None, failed=None, status: int = 200):
    """``failed``: (indicator id, its value form) when a value was refused."""

    def value_form(indicator):
        if failed and failed[0] == indicator.id:
            return failed[1]
        return ValueForm(prefix=f"v{indicator.id}", formdata=None)

    return render_template(
        "lms/circles/indicators/indicators.html",
        circle=project.circle,
        project=project,
        indicators=queries.of_project(project),
        chart=indicator_chart,
        form=form or IndicatorForm(formdata=None),
        value_form=value_form,
    ), status


def _refused(form, outcome) -> None:
    """The refusal (already undone by ``attempt``) goes on the field it names."""
    getattr(form, outcome.error.field).errors.append(outcome.message)


def _to_page(project: Project):
    return redirect(url_for("lms_indicators.indicators", circle_id=project.circle_id))


@login_required
def indicators(circle_id: int):
    return _page(circle_queries.editable_project(circle_id, current_user))


@login_required
def add(circle_id: int):
    project = circle_queries.editable_project(circle_id, current_user)
    form = IndicatorForm()
    if not form.validate_on_submit():
        return _page(project, form=form, status=400)
    with attempt(catch=operations.IndicatorError) as outcome:
        operations.add_indicator(project, name=form.name.data, unit=form.unit.data,
                                 baseline=form.baseline.data, target=form.target.data,
                                 by=current_user)  # fmt: skip
    if not outcome:
        _refused(form, outcome)
        return _page(project, form=form, status=400)
    flash(_("The indicator is added."), "success")
    return _to_page(project)


@login_required
def record(circle_id: int, indicator_id: int):
    project = circle_queries.editable_project(circle_id, current_user)
    indicator = queries.indicator_of(project, indicator_id)
    form = ValueForm(prefix=f"v{indicator.id}")
    if not form.validate_on_submit():
        return _page(project, failed=(indicator.id, form), status=400)
    with attempt(catch=operations.IndicatorError) as outcome:
        operations.record_value(indicator, measured_on=form.measured_on.data,
                                value=form.value.data, source=form.source.data,
                                by=current_user)  # fmt: skip
    if not outcome:
        _refused(form, outcome)
        return _page(project, failed=(indicator.id, form), status=400)
    flash(_("The value is recorded."), "success")
    return _to_page(project)
