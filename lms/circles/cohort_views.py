"""The facilitator's pages: a cohort's circles (form one, self-formation, due dates of the team
milestones, late milestones, letting a learner in without the required course), and changing a
circle's members.

Access: the cohort's trainers and administrators (another trainer gets 403, a learner 403).
"""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from lms.boundary import attempt
from lms.cohorts.queries import managed_cohort
from lms.errors import NotFound
from lms.users.forms import ActionForm, require_action_form

from . import milestones, operations, queries
from .forms import AddMemberForm, DueDateForm, FormCircleForm, SettingsForm, WaiverForm
from .views import LABELS


def _to_cohort_circles(cohort_id: int):
    return redirect(url_for("lms_circles.cohort_circles", cohort_id=cohort_id))


def _page(cohort, form=None, settings_form=None, waiver_form=None, status=200):
    learners = queries.learners_without_circle(cohort)
    form = form or FormCircleForm()
    form.members.choices = [SelectChoice(u.id, u.name) for u in learners]
    settings = operations.settings_of(cohort)
    if settings_form is None:
        settings_form = SettingsForm(obj=settings)
    dues = queries.dues_of(cohort)
    today = date.today()
    return render_template(
        "lms/circles/cohort.html",
        cohort=cohort,
        circles=queries.cohort_circles(cohort),
        learners=learners,
        form=form,
        settings_form=settings_form,
        waiver_form=waiver_form or WaiverForm(),
        team_lessons=queries.team_lessons(cohort.course_id),
        dues=dues,
        late=queries.late_milestones(cohort, today),
        due_form=DueDateForm(),
        action_form=ActionForm(),
        **LABELS,
    ), status


@login_required
def cohort_circles(cohort_id: int):
    return _page(managed_cohort(cohort_id, current_user))


@login_required
def form_circle(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form = FormCircleForm()
    form.members.choices = [
        SelectChoice(u.id, u.name) for u in queries.learners_without_circle(cohort)
    ]
    if form.validate_on_submit():
        with attempt(form.members) as done:
            circle = operations.form_circle(current_user, cohort, form.name.data, form.members.data)
        if done:
            flash(_("The circle %(name)s is formed.", name=circle.name), "success")
            return _to_cohort_circles(cohort.id)
    return _page(cohort, form=form, status=400)


@login_required
def settings(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form = SettingsForm()
    if form.validate_on_submit():
        with attempt(form.max_members) as done:
            operations.update_settings(current_user, cohort, form.self_formation.data,
                                       form.max_members.data)  # fmt: skip
        if done:
            flash(_("Saved."), "success")
            return _to_cohort_circles(cohort.id)
    return _page(cohort, settings_form=form, status=400)


@login_required
def due_date(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form = DueDateForm()
    if not form.validate_on_submit():
        flash(_("This date is not valid."), "error")
        return _page(cohort, status=400)
    lesson = next((x for x in queries.team_lessons(cohort.course_id) if x.id == form.lesson.data),
                  None)  # fmt: skip
    if lesson is None:
        raise NotFound()
    milestones.set_due_date(current_user, cohort, lesson, form.due_on.data)
    flash(_("Saved."), "success")
    return _to_cohort_circles(cohort.id)


@login_required
def waive(cohort_id: int):
    cohort = managed_cohort(cohort_id, current_user)
    form = WaiverForm()
    if form.validate_on_submit():
        with attempt(form.email) as done:
            waiver = operations.grant_waiver(current_user, cohort, form.email.data,
                                             form.reason.data)  # fmt: skip
        if done:
            flash(_("%(name)s may now join this cohort without the required course.",
                    name=waiver.user.name), "success")  # fmt: skip
            return _to_cohort_circles(cohort.id)
    return _page(cohort, waiver_form=form, status=400)


def _members_page(circle, form=None, status=200):
    form = form or AddMemberForm()
    form.user.choices = [
        SelectChoice(u.id, u.name) for u in queries.learners_without_circle(circle.cohort)
    ]
    return render_template(
        "lms/circles/members.html",
        circle=circle,
        form=form,
        action_form=ActionForm(),
        **LABELS,
    ), status


@login_required
def members(circle_id: int):
    return _members_page(queries.facilitated_circle(circle_id, current_user))


@login_required
def add_member(circle_id: int):
    circle = queries.facilitated_circle(circle_id, current_user)
    form = AddMemberForm()
    if form.validate_on_submit():
        with attempt(form.user) as done:
            member = operations.add_member(current_user, circle, form.user.data)
        if done:
            flash(_("%(name)s joins the circle.", name=member.user.name), "success")
            return redirect(url_for("lms_circles.members", circle_id=circle.id))
    return _members_page(circle, form, 400)


@login_required
def remove_member(circle_id: int, member_id: int):
    circle = queries.facilitated_circle(circle_id, current_user)
    member = queries.member_of(circle, member_id)
    require_action_form()
    operations.remove_member(current_user, circle, member)
    flash(_("%(name)s left the circle; her progress and her work stay hers.",
            name=member.user.name), "info")  # fmt: skip
    return redirect(url_for("lms_circles.members", circle_id=circle.id))
